import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { CLI, DAEMON, type TestEnv } from './env.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `dindex` executable. */
export function runCli(t: TestEnv, args: string[], extraEnv: NodeJS.ProcessEnv = {}, input?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...t.env, ...extraEnv }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

export interface ForegroundDaemon {
  child: ChildProcess;
  pid: number;
  output(): string;
  /** Resolves with the exit code (or signal name) once the process has ended. */
  exited: Promise<number | string>;
}

/** Starts the daemon as a foreground child, resolved once it logs that it is ready. */
export async function spawnDaemon(t: TestEnv, args: string[] = [], extraEnv: NodeJS.ProcessEnv = {}): Promise<ForegroundDaemon> {
  const child = spawn(process.execPath, [DAEMON, '--foreground', ...args], { env: { ...t.env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  await new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer): void => {
      output += d.toString();
      if (output.includes('"daemon ready"')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`daemon exited (${code}) before it was ready:\n${output}`)));
  });
  return { child, pid: child.pid!, output: () => output, exited };
}

export { isProcessRunning as isRunning } from '@dindex/client';

export async function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** A daemon's resident memory once its threads are all up: searches reach every search thread. */
export async function settledRss(client: import('@dindex/client').DaemonClient): Promise<number> {
  await Promise.all(Array.from({ length: 8 }, () => client.search('warm up the search threads')));
  await new Promise((r) => setTimeout(r, 500));
  return (await client.status()).memory.rss;
}

/** A graceful stop: SIGTERM, then the exit code. */
export async function stopDaemon(daemon: ForegroundDaemon): Promise<number | string> {
  daemon.child.kill('SIGTERM');
  return daemon.exited;
}

/** Runs `work` against a foreground daemon and a connected client, stopping both afterwards. */
export async function withDaemon<T>(
  t: TestEnv, args: string[], extraEnv: NodeJS.ProcessEnv,
  work: (client: import('@dindex/client').DaemonClient, daemon: ForegroundDaemon) => Promise<T>,
): Promise<T> {
  const { DaemonClient } = await import('@dindex/client');
  const daemon = await spawnDaemon(t, args, extraEnv);
  const client = await DaemonClient.connect({ socket: t.socket });
  try {
    return await work(client, daemon);
  } finally {
    client.close();
    await stopDaemon(daemon);
  }
}
