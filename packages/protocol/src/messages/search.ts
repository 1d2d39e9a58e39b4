import { z } from 'zod';
import { defineRequest } from './define.js';
import { MetadataValueSchema } from './document.js';

export const SearchModeSchema = z.enum(['bm25', 'vector', 'hybrid']);

export const SearchFilterSchema = z.strictObject({
  /** Only documents whose source starts with this string. */
  source_prefix: z.string().min(1).max(4096).optional(),
  /** Only documents whose metadata holds each of these key/value pairs. */
  metadata: z.record(z.string().min(1).max(200), MetadataValueSchema).optional(),
});

/** A result's place in one signal of a search: its rank (1 = best) and that signal's score. */
export const SignalRankSchema = z.object({ rank: z.number().int(), score: z.number() });

/** Why a result is where it is (`explain: true`): each signal, and the fused score in hybrid mode. */
export const ResultExplanationSchema = z.object({
  bm25: SignalRankSchema.nullable(),
  vector: SignalRankSchema.nullable(),
  /** Sum over signals of weight / (rrf_k + rank); null outside hybrid mode. */
  fused: z.number().nullable(),
});

export const SearchResultSchema = z.object({
  doc_id: z.string(),
  chunk_id: z.number().int(),
  source: z.string(),
  title: z.string().nullable(),
  heading: z.string().nullable(),
  score: z.number(),
  /** Part of the chunk with the matched terms marked as **term**. */
  snippet: z.string(),
  text: z.string(),
  metadata: z.record(z.string(), MetadataValueSchema).nullable(),
  explain: ResultExplanationSchema.optional(),
});

export const search = defineRequest('search', {
  request: z.strictObject({
    query: z.string().min(1).max(10_000),
    k: z.number().int().min(1).max(1000).default(10),
    mode: SearchModeSchema.optional(),
    filter: SearchFilterSchema.optional(),
    /** Rank every term over every chunk it matches, even for queries full of common words (slower on large indexes, see README). */
    exact: z.boolean().optional(),
    /** Add each result's rank and score in every signal (and the fused score) as `explain`. */
    explain: z.boolean().optional(),
  }),
  response: z.object({
    query: z.string(),
    mode: SearchModeSchema,
    took_ms: z.number(),
    /**
     * Common query terms that did not choose the candidates, because the query's terms match more
     * chunks than `search.max_scored_rows`: they were scored only on the chunks the rarer terms
     * found (see `exact`).
     */
    pruned_terms: z.array(z.string()),
    /** Why the answer is not what was asked for (a default hybrid search that fell back to bm25). */
    warnings: z.array(z.string()),
    results: z.array(SearchResultSchema),
  }),
});

export type SearchResult = z.infer<typeof SearchResultSchema>;
export type SearchFilter = z.infer<typeof SearchFilterSchema>;
export type SearchMode = z.infer<typeof SearchModeSchema>;
export type ResultExplanation = z.infer<typeof ResultExplanationSchema>;
