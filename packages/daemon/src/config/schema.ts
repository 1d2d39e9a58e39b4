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

export const IndexConfigSchema = z.strictObject({
  /** Commit when this many chunks are waiting... */
  batch_size: z.number().int().min(1).max(1_000_000).default(2000),
  /** ...or when the oldest waiting write is this old, whichever comes first. */
  commit_interval_ms: z.number().int().min(1).max(600_000).default(200),
  /** Text accepted but not yet committed, in bytes, before producers are held back. */
  queue_capacity_bytes: z.number().int().min(1024).max(8 * 1024 * 1024 * 1024).default(64 * 1024 * 1024),
  /** Largest chunk, in characters. */
  chunk_size: z.number().int().min(50).max(100_000).default(1000),
  /** Characters of context repeated from one chunk into the next. */
  chunk_overlap: z.number().int().min(0).max(50_000).default(150),
}).refine((c) => c.chunk_overlap < c.chunk_size, { message: 'chunk_overlap must be smaller than chunk_size', path: ['chunk_overlap'] });

export const SearchConfigSchema = z.strictObject({
  /** BM25 weight of a match in the document title, its heading path, and its text. */
  title_weight: z.number().min(0).max(100).default(2),
  heading_weight: z.number().min(0).max(100).default(1.5),
  text_weight: z.number().min(0).max(100).default(1),
  /** Matches FTS5 may score per query before the most common query terms are left out. */
  max_scored_rows: z.number().int().min(100).max(100_000_000).default(20_000),
});

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
  index: IndexConfigSchema.default(() => IndexConfigSchema.parse({})),
  search: SearchConfigSchema.default(() => SearchConfigSchema.parse({})),
});

export type Config = z.output<typeof ConfigSchema>;
