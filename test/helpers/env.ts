import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lockFilePath } from '@dindex/protocol';

export const ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const CLI = path.join(ROOT, 'packages/cli/bin/dindex.js');
export const DAEMON = path.join(ROOT, 'packages/daemon/bin/dindexd.js');

export interface TestEnv {
  dir: string;
  home: string;
  socket: string;
  /** Environment for child processes: DINDEX_HOME and DINDEX_SOCKET point into `dir`. */
  env: NodeJS.ProcessEnv;
  cleanup(): void;
}

/** A private temporary directory (short, so socket paths stay under the sun_path limit). */
export function makeTestEnv(): TestEnv {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dx-'));
  const home = path.join(dir, 'home');
  const socket = path.join(dir, 'run', 'd.sock');
  const env: NodeJS.ProcessEnv = { ...process.env, DINDEX_HOME: home, DINDEX_SOCKET: socket };
  delete env.DINDEX_CONFIG;
  return { dir, home, socket, env, cleanup: () => cleanup(dir, home) };
}

/**
 * Removes the test's directory, first killing a daemon still holding its lock: a test that
 * failed half-way must not leave a daemon running on a deleted home.
 */
function cleanup(dir: string, home: string): void {
  try {
    const { pid } = JSON.parse(fs.readFileSync(lockFilePath(home), 'utf8')) as { pid: number };
    process.kill(pid, 'SIGKILL');
  } catch {
    // No lock, or its owner is gone already.
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Another home and socket inside `t`'s directory, for a second daemon of the same test. */
export function siblingEnv(t: TestEnv, name: string): TestEnv {
  const home = path.join(t.dir, name);
  const socket = path.join(t.dir, 'run', `${name}.sock`);
  return { dir: t.dir, home, socket, env: { ...t.env, DINDEX_HOME: home, DINDEX_SOCKET: socket }, cleanup: () => {} };
}

/** Runs `work` in a fresh test environment, removed afterwards whatever happens. */
export async function withTestEnv<T>(work: (t: TestEnv) => Promise<T>): Promise<T> {
  const t = makeTestEnv();
  try {
    return await work(t);
  } finally {
    t.cleanup();
  }
}
