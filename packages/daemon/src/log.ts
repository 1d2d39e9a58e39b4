import fs from 'node:fs';
import pino, { type Logger } from 'pino';
import type { Config } from './config/schema.js';

/** How often the size of the log file is checked for rotation. */
const ROTATION_CHECK_MS = 1000;

export interface LogOptions {
  level: Config['log_level'];
  /** Write here (the background daemon's `<home>/daemon.log`), rotating by size; else stdout. */
  file?: string | undefined;
  maxBytes: number;
  /** Rotated files kept: daemon.log.1 (newest) … daemon.log.N. */
  keep: number;
}

/**
 * JSON lines, written synchronously: start-up errors and the last lines before a crash are
 * never lost. In the background the daemon owns its log file and rotates it by size: when it
 * passes `maxBytes`, daemon.log.1 … .N shift up one, daemon.log becomes daemon.log.1, and the
 * destination reopens a fresh daemon.log (pino's own reopen, made for rotation).
 */
export function createLogger(options: LogOptions): Logger {
  const destination = pino.destination(options.file ? { dest: options.file, sync: true, mkdir: true, mode: 0o600 } : { dest: 1, sync: true });
  const log = pino({ level: options.level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
  const file = options.file;
  if (file) {
    const timer = setInterval(() => {
      try {
        if (fs.statSync(file).size < options.maxBytes) return;
        destination.flushSync();
        for (let n = options.keep - 1; n >= 1; n--) {
          if (fs.existsSync(`${file}.${n}`)) fs.renameSync(`${file}.${n}`, `${file}.${n + 1}`);
        }
        fs.renameSync(file, `${file}.1`);
        destination.reopen();
        log.info({ rotated: `${file}.1` }, 'log rotated');
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'log rotation failed');
      }
    }, ROTATION_CHECK_MS);
    timer.unref();
  }
  return log;
}
