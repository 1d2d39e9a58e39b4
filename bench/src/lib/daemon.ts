import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { DaemonClient } from '@dindex/client';
import type { ReadyMessage } from '@dindex/daemon';

export const ROOT = path.resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const DAEMON = path.join(ROOT, 'packages/daemon/bin/dindexd.js');

export interface BenchDaemon {
  dir: string;
  home: string;
  socket: string;
  child: ChildProcess;
  /** Stops the process (SIGTERM, so it saves what it saves at a stop) and keeps its home. */
  halt(): Promise<void>;
  /** Stops the process and removes its home. */
  stop(): Promise<void>;
}

/**
 * A real daemon in its own process and temporary home, as a user would run it; resolved once it
 * says on its readiness pipe that it serves. The socket file alone is not that: it exists from
 * bind() on, and a connect between bind() and listen() is refused (seen here once in 20 starts).
 */
export async function startBenchDaemon(args: string[] = []): Promise<BenchDaemon> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dxb-'));
  const home = path.join(dir, 'home');
  const socket = path.join(dir, 'run', 'd.sock');
  const child = spawn(process.execPath, [DAEMON, '--foreground', '--ready-fd', '3', '--home', home, '--socket', socket, '--log-level', 'warn', ...args], {
    // Its log (stdout: warnings and errors) to the bench's stderr; the bench's stdout is its JSON.
    stdio: ['ignore', 2, 'inherit', 'pipe'],
  });
  const exited = new Promise((r) => child.once('exit', r));
  await readyVerdict(child).catch((err: unknown) => {
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  });
  const halt = async (): Promise<void> => {
    child.kill('SIGTERM');
    await exited;
  };
  return {
    dir, home, socket, child, halt,
    stop: async () => {
      await halt();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Waits for the writer's idle merge to leave the index in one segment, so that searches are
 * measured on the index as it settles after an import, not while the merge competes with them
 * for the cores (searches during an import are measured on their own). Returns the segments
 * there were and the wait.
 */
export async function untilMerged(client: DaemonClient): Promise<{ segments: number; seconds: number }> {
  const started = performance.now();
  const segments = (await client.stats()).index_segments;
  while ((await client.stats()).index_segments > 1) await new Promise((r) => setTimeout(r, 100));
  return { segments, seconds: Math.round((performance.now() - started) / 100) / 10 };
}

/** The daemon's one line on its readiness pipe: resolves if it serves, rejects with its error otherwise. */
async function readyVerdict(child: ChildProcess): Promise<void> {
  const channel = child.stdio[3] as Readable;
  let text = '';
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  try {
    for await (const chunk of channel) text += String(chunk);
  } finally {
    clearTimeout(timer);
  }
  if (!text) throw new Error('bench daemon did not start: it exited first');
  const verdict = JSON.parse(text) as ReadyMessage;
  if (!verdict.ready) throw new Error(`bench daemon did not start: ${verdict.error.message}`);
}
