import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  PROTOCOL_VERSION, type Document, type RequestBody, type RequestType, type ResponseBody, JOB_PROGRESS_EVENT, type JobInfo, type JobState,
} from '@dindex/protocol';
import { IndexWriter, type IndexSummary, type IndexWriterOptions } from './index-writer.js';
import { daemonEntryVersion, startDaemon } from './autostart.js';
import { isProcessRunning } from './process.js';
import { ClientConnection, type RequestOptions } from './connection.js';
import { DaemonNotRunningError, DaemonVersionMismatchError, ProtocolMismatchError, RemoteError } from './errors.js';
import { resolveClientPaths, type ClientPaths } from './paths.js';

export interface ConnectOptions {
  /** Socket path; defaults to `$DINDEX_SOCKET`, then the design's default. */
  socket?: string;
  /** Data directory for an auto-started daemon; defaults to `$DINDEX_HOME`, then the default. */
  home?: string;
  /** Config file for an auto-started daemon; defaults to `$DINDEX_CONFIG`, then `<home>/config.toml`. */
  config?: string;
  /** Start the daemon in the background when nothing answers. @default false */
  autoStart?: boolean;
  /** Default timeout of every request, in ms; 0 waits forever. @default 30000 */
  timeoutMs?: number;
  /** How long auto-start waits for the daemon to become ready. @default 30000 */
  startTimeoutMs?: number;
  /** Entry script of the daemon to auto-start; defaults to the installed `@dindex/daemon`. */
  daemonEntry?: string;
  /** Extra daemon arguments used when auto-starting. */
  daemonArgs?: string[];
  /**
   * With autoStart: a running daemon of another version than the one auto-start would launch
   * is restarted when nothing is in flight on it (the upgrade path); a busy one is left alone
   * with a DaemonVersionMismatchError saying what to do. @default true
   */
  upgrade?: boolean;
  /** Name reported in the handshake. @default '@dindex/client' */
  clientName?: string;
  env?: NodeJS.ProcessEnv;
}

export type HelloInfo = ResponseBody<'hello'>;

/**
 * The dindex SDK: one connection to the daemon, any number of concurrent requests on it.
 *
 * ```ts
 * const client = await DaemonClient.connect({ autoStart: true });
 * const { pid } = await client.status();
 * client.close();
 * ```
 */
export class DaemonClient {
  readonly #connection: ClientConnection;
  /** The daemon's answer to the handshake: version, pid, socket, home, capabilities. */
  readonly daemon: HelloInfo;
  readonly paths: ClientPaths;

  private constructor(connection: ClientConnection, daemon: HelloInfo, paths: ClientPaths) {
    this.#connection = connection;
    this.daemon = daemon;
    this.paths = paths;
  }

  static async connect(options: ConnectOptions = {}): Promise<DaemonClient> {
    const paths = resolveClientPaths(options);
    const socket = await openSocket(paths.socket).catch(async (err: unknown) => {
      if (!isNotListening(err)) throw err;
      if (!options.autoStart) throw new DaemonNotRunningError(paths.socket, err);
      await startDaemon({
        paths,
        daemonEntry: options.daemonEntry,
        daemonArgs: options.daemonArgs,
        env: options.env,
        timeoutMs: options.startTimeoutMs,
      });
      // Another client may have won the race to start it; either way it is coming up.
      return waitForSocket(paths.socket, options.startTimeoutMs ?? 30_000);
    });
    const connection = new ClientConnection(socket, { defaultTimeoutMs: options.timeoutMs ?? 30_000 });
    try {
      const hello = (await connection.request('hello', {
        protocol: PROTOCOL_VERSION,
        client: options.clientName ?? '@dindex/client',
      })) as HelloInfo;
      const wanted = options.autoStart && options.upgrade !== false ? daemonEntryVersion(options.daemonEntry) : null;
      if (wanted !== null && wanted !== hello.version) {
        await DaemonClient.#stopOutdated(connection, hello, wanted);
        return DaemonClient.connect({ ...options, upgrade: false });
      }
      return new DaemonClient(connection, hello, paths);
    } catch (err) {
      connection.close();
      if (err instanceof RemoteError && err.code === 'PROTOCOL_MISMATCH') throw new ProtocolMismatchError(err.message, err.details);
      throw err;
    }
  }

  /** Stops a daemon of another version if it is idle, and waits until it is gone. */
  static async #stopOutdated(connection: ClientConnection, hello: HelloInfo, wanted: string): Promise<void> {
    const status = (await connection.request('status', {})) as ResponseBody<'status'>;
    if (status.inflight > 0) {
      throw new DaemonVersionMismatchError(
        `dindex daemon ${hello.version} (pid ${hello.pid}) is running with ${status.inflight} request${status.inflight === 1 ? '' : 's'} in flight; this client expects ${wanted}. ` +
        'Left running; run `dindex daemon restart` once it is idle.',
        { running: hello.version, wanted, pid: hello.pid, inflight: status.inflight },
      );
    }
    await connection.request('shutdown', {});
    connection.close();
    const deadline = Date.now() + 120_000;
    while (isProcessRunning(hello.pid)) {
      if (Date.now() > deadline) throw new DaemonVersionMismatchError(`the outdated daemon (pid ${hello.pid}) did not exit within 120 s`, { running: hello.version, wanted, pid: hello.pid, inflight: 0 });
      await sleep(50);
    }
  }

  /** Any request type, typed by the protocol's schemas. */
  request<T extends RequestType>(type: T, body: RequestBody<T>, options?: RequestOptions): Promise<ResponseBody<T>> {
    return this.#connection.request(type, body, options) as Promise<ResponseBody<T>>;
  }

  ping(options?: RequestOptions & { delayMs?: number }): Promise<ResponseBody<'ping'>> {
    return this.request('ping', options?.delayMs ? { delay_ms: options.delayMs } : {}, options);
  }

  status(options?: RequestOptions): Promise<ResponseBody<'status'>> {
    return this.request('status', {}, options);
  }

  /** Asks the daemon to stop; it answers, drains in-flight requests and exits. */
  shutdown(options?: RequestOptions): Promise<ResponseBody<'shutdown'>> {
    return this.request('shutdown', {}, options);
  }

  /** Opens an index stream; add documents to it, then `end()` it to wait for the commit. */
  async beginIndex(options?: IndexWriterOptions): Promise<IndexWriter> {
    const { stream } = await this.request('index.begin', {});
    return new IndexWriter(this.#connection, stream, options);
  }

  /** Indexes documents from any (async) iterable; resolves once all are committed. */
  async index(documents: Iterable<Document> | AsyncIterable<Document>, options?: IndexWriterOptions): Promise<IndexSummary> {
    const writer = await this.beginIndex(options);
    for await (const document of documents) await writer.add(document);
    return writer.end();
  }

  search(query: string, options: Omit<RequestBody<'search'>, 'query'> & RequestOptions = {}): Promise<ResponseBody<'search'>> {
    const { timeoutMs, signal, ...body } = options;
    return this.request('search', { query, ...body }, { timeoutMs, signal });
  }

  /** Deletes documents by id; resolves once the deletion is committed. */
  delete(ids: string[], options?: RequestOptions): Promise<ResponseBody<'delete'>> {
    return this.request('delete', { ids }, options);
  }

  /** Commits whatever the daemon has queued, now. */
  commit(options?: RequestOptions): Promise<ResponseBody<'commit'>> {
    return this.request('commit', {}, options);
  }

  stats(options?: RequestOptions): Promise<ResponseBody<'stats'>> {
    return this.request('stats', {}, options);
  }

  /** Runs the integrity checks (SQLite, full-text index, counters, vector index); `repair` rebuilds what can be. */
  doctor(options: RequestOptions & { repair?: boolean } = {}): Promise<ResponseBody<'doctor'>> {
    const { repair, ...rest } = options;
    return this.request('doctor', { repair: repair ?? false }, { timeoutMs: 0, ...rest });
  }

  /** The daemon's metrics in the Prometheus text format. */
  async metrics(options?: RequestOptions): Promise<string> {
    return (await this.request('metrics', {}, options)).text;
  }

  /**
   * Drops every vector and has the daemon embed every chunk again with the configured model,
   * in the background; `stats().vectors_pending` counts down to 0.
   */
  reembed(options?: RequestOptions): Promise<ResponseBody<'reembed'>> {
    return this.request('reembed', {}, options);
  }

  /** Starts a background job (an import of a file the daemon reads, or a scrape); resolves once it is queued. */
  startJob(spec: RequestBody<'jobs.start'>['spec'], options?: RequestOptions): Promise<JobInfo> {
    return this.request('jobs.start', { spec }, options);
  }

  /** Jobs, newest first. */
  async jobs(options: RequestOptions & { state?: JobState; limit?: number } = {}): Promise<JobInfo[]> {
    const { state, limit, ...rest } = options;
    return (await this.request('jobs.list', { ...(state ? { state } : {}), ...(limit ? { limit } : {}) }, rest)).jobs;
  }

  job(id: string, options?: RequestOptions): Promise<JobInfo> {
    return this.request('jobs.get', { id }, options);
  }

  /** Stops a job; resolves once it has stopped and what it handed over is committed. */
  cancelJob(id: string, options?: RequestOptions): Promise<JobInfo> {
    return this.request('jobs.cancel', { id }, { timeoutMs: 0, ...options });
  }

  /** Continues an interrupted, failed or cancelled job from its last committed checkpoint. */
  resumeJob(id: string, options?: RequestOptions): Promise<JobInfo> {
    return this.request('jobs.resume', { id }, options);
  }

  /**
   * Follows a job: `onProgress` gets it now and as it advances (a few times a second at most);
   * resolves with the job once it has ended. Abort `signal` to stop watching (the job goes on).
   */
  watchJob(id: string, onProgress: (job: JobInfo) => void, options: RequestOptions = {}): Promise<JobInfo> {
    return this.request('jobs.watch', { id }, {
      timeoutMs: 0,
      ...options,
      onEvent: (type, body) => {
        if (type === JOB_PROGRESS_EVENT) onProgress(body as JobInfo);
      },
    });
  }

  get closed(): boolean {
    return this.#connection.closed;
  }

  close(): void {
    this.#connection.close();
  }
}

function openSocket(path: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(path);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

function isNotListening(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ECONNREFUSED';
}

async function waitForSocket(path: string, timeoutMs: number): Promise<net.Socket> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
    try {
      return await openSocket(path);
    } catch (err) {
      if (!isNotListening(err) || Date.now() > deadline) throw new DaemonNotRunningError(path, err);
    }
    await sleep(delay);
  }
}
