import type { Handler } from '../dispatcher.js';

/** The search thread that answers also encodes the answer's frame; this only times it. */
export const handleSearch: Handler<'search'> = async (body, { daemon, requestId }) => {
  const started = performance.now();
  const answer = await daemon.index.search.search(body, performance.timeOrigin + started, requestId);
  daemon.metrics.search(answer.mode, (performance.now() - started) / 1000);
  return answer.frame;
};
