import { z } from 'zod';
import { defineRequest } from './define.js';

export const EmbeddingProviderSchema = z.enum(['none', 'builtin', 'openai', 'transformers']);

/** The embedder as the daemon sees it; part of `status`. */
export const EmbeddingStatusSchema = z.object({
  provider: EmbeddingProviderSchema,
  /** `provider:model`, as recorded beside the vectors it made. */
  model: z.string().nullable(),
  dimensions: z.number().int().nullable(),
  /** False after a failure, until a retry succeeds; chunks committed meanwhile wait as pending. */
  available: z.boolean(),
  last_error: z.string().nullable(),
  /** Chunks committed without a vector yet; the daemon fills them in the background. */
  pending: z.number().int(),
  /** Of those, chunks whose text the embedder refused; skipped until a re-embed. */
  refused: z.number().int(),
  /** The index holds vectors of another model than the configured one (see `dindex reembed`). */
  mismatch: z.string().nullable(),
});

/** The HNSW index derived from the vectors in SQLite; part of `status`. */
export const VectorIndexStatusSchema = z.object({
  state: z.enum(['disabled', 'building', 'ready']),
  size: z.number().int(),
  /** While building: vectors inserted so far, of how many. */
  built: z.number().int(),
  total: z.number().int(),
  /** Commit sequence up to which the index reflects SQLite. */
  applied_seq: z.number().int(),
});

/**
 * Drops every vector and marks every chunk pending, recording the configured model as the
 * index's model; the daemon then embeds them again in the background (`stats.vectors_pending`).
 */
export const reembed = defineRequest('reembed', {
  request: z.strictObject({}),
  response: z.object({ pending: z.number().int(), model: z.string(), commit_seq: z.number().int() }),
});

export type EmbeddingProvider = z.infer<typeof EmbeddingProviderSchema>;
export type EmbeddingStatus = z.infer<typeof EmbeddingStatusSchema>;
export type VectorIndexStatus = z.infer<typeof VectorIndexStatusSchema>;
