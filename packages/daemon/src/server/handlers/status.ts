import { PROTOCOL_VERSION } from '@dindex/protocol';
import type { EmbeddingProvider, EmbeddingStatus } from '@dindex/protocol';
import type { EmbedderState } from '../../pipeline/writer-messages.js';
import type { Handler } from '../dispatcher.js';

function embeddingStatus(state: EmbedderState | null, provider: EmbeddingProvider, stats: { vectors_pending: number; vectors_refused: number }): EmbeddingStatus {
  const counts = { pending: stats.vectors_pending, refused: stats.vectors_refused };
  if (!state) return { provider, model: null, dimensions: null, available: false, last_error: null, ...counts, mismatch: null };
  return { provider, ...state, ...counts };
}

export const handleStatus: Handler<'status'> = (_body, { daemon }) => {
  const memory = process.memoryUsage();
  const load = daemon.load();
  return {
    running: true,
    state: daemon.state(),
    pid: daemon.pid,
    version: daemon.version,
    protocol: PROTOCOL_VERSION,
    socket: daemon.paths.socket,
    home: daemon.paths.home,
    config: daemon.paths.config,
    started_at: daemon.startedAt.toISOString(),
    uptime_s: Math.round((Date.now() - daemon.startedAt.getTime()) / 100) / 10,
    memory: { rss: memory.rss, heap_used: memory.heapUsed, heap_total: memory.heapTotal, external: memory.external },
    connections: load.connections,
    inflight: load.inflight,
    pipeline: daemon.index.pipeline.status(),
    embedding: embeddingStatus(daemon.index.pipeline.embedder, daemon.index.pipeline.embeddingProvider, daemon.index.search.searcher.stats()),
    vector_index: daemon.index.vectors.status(),
    jobs: daemon.index.jobs.counts(),
    metrics_url: daemon.metricsUrl(),
  };
};
