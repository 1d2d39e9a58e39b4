import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const DAEMON = path.join(ROOT, 'packages/daemon/bin/dindexd.js');

export interface BenchDaemon {
  dir: string;
  home: string;
  socket: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** A real daemon in its own process and temporary home, as a user would run it. */
export async function startBenchDaemon(args: string[] = []): Promise<BenchDaemon> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dxb-'));
  const home = path.join(dir, 'home');
  const socket = path.join(dir, 'run', 'd.sock');
  const child = spawn(process.execPath, [DAEMON, '--foreground', '--home', home, '--socket', socket, '--log-level', 'warn', ...args], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 30_000;
  while (!fs.existsSync(socket)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error('bench daemon did not start');
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    dir, home, socket, child,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
