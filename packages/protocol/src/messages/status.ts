import { z } from 'zod';
import { defineRequest } from './define.js';
import { JobStateCountsSchema } from './jobs.js';
import { EmbeddingStatusSchema, VectorIndexStatusSchema } from './vectors.js';

export const DaemonStateSchema = z.enum(['starting', 'running', 'draining', 'stopped']);

/** What the daemon is and how it is doing; `dindex daemon status --json` prints this. */
export const status = defineRequest('status', {
  request: z.strictObject({}),
  response: z.object({
    running: z.literal(true),
    state: DaemonStateSchema,
    pid: z.number().int(),
    version: z.string(),
    protocol: z.number().int(),
    socket: z.string(),
    home: z.string(),
    config: z.string(),
    started_at: z.string(),
    uptime_s: z.number(),
    memory: z.object({ rss: z.number(), heap_used: z.number(), heap_total: z.number(), external: z.number() }),
    connections: z.number().int(),
    inflight: z.number().int(),
    pipeline: z.object({
      /** Text accepted but not yet committed, and the bound at which producers are held back. */
      queued_documents: z.number().int(),
      queued_bytes: z.number().int(),
      queue_capacity_bytes: z.number().int(),
      max_queued_bytes_seen: z.number().int(),
      last_commit_seq: z.number().int(),
      commits: z.number().int(),
      last_commit_ms: z.number(),
    }),
    embedding: EmbeddingStatusSchema,
    vector_index: VectorIndexStatusSchema,
    jobs: JobStateCountsSchema,
    /** The HTTP address Prometheus can scrape, when `metrics.listen` is set. */
    metrics_url: z.string().nullable(),
  }),
});

/** Prometheus text exposition of the daemon's metrics; `dindex metrics` prints it. */
export const metrics = defineRequest('metrics', {
  request: z.strictObject({}),
  response: z.object({ text: z.string() }),
});

export const IntegrityCheckSchema = z.object({
  name: z.enum(['sqlite', 'fts', 'counters', 'vectors', 'vector_index']),
  ok: z.boolean(),
  detail: z.string(),
  repaired: z.boolean(),
});

/** The integrity checks of the start, on demand (`dindex doctor`); `repair` rebuilds what can be rebuilt. */
export const doctor = defineRequest('doctor', {
  request: z.strictObject({ repair: z.boolean().default(false) }),
  response: z.object({ ok: z.boolean(), took_ms: z.number(), checks: z.array(IntegrityCheckSchema) }),
});
