import type { Handler } from '../dispatcher.js';

export const handleSearch: Handler<'search'> = async (body, { daemon }) => {
  const started = performance.now();
  const answer = await daemon.index.search.search(body);
  const ms = performance.now() - started;
  daemon.metrics.search(answer.mode, ms / 1000);
  return {
    query: body.query,
    mode: answer.mode,
    took_ms: Math.round(ms * 1000) / 1000,
    pruned_terms: answer.prunedTerms,
    warnings: answer.warnings,
    results: answer.results,
  };
};
