import fs from 'node:fs';
import os from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import type { Logger } from 'pino';
import { DindexError } from '@dindex/protocol';
import { loadConfig, type ConfigSources } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { databasePath, openReader } from '../index/database.js';
import { configuredModel } from '../embedding/embedder.js';
import { Searcher } from '../index/searcher.js';
import { SearchPool } from '../search/search-pool.js';
import { SearchService } from '../search/search-service.js';
import { EventLoopSearch } from '../search/event-loop-search.js';
import { VectorIndex } from '../vectors/vector-index.js';
import { IndexStreams } from '../pipeline/index-streams.js';
import { WritePipeline } from '../pipeline/write-pipeline.js';
import { JobManager } from '../jobs/job-manager.js';
import type { DaemonServices, DaemonState, IndexServices } from '../server/context.js';
import { createDispatcher } from '../server/dispatcher.js';
import { handlers } from '../server/handlers/index.js';
import { DaemonMetrics } from '../observability/metrics.js';
import { startMetricsServer, type MetricsServer } from '../observability/metrics-http.js';
import { SocketServer } from '../server/socket-server.js';
import { acquireLock, type HeldLock } from './lock.js';
import type { DaemonPaths } from './paths.js';
import { prepareSocketDirectory, removeStaleSocket } from './socket-path.js';
import type { ServiceNotifier } from './systemd.js';

export interface DaemonOptions {
  paths: DaemonPaths;
  /** A listening socket passed by systemd (socket activation), served instead of binding one. */
  listenFd?: number | null;
  notifier?: ServiceNotifier;
  config: Config;
  configSources: ConfigSources;
  log: Logger;
  version: string;
}

/**
 * The daemon's lifecycle:
 *
 *   starting ──start()──▶ running ──stop()──▶ draining ──▶ stopped
 *      │ lock, socket dir,      │ serves requests   │ no new connections or requests;
 *      │ stale socket, listen   │ SIGHUP: reload    │ in-flight requests finish
 *      └─ failure: lock released, error reported    └─ socket and lock removed
 */
export class Daemon implements DaemonServices {
  readonly pid = process.pid;
  readonly startedAt = new Date();
  #paths: DaemonPaths;
  readonly #listenFd: number | null;
  readonly #notifier: ServiceNotifier | null;
  readonly version: string;
  readonly #log: Logger;
  readonly #configSources: ConfigSources;
  #config: Config;
  #state: DaemonState = 'starting';
  #lock: HeldLock | null = null;
  #server: SocketServer | null = null;
  #index: IndexServices | null = null;
  readonly metrics = new DaemonMetrics();
  #metricsServer: MetricsServer | null = null;
  #stopping: Promise<void> | null = null;
  #stopped: () => void = () => {};
  readonly #stoppedPromise = new Promise<void>((resolve) => {
    this.#stopped = resolve;
  });

  constructor(options: DaemonOptions) {
    this.#paths = options.paths;
    this.#listenFd = options.listenFd ?? null;
    this.#notifier = options.notifier ?? null;
    this.version = options.version;
    this.#log = options.log;
    this.#config = options.config;
    this.#configSources = options.configSources;
  }

  get paths(): DaemonPaths {
    return this.#paths;
  }

  get index(): IndexServices {
    if (!this.#index) throw new DindexError('STARTUP_FAILED', 'the index is not open yet');
    return this.#index;
  }

  metricsUrl(): string | null {
    return this.#metricsServer?.url ?? null;
  }

  state(): DaemonState {
    return this.#state;
  }

  load(): { connections: number; inflight: number } {
    return { connections: this.#server?.connectionCount ?? 0, inflight: this.#server?.inflightCount ?? 0 };
  }

  /** Resolves once a stop has completed. */
  whenStopped(): Promise<void> {
    return this.#stoppedPromise;
  }

  async start(): Promise<void> {
    const { home, socket, lock } = this.paths;
    const activated = this.#listenFd !== null;
    try {
      fs.mkdirSync(home, { recursive: true, mode: 0o700 });
      // Under socket activation, systemd made the socket and owns it.
      if (!activated) prepareSocketDirectory(socket, this.#config.socket_mode);
      this.#lock = acquireLock(lock, socket);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EROFS') throw err;
      throw new DindexError('READ_ONLY', `the data directory ${home} is on a read-only filesystem (${(err as Error).message}); dindex keeps its index there: make it writable, or set DINDEX_HOME elsewhere`);
    }
    try {
      if (!activated) await removeStaleSocket(socket);
      this.#index = await this.#openIndex();
      this.#server = new SocketServer({
        dispatch: createDispatcher(handlers),
        daemon: this,
        log: this.#log,
        limits: () => ({
          maxConnections: this.#config.max_connections,
          maxFrameBytes: this.#config.max_frame_bytes,
          frameTimeoutMs: this.#config.frame_timeout_ms,
          maxInflight: this.#config.max_inflight_per_connection,
        }),
        onConnectionClosed: (id) => this.#index?.streams.dropConnection(id),
      });
      // The unit's DINDEX_SOCKET names the socket when the descriptor does not tell its path.
      if (this.#listenFd !== null) this.#paths = { ...this.paths, socket: (await this.#server.adopt(this.#listenFd)) ?? socket };
      else await this.#server.listen(socket, this.#config.socket_mode);
      this.#attachMetrics(this.#index, this.#server);
      if (this.#config.metrics.listen) this.#metricsServer = await startMetricsServer(this.#config.metrics.listen, this.metrics, this.#log);
    } catch (err) {
      await this.#metricsServer?.close();
      this.#server?.closeAll();
      await this.#index?.jobs.close();
      await this.#index?.pipeline.close();
      await this.#index?.vectors.close();
      await this.#index?.search.close();
      this.#lock.release();
      throw err;
    }
    this.#state = 'running';
    this.#log.info({ socket: this.paths.socket, home, version: this.version, socket_activated: activated }, 'daemon ready');
    this.#notifier?.ready();
  }

  requestShutdown(reason: string): void {
    // Let the answer to the shutdown request go out first.
    setImmediate(() => void this.stop(reason));
  }

  stop(reason: string): Promise<void> {
    this.#stopping ??= this.#stop(reason);
    return this.#stopping;
  }

  /** SIGHUP: re-read the configuration; a bad file keeps the current one and says why. */
  reload(): void {
    try {
      this.#config = loadConfig(this.#configSources);
      this.#log.level = this.#config.log_level;
      this.#log.info({ config: this.paths.config }, 'configuration reloaded');
    } catch (err) {
      const message = err instanceof DindexError ? err.message : String(err);
      this.#log.error({ err: message }, 'configuration reload failed; keeping the current configuration');
    }
  }

  #attachMetrics(index: IndexServices, server: SocketServer): void {
    this.metrics.attach({
      index: () => index.search.searcher.stats(),
      queue: () => index.pipeline.status(),
      connections: () => ({ connections: server.connectionCount, inflight: server.inflightCount }),
      vectorIndexSize: () => index.vectors.status().size,
      embedderAvailable: () => index.pipeline.embedder?.available ?? null,
      jobs: () => index.jobs.counts(),
    });
  }

  /**
   * Opens the index: the pipeline first (its writer thread migrates the schema, its embedding
   * thread loads the model), then the vector index (it reads what the writer left) and a reader.
   */
  async #openIndex(): Promise<IndexServices> {
    const file = databasePath(this.paths.home);
    const { index, search, embedding, vectors } = this.#config;
    const updates = new MessageChannel();
    const pipeline = await WritePipeline.start({
      settings: {
        databaseFile: file,
        batchSize: index.batch_size,
        commitIntervalMs: index.commit_interval_ms,
        chunkSize: index.chunk_size,
        chunkOverlap: index.chunk_overlap,
        embeddingModel: configuredModel(embedding),
        startupChecks: index.startup_checks,
        mergeIdleMs: index.merge_idle_ms,
      },
      queueCapacityBytes: index.queue_capacity_bytes,
      embedding,
      home: this.paths.home,
      env: this.#configSources.env,
      vectorUpdates: updates.port1,
      onCommit: (ms) => this.metrics.commit(ms / 1000),
    }, this.#log);
    try {
      const vectorIndex = await VectorIndex.start({
        databaseFile: file, home: this.paths.home, config: vectors, enabled: embedding.provider !== 'none', updates: updates.port2,
      }, this.#log);
      const searcher = new Searcher(openReader(file), file, search);
      const pool = new SearchPool({ databaseFile: file, settings: search }, search.threads || os.availableParallelism(), this.#log,
        (thread) => this.metrics.searchAnswered(String(thread)));
      const jobs = new JobManager({ pipeline, config: () => this.#config, socket: () => this.paths.socket, log: this.#log });
      await jobs.restore();
      const streams = new IndexStreams();
      const eventLoop = search.event_loop_when_idle ? new EventLoopSearch({
        searcher,
        settings: search,
        activity: () => ({
          requests: this.#server?.inflightCount ?? 0,
          writing: streams.count > 0 || jobs.running > 0 || pipeline.status().queued_documents > 0,
        }),
        lastCommitSeq: () => pipeline.lastCommitSeq,
        log: this.#log,
        answered: () => this.metrics.searchAnswered('event-loop'),
      }) : null;
      return {
        pipeline,
        vectors: vectorIndex,
        search: new SearchService({ searcher, pool, eventLoop, pipeline, vectors: vectorIndex, settings: search, provider: embedding.provider }),
        streams,
        jobs,
      };
    } catch (err) {
      await pipeline.close();
      throw err;
    }
  }

  async #stop(reason: string): Promise<void> {
    this.#log.info({ reason }, 'stopping');
    this.#notifier?.stopping();
    this.#state = 'draining';
    // Jobs stop first: their watchers are requests in flight that would otherwise hold the drain.
    await this.#index?.jobs.close();
    const server = this.#server;
    if (server) {
      server.stopAccepting();
      const drained = await server.drain(this.#config.drain_timeout_ms);
      if (!drained) this.#log.warn({ inflight: server.inflightCount }, 'drain timed out; closing connections with requests in flight');
      server.closeAll();
      if (this.#listenFd === null) fs.rmSync(this.paths.socket, { force: true });
    }
    await this.#metricsServer?.close();
    // Whatever was accepted is committed before the process goes.
    await this.#index?.pipeline.close();
    await this.#index?.vectors.close();
    await this.#index?.search.close();
    this.#lock?.release();
    this.#state = 'stopped';
    this.#log.info('stopped');
    this.#stopped();
  }
}
