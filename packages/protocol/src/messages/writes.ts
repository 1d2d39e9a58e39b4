import { z } from 'zod';
import { defineRequest } from './define.js';

/** Deletes documents by id; answers once the deletion is committed. */
export const deleteDocuments = defineRequest('delete', {
  request: z.strictObject({ ids: z.array(z.string().min(1).max(2048)).min(1).max(100_000) }),
  response: z.object({ deleted: z.number().int(), commit_seq: z.number().int() }),
});

/** Commits whatever is waiting in the write pipeline now, instead of at the next trigger. */
export const commit = defineRequest('commit', {
  request: z.strictObject({}),
  response: z.object({ commit_seq: z.number().int() }),
});

export const stats = defineRequest('stats', {
  request: z.strictObject({}),
  response: z.object({
    documents: z.number().int(),
    chunks: z.number().int(),
    vectors: z.number().int(),
    /** Chunks committed without a vector yet (embedder down, or a re-embed under way). */
    vectors_pending: z.number().int(),
    /** Pending chunks whose text the embedder refused (an HTTP 4xx); they wait for `dindex reembed`. */
    vectors_refused: z.number().int(),
    /** `provider:model` of the stored vectors, and their dimension. */
    embedding_model: z.string().nullable(),
    embedding_dimensions: z.number().int().nullable(),
    last_commit_seq: z.number().int(),
    /** The last commit that changed the vectors (the HNSW index has caught up once it applied it). */
    vectors_seq: z.number().int(),
    queued_documents: z.number().int(),
    database_bytes: z.number().int(),
    /** FTS5's index segments: a search reads each; the writer merges them into one while idle. */
    index_segments: z.number().int(),
    schema_version: z.number().int(),
  }),
});
