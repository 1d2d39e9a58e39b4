import { DindexError } from '@dindex/protocol';
import type { Handler } from '../dispatcher.js';

export const handleSearch: Handler<'search'> = (body, { daemon }) => {
  const mode = body.mode ?? 'bm25';
  if (mode !== 'bm25') {
    throw new DindexError('MODE_UNAVAILABLE',
      `search mode "${mode}" needs an embedder, and none is configured; use --mode bm25`, { mode });
  }
  const started = performance.now();
  const outcome = daemon.index.searcher.search({ query: body.query, k: body.k, filter: body.filter, exact: body.exact });
  return {
    query: body.query,
    mode,
    took_ms: Math.round((performance.now() - started) * 1000) / 1000,
    pruned_terms: outcome.prunedTerms,
    results: outcome.results,
  };
};
