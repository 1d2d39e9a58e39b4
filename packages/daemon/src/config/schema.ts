import { z } from 'zod';
import { DEFAULT_FRAME_TIMEOUT_MS, DEFAULT_MAX_FRAME_BYTES } from '@dindex/protocol';

/**
 * The daemon's configuration: `config.toml`, then `DINDEX_*` variables, then flags. Unknown keys
 * are errors, so a typo never silently falls back to a default.
 */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const octalMode = z
  .union([z.string().regex(/^0?[0-7]{3}$/, 'expected an octal mode such as "0600"'), z.number().int().min(0).max(0o777)])
  .transform((v) => (typeof v === 'number' ? v : Number.parseInt(v, 8)));

export const ConfigSchema = z.strictObject({
  /** pino level for the daemon log. */
  log_level: z.enum(LOG_LEVELS).default('info'),
  /** Mode of the socket file; 0600 keeps the daemon private to its user. */
  socket_mode: octalMode.default(0o600),
  /** Largest frame payload accepted from a client. */
  max_frame_bytes: z.number().int().min(1024).max(1024 * 1024 * 1024).default(DEFAULT_MAX_FRAME_BYTES),
  /** A partial frame that stalls this long closes the connection. */
  frame_timeout_ms: z.number().int().min(100).max(3_600_000).default(DEFAULT_FRAME_TIMEOUT_MS),
  max_connections: z.number().int().min(1).max(100_000).default(1024),
  /** Beyond this many unanswered requests the daemon stops reading from the connection. */
  max_inflight_per_connection: z.number().int().min(1).max(100_000).default(4096),
  /** How long a graceful stop waits for in-flight requests. */
  drain_timeout_ms: z.number().int().min(0).max(3_600_000).default(30_000),
});

export type Config = z.output<typeof ConfigSchema>;
