import { spawn } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './daemon.js';

const CLI = path.join(ROOT, 'packages/cli/bin/dindex.js');

/** Runs the real `dindex` command against a daemon and returns its --json output. */
export function runCliJson(socket: string, home: string, args: string[]): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, '--socket', socket, '--home', home, '--no-autostart', '--json', ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as Record<string, number>) : reject(new Error(`dindex ${args[0]} exited ${code}`))));
  });
}
