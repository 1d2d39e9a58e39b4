import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Readable } from 'node:stream';
import { logFilePath } from '@dindex/protocol';
import { DaemonStartError } from './errors.js';
import type { ClientPaths } from './paths.js';

export interface StartDaemonOptions {
  paths: ClientPaths;
  /** Path of the daemon's entry script; defaults to the installed `@dindex/daemon`. */
  daemonEntry?: string | undefined;
  /** Extra arguments for the daemon (for example `--set key=value`). */
  daemonArgs?: string[] | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  timeoutMs?: number | undefined;
}

export type StartOutcome = { started: true; pid: number } | { started: false; reason: 'already-running'; pid?: number };

type ReadyMessage =
  | { ready: true; pid: number; socket: string }
  | { ready: false; error: { code: string; message: string; details?: { pid?: number } } };

/**
 * Starts the daemon in the background and waits for its verdict on a dedicated pipe (fd 3):
 * ready, or its own start-up error. The daemon's stdout and stderr go to `<home>/daemon.log`.
 */
export async function startDaemon(options: StartDaemonOptions): Promise<StartOutcome> {
  const { paths } = options;
  const entry = options.daemonEntry ?? defaultDaemonEntry();
  fs.mkdirSync(paths.home, { recursive: true, mode: 0o700 });
  const logFile = logFilePath(paths.home);
  const logFd = fs.openSync(logFile, 'a', 0o600);
  // The daemon writes and rotates the log itself; stdout and stderr still reach it for crashes.
  const args = [entry, '--ready-fd', '3', '--log-file', logFile, '--home', paths.home, '--socket', paths.socket, '--config', paths.config,
    ...(options.daemonArgs ?? [])];
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ['ignore', logFd, logFd, 'pipe'],
    env: options.env ?? process.env,
  });
  fs.closeSync(logFd);
  const channel = child.stdio[3] as Readable;
  const timeoutMs = options.timeoutMs ?? 30_000;

  const failure = (message: string, code?: string): DaemonStartError =>
    new DaemonStartError(message, { ...(code ? { code } : {}), log: tailLines(logFile, 20), logFile });

  try {
    const verdict = await new Promise<ReadyMessage>((resolve, reject) => {
      let text = '';
      const timer = setTimeout(() => reject(failure(`the daemon did not become ready within ${timeoutMs} ms; see ${logFile}`)), timeoutMs);
      channel.setEncoding('utf8');
      channel.on('data', (chunk: string) => {
        text += chunk;
        const newline = text.indexOf('\n');
        if (newline < 0) return;
        clearTimeout(timer);
        try {
          resolve(JSON.parse(text.slice(0, newline)) as ReadyMessage);
        } catch {
          reject(failure(`the daemon sent an unreadable start-up message: ${text.slice(0, 200)}`));
        }
      });
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(failure(`could not run the daemon (${process.execPath} ${entry}): ${err.message}`));
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        // A verdict written just before exit arrives before 'exit' on the pipe; this is the crash case.
        setImmediate(() => reject(failure(`the daemon exited during start-up (${signal ?? `code ${code}`}); see ${logFile}`)));
      });
    });
    if (verdict.ready) return { started: true, pid: verdict.pid };
    if (verdict.error.code === 'ALREADY_RUNNING') {
      return { started: false, reason: 'already-running', ...(verdict.error.details?.pid ? { pid: verdict.error.details.pid } : {}) };
    }
    throw failure(verdict.error.message, verdict.error.code);
  } finally {
    channel.destroy();
    child.unref();
  }
}

/** The version of the daemon an auto-start would launch, or null when it cannot be told. */
export function daemonEntryVersion(entry?: string): string | null {
  try {
    const file = path.join(path.dirname(entry ?? defaultDaemonEntry()), '..', 'package.json');
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version?: string }).version ?? null;
  } catch {
    return null;
  }
}

function defaultDaemonEntry(): string {
  try {
    return fileURLToPath(import.meta.resolve('@dindex/daemon/bin'));
  } catch {
    throw new DaemonStartError('auto-start needs the @dindex/daemon package: install it, or pass daemonEntry', {
      log: [], logFile: '',
    });
  }
}

function tailLines(file: string, count: number): string[] {
  try {
    const size = fs.statSync(file).size;
    const length = Math.min(size, 16 * 1024);
    const buffer = Buffer.alloc(length);
    const fd = fs.openSync(file, 'r');
    try {
      fs.readSync(fd, buffer, 0, length, size - length);
    } finally {
      fs.closeSync(fd);
    }
    return buffer.toString('utf8').split('\n').filter(Boolean).slice(-count);
  } catch {
    return [];
  }
}
