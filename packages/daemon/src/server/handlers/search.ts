import type { Handler } from '../dispatcher.js';

export const handleSearch: Handler<'search'> = async (body, { daemon }) => {
  const started = performance.now();
  const answer = await daemon.index.search.search(body);
  return {
    query: body.query,
    mode: answer.mode,
    took_ms: Math.round((performance.now() - started) * 1000) / 1000,
    pruned_terms: answer.prunedTerms,
    warnings: answer.warnings,
    results: answer.results,
  };
};
