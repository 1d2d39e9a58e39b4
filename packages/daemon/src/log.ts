import pino, { type Logger } from 'pino';
import type { Config } from './config/schema.js';

/**
 * JSON lines on stdout. In the background the spawning client points stdout at
 * `<home>/daemon.log`, so crashes that bypass the logger land in the same file.
 * Synchronous writes: start-up errors and the last lines before a crash are never lost.
 */
export function createLogger(level: Config['log_level']): Logger {
  return pino(
    { level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ dest: 1, sync: true }),
  );
}
