import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { DaemonClient, DaemonNotRunningError, isProcessRunning, resolveClientPaths, type ClientPaths } from '@dindex/client';
import { logFilePath, type ResponseBody } from '@dindex/protocol';
import { daemonEntry, type GlobalOptions } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { formatBytes, printJson, printLines, table } from '../output.js';
import { wholeNumber } from '../options.js';

/** `dindex daemon start|stop|status|restart|logs`: the daemon's lifecycle from the shell. */

async function connectIfRunning(paths: ClientPaths): Promise<DaemonClient | null> {
  try {
    return await DaemonClient.connect({ socket: paths.socket, home: paths.home, clientName: 'dindex-cli' });
  } catch (err) {
    if (err instanceof DaemonNotRunningError) return null;
    throw err;
  }
}

export async function daemonStart(options: GlobalOptions & { foreground?: boolean }): Promise<void> {
  const paths = resolveClientPaths(options);
  const running = await connectIfRunning(paths);
  if (running) {
    const status = await running.status();
    running.close();
    if (options.json) printJson({ ...status, already_running: true });
    else process.stderr.write(`dindex daemon already running (pid ${status.pid}) on ${status.socket}\n`);
    return;
  }
  if (options.foreground) {
    const { main } = await import('@dindex/daemon');
    await main(['--foreground', '--home', paths.home, '--socket', paths.socket, '--config', paths.config]);
    return;
  }
  const client = await DaemonClient.connect({
    socket: paths.socket, home: paths.home, config: paths.config, autoStart: true, daemonEntry: daemonEntry(), clientName: 'dindex-cli',
  });
  const status = await client.status();
  client.close();
  if (options.json) printJson(status);
  else process.stderr.write(`dindex daemon started (pid ${status.pid}) on ${status.socket}\n`);
}

export async function daemonStop(options: GlobalOptions): Promise<void> {
  const paths = resolveClientPaths(options);
  const client = await connectIfRunning(paths);
  if (!client) {
    if (options.json) printJson({ running: false, stopped: false, socket: paths.socket });
    else process.stderr.write(`dindex daemon is not running (${paths.socket})\n`);
    return;
  }
  const { pid } = await client.shutdown();
  client.close();
  await waitForExit(pid);
  if (options.json) printJson({ running: false, stopped: true, pid });
  else process.stderr.write(`dindex daemon stopped (pid ${pid})\n`);
}

export async function daemonRestart(options: GlobalOptions): Promise<void> {
  await daemonStop({ ...options, json: false });
  await daemonStart(options);
}

export async function daemonStatus(options: GlobalOptions): Promise<void> {
  const paths = resolveClientPaths(options);
  const client = await connectIfRunning(paths);
  if (!client) {
    if (options.json) printJson({ running: false, socket: paths.socket, home: paths.home });
    else process.stdout.write(`dindex daemon is not running (${paths.socket})\n`);
    process.exitCode = EXIT.notRunning;
    return;
  }
  const status = await client.status();
  client.close();
  if (options.json) {
    printJson(status);
    return;
  }
  printLines([
    `dindex daemon ${status.state}`,
    ...table([
      ['pid', String(status.pid)],
      ['version', `${status.version} (protocol ${status.protocol})`],
      ['socket', status.socket],
      ['home', status.home],
      ['config', status.config],
      ['uptime', `${status.uptime_s} s`],
      ['memory', `${formatBytes(status.memory.rss)} resident, ${formatBytes(status.memory.heap_used)} heap`],
      ['clients', `${status.connections} connected, ${status.inflight} requests in flight`],
      ['embedding', describeEmbedding(status)],
      ['vectors', describeVectorIndex(status.vector_index)],
      ['jobs', describeJobs(status.jobs)],
      ...(status.metrics_url ? [['metrics', status.metrics_url] as [string, string]] : []),
    ]),
  ]);
}

export async function daemonLogs(options: GlobalOptions & { follow?: boolean; lines: string }): Promise<void> {
  const file = logFilePath(resolveClientPaths(options).home);
  const count = wholeNumber(options.lines, '--lines');
  let position = 0;
  try {
    const text = fs.readFileSync(file, 'utf8');
    position = Buffer.byteLength(text);
    const lines = text.split('\n').filter(Boolean);
    if (count > 0) printLines(lines.slice(-count));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || !options.follow) {
      throw new CliError(`cannot read the daemon log ${file}: ${(err as Error).message}`);
    }
  }
  if (!options.follow) return;
  await follow(file, position);
}

/**
 * Prints what is appended to `file` from `position` on. When the daemon rotates the log, the
 * rest of the old file is printed before the new one, so no line is skipped.
 */
async function follow(file: string, position: number): Promise<never> {
  let current: { fd: number; ino: number } | null = null;
  for (;;) {
    if (!current) {
      try {
        const fd = fs.openSync(file, 'r');
        current = { fd, ino: fs.fstatSync(fd).ino };
      } catch {
        await sleep(250);
        continue;
      }
    }
    const size = fs.fstatSync(current.fd).size;
    if (size < position) position = 0; // truncated: start over
    if (size > position) {
      const buffer = Buffer.alloc(size - position);
      position += fs.readSync(current.fd, buffer, 0, buffer.length, position);
      process.stdout.write(buffer);
      continue;
    }
    let replaced = false;
    try {
      replaced = fs.statSync(file).ino !== current.ino;
    } catch {
      replaced = true;
    }
    if (replaced) {
      fs.closeSync(current.fd);
      current = null;
      position = 0;
      continue;
    }
    await sleep(250);
  }
}

/** The shutdown answer comes before the drain; wait until the process has exited. */
async function waitForExit(pid: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (!isProcessRunning(pid)) return;
    await sleep(25);
  }
  throw new CliError(`the daemon (pid ${pid}) is still stopping after 120 s; see dindex daemon logs`);
}

function describeEmbedding(status: ResponseBody<'status'>): string {
  const e = status.embedding;
  if (e.provider === 'none') return 'none (BM25 only)';
  const state = e.mismatch ? `MISMATCH: ${e.mismatch}` : e.available ? 'available' : `UNAVAILABLE: ${e.last_error ?? 'no answer'}`;
  const waiting = e.pending ? `, ${e.pending} chunks pending${e.refused ? ` (${e.refused} refused by the embedder)` : ''}` : '';
  return `${e.model ?? e.provider}${e.dimensions ? ` (${e.dimensions} dimensions)` : ''}, ${state}${waiting}`;
}

function describeVectorIndex(index: ResponseBody<'status'>['vector_index']): string {
  if (index.state === 'disabled') return 'no vector index';
  if (index.state === 'building') return `rebuilding the HNSW index: ${index.built} of ${index.total}`;
  return `HNSW index ready, ${index.size} vectors`;
}

/** "2 queued, 1 running, 5 done": the states that have jobs, in the order a job passes them. */
function describeJobs(jobs: Record<string, number>): string {
  const parts = Object.entries(jobs).filter(([, n]) => n > 0).map(([state, n]) => `${n} ${state}`);
  return parts.length ? parts.join(', ') : 'none';
}
