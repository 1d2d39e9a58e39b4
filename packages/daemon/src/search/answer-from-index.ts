import { encodeFrame, type RequestId, type ResponseBody, type ResponseEnvelope, type SearchMode } from '@dindex/protocol';
import type { Config } from '../config/schema.js';
import type { Searcher } from '../index/searcher.js';
import type { Scored } from '../index/late-terms.js';
import type { VectorMatch } from '../vectors/vector-index.js';
import { fuseByReciprocalRank, type RankedList } from './rank-fusion.js';
import type { SearchAnswer, SearchQuery } from './search-types.js';

/**
 * The SQLite part of a search, run in a search thread or on an idle event loop: BM25 ranking, which vector matches still
 * exist and pass the filters, the fusion, and the results' details — all from one snapshot.
 */
export function answerFromIndex(searcher: Searcher, settings: Config['search'], job: SearchJob): SearchAnswer {
  const { query, mode, matches, warnings } = job;
  if (mode === 'bm25' || matches === null) {
    const outcome = searcher.search({ query: query.query, k: query.k, filter: query.filter, exact: query.exact });
    const results = query.explain
      ? outcome.results.map((r, i) => ({ ...r, explain: { bm25: { rank: i + 1, score: r.score }, vector: null, fused: null } }))
      : outcome.results;
    return { mode: 'bm25', lateTerms: outcome.lateTerms, warnings, results };
  }
  return searcher.snapshot(() => {
    const present = new Set(searcher.present(matches.map((m) => m.chunkId), query.filter));
    const vector: RankedList = {
      signal: 'vector',
      weight: settings.vector_weight,
      hits: matches.filter((m) => present.has(m.chunkId)).map((m) => ({ chunkId: m.chunkId, score: m.similarity })),
    };
    if (mode === 'vector') {
      vector.hits.length = Math.min(vector.hits.length, query.k);
      const results = searcher.resolve(vector.hits.map(toScored), searcher.queryTerms(query.query));
      return { mode, lateTerms: [], warnings, results: query.explain ? results.map((r, i) => ({ ...r, explain: { bm25: null, vector: { rank: i + 1, score: r.score }, fused: null } })) : results };
    }
    const bm25 = searcher.rank({ query: query.query, k: candidates(query, settings), filter: query.filter, exact: query.exact });
    const fused = fuseByReciprocalRank([
      { signal: 'bm25', weight: settings.bm25_weight, hits: bm25.hits.map((h) => ({ chunkId: h.rowid, score: round(h.score) })) },
      { ...vector, hits: vector.hits.map((h) => ({ ...h, score: round(h.score) })) },
    ], settings.rrf_k).slice(0, query.k);
    const results = searcher.resolve(fused.map((f) => ({ rowid: f.chunkId, score: f.fused })), bm25.terms);
    return {
      mode,
      lateTerms: bm25.lateTerms,
      warnings,
      results: query.explain ? results.map((r, i) => ({ ...r, explain: fused[i]!.explain })) : results,
    };
  });
}

/**
 * The search's whole answer frame, for request `answerId`, encoded where the search ran, so
 * that the event loop only writes its bytes. `took_ms` counts from the request's arrival.
 */
export function encodeAnswer(searcher: Searcher, settings: Config['search'], job: SearchJob, answerId: RequestId): { mode: SearchMode; bytes: Uint8Array } {
  const answer = answerFromIndex(searcher, settings, job);
  const body: ResponseBody<'search'> = {
    query: job.query.query,
    mode: answer.mode,
    took_ms: Math.round((performance.timeOrigin + performance.now() - job.startedAt) * 1000) / 1000,
    pruned_terms: answer.lateTerms,
    warnings: answer.warnings,
    results: answer.results,
  };
  return { mode: answer.mode, bytes: encodeFrame({ kind: 'res', id: answerId, ok: true, body } satisfies ResponseEnvelope) };
}

/** What a search thread is asked: the query, the mode, and the vector matches when there are any. */
export interface SearchJob {
  query: SearchQuery;
  mode: SearchMode;
  matches: VectorMatch[] | null;
  warnings: string[];
  /** When the request arrived, in ms since the epoch (threads do not share `performance.now()`). */
  startedAt: number;
}

/** Results each signal brings to the fusion. */
export function candidates(query: SearchQuery, settings: Config['search']): number {
  return Math.max(query.k, settings.candidates);
}

function toScored(hit: { chunkId: number; score: number }): Scored {
  return { rowid: hit.chunkId, score: hit.score };
}

function round(score: number): number {
  return Math.round(score * 10_000) / 10_000;
}
