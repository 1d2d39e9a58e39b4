import { z } from 'zod';
import { DEFAULT_FRAME_TIMEOUT_MS, DEFAULT_MAX_FRAME_BYTES, EmbeddingProviderSchema, SearchModeSchema } from '@dindex/protocol';
import { isLoopback, parseListen } from './listen-address.js';

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
  /**
   * At start: SQLite's quick check, FTS5's integrity check (rebuilt if broken), the counters —
   * unless the files are exactly as the last clean stop left them.
   */
  startup_checks: z.boolean().default(true),
  /**
   * Quiet time, in ms, after which the writer merges FTS5's segments into one (in short
   * steps; writes go first; once a tenth of the index has changed since the last merge): the
   * first searches for new words cost a quarter. 0: never.
   */
  merge_idle_ms: z.number().int().min(0).max(3_600_000).default(1000),
  /** Characters of context repeated from one chunk into the next. */
  chunk_overlap: z.number().int().min(0).max(50_000).default(150),
}).refine((c) => c.chunk_overlap < c.chunk_size, { message: 'chunk_overlap must be smaller than chunk_size', path: ['chunk_overlap'] });

export const SearchConfigSchema = z.strictObject({
  /** BM25 weight of a match in the document title, its heading path, and its text. */
  title_weight: z.number().min(0).max(100).default(2),
  heading_weight: z.number().min(0).max(100).default(1.5),
  text_weight: z.number().min(0).max(100).default(1),
  /** Matches scored per query (tens of nanoseconds each); the most common terms beyond it are scored late. */
  max_scored_rows: z.number().int().min(100).max(100_000_000).default(100_000),
  /** The best chunks the rarer terms find that are then scored with the common terms too. */
  late_scored_candidates: z.number().int().min(1).max(100_000).default(100),
  /** Threads answering searches; 0: one per core. */
  threads: z.number().int().min(0).max(64).default(0),
  /**
   * Answer a search on the event loop when nothing else is in flight, without the hop to a
   * search thread and back (for a lone client 0.35 ms at p50, 3.4 at p99); false: always in a
   * search thread.
   */
  event_loop_when_idle: z.boolean().default(true),
  /** `auto`: hybrid when a semantic model (openai, transformers) is configured, else bm25. */
  default_mode: z.union([z.literal('auto'), SearchModeSchema]).default('auto'),
  /** Reciprocal Rank Fusion: score = Σ weight / (rrf_k + rank) over the signals. */
  rrf_k: z.number().min(0).max(10_000).default(60),
  /** How many results each signal contributes to the fusion. */
  candidates: z.number().int().min(1).max(10_000).default(100),
  bm25_weight: z.number().min(0).max(100).default(1),
  vector_weight: z.number().min(0).max(100).default(1),
});

export const EmbeddingConfigSchema = z.strictObject({
  provider: EmbeddingProviderSchema.default('none'),
  /** Empty: the provider's default (builtin: hash-ngram-v1; transformers: Xenova/all-MiniLM-L6-v2). */
  model: z.string().max(500).default(''),
  /** 0: what the model returns (builtin: 384). Set it to have the daemon check every answer. */
  dimensions: z.number().int().min(0).max(65_536).default(0),
  /** Base URL of an OpenAI-compatible API; `/embeddings` is appended. */
  url: z.string().url().default('http://127.0.0.1:11434/v1'),
  /** Name of the environment variable holding the API key (never the key itself). */
  api_key_env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).default('DINDEX_EMBEDDING_API_KEY'),
  /** Texts per embedding call, and calls in flight at once. */
  batch_size: z.number().int().min(1).max(4096).default(64),
  concurrency: z.number().int().min(1).max(64).default(2),
  timeout_ms: z.number().int().min(100).max(600_000).default(30_000),
  /** Retries of a call that failed with a timeout, a network error, 429 or 5xx; backoff doubles. */
  retries: z.number().int().min(0).max(20).default(4),
  retry_delay_ms: z.number().int().min(0).max(60_000).default(500),
  /** Prepended to texts, for models trained with prefixes (e5: "query: " / "passage: "). */
  query_prefix: z.string().max(200).default(''),
  document_prefix: z.string().max(200).default(''),
  /** transformers: where models are looked for and cached; empty = <home>/models. */
  model_dir: z.string().default(''),
  /** transformers: fetch a model missing from model_dir from the Hugging Face hub. */
  allow_download: z.boolean().default(true),
}).refine((c) => c.provider !== 'openai' || c.model !== '', {
  message: 'the openai provider needs a model name (embedding.model, DINDEX_EMBEDDING_MODEL)', path: ['model'],
});

export const VectorsConfigSchema = z.strictObject({
  /** HNSW links per node (M), and the candidate list sizes when inserting and searching. */
  connectivity: z.number().int().min(2).max(256).default(16),
  expansion_add: z.number().int().min(1).max(4096).default(128),
  expansion_search: z.number().int().min(1).max(4096).default(128),
  /** How vectors are held in the HNSW index; SQLite always keeps them as f32. */
  quantization: z.enum(['f32', 'f16', 'i8']).default('f32'),
  /** The HNSW file is saved at most this often while vectors change, and at stop. */
  save_interval_ms: z.number().int().min(100).max(86_400_000).default(10_000),
});

export const JobsConfigSchema = z.strictObject({
  /** Jobs running at once; more wait their turn. */
  concurrency: z.number().int().min(1).max(64).default(2),
  /**
   * Directories import jobs may read from when the socket is shared (socket_mode other than
   * 0600); with a private socket the caller is the daemon's own user and any readable path goes.
   * In the environment, ':'-separated.
   */
  import_roots: z.preprocess(
    (v) => (typeof v === 'string' ? v.split(':').filter(Boolean) : v),
    z.array(z.string().refine((p) => p.startsWith('/'), 'an absolute path')),
  ).default([]),
});

export const ScrapeConfigSchema = z.strictObject({
  /** Fetch from loopback, private, link-local and other non-public addresses (off: no SSRF into the local network). */
  allow_private_addresses: z.boolean().default(false),
  user_agent: z.string().min(1).max(500).default('dindex (local document index; respects robots.txt)'),
  /** Pages fetched at once per scrape job. */
  concurrency: z.number().int().min(1).max(64).default(4),
  /** Pause between two requests to the same host, unless its robots.txt asks for a longer crawl-delay. */
  host_delay_ms: z.number().int().min(0).max(600_000).default(1000),
  timeout_ms: z.number().int().min(100).max(600_000).default(15_000),
  /** Larger bodies are abandoned and the page counted as rejected. */
  max_body_bytes: z.number().int().min(1024).max(1024 * 1024 * 1024).default(5 * 1024 * 1024),
  max_redirects: z.number().int().min(0).max(20).default(5),
  /** How long a host's robots.txt is trusted before it is fetched again. */
  robots_cache_ms: z.number().int().min(0).max(7 * 86_400_000).default(3_600_000),
});

export const MetricsConfigSchema = z.strictObject({
  /** host:port of an HTTP listener for Prometheus (`GET /metrics`); loopback only; empty: none. */
  listen: z.string().default('').refine((v) => {
    if (v === '') return true;
    try {
      return isLoopback(parseListen(v).host);
    } catch {
      return false;
    }
  }, 'expected a loopback host:port such as "127.0.0.1:9464" (metrics are never served beyond this machine)'),
});

export const ConfigSchema = z.strictObject({
  /** pino level for the daemon log. */
  log_level: z.enum(LOG_LEVELS).default('info'),
  /** A background daemon's log is rotated past this size... */
  log_max_bytes: z.number().int().min(1024).max(1024 * 1024 * 1024 * 1024).default(10 * 1024 * 1024),
  /** ...keeping this many rotated files (daemon.log.1 … .N). */
  log_files: z.number().int().min(1).max(100).default(5),
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
  embedding: EmbeddingConfigSchema.default(() => EmbeddingConfigSchema.parse({})),
  vectors: VectorsConfigSchema.default(() => VectorsConfigSchema.parse({})),
  metrics: MetricsConfigSchema.default(() => MetricsConfigSchema.parse({})),
  jobs: JobsConfigSchema.default(() => JobsConfigSchema.parse({})),
  scrape: ScrapeConfigSchema.default(() => ScrapeConfigSchema.parse({})),
});

export type Config = z.output<typeof ConfigSchema>;
export type EmbeddingConfig = Config['embedding'];
export type VectorsConfig = Config['vectors'];
export type JobsConfig = Config['jobs'];
export type ScrapeConfig = Config['scrape'];
