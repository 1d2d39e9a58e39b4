import { z } from 'zod';
import { defineRequest } from './define.js';
import { DocumentSchema } from './document.js';

/**
 * Indexing is a stream: `index.begin` opens it, any number of `index.docs` feed it, and
 * `index.end` answers once everything in the stream is committed and durable.
 */
export const StreamIdSchema = z.string().min(1).max(64);

export const indexBegin = defineRequest('index.begin', {
  request: z.strictObject({}),
  response: z.object({ stream: StreamIdSchema }),
});

export const indexDocs = defineRequest('index.docs', {
  request: z.strictObject({
    stream: StreamIdSchema,
    documents: z.array(DocumentSchema).min(1).max(10_000),
  }),
  /** Answered once the documents are queued; a full queue holds the answer back (backpressure). */
  response: z.object({ accepted: z.number().int(), queued_bytes: z.number().int() }),
});

export const IndexSummarySchema = z.object({
  documents: z.number().int(),
  chunks: z.number().int(),
  skipped: z.number().int(),
  commit_seq: z.number().int(),
  took_ms: z.number(),
});

export const indexEnd = defineRequest('index.end', {
  request: z.strictObject({ stream: StreamIdSchema }),
  response: IndexSummarySchema,
});
