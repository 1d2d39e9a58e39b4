import type { DaemonClient } from '@dindex/client';
import { waitFor } from './processes.js';

/**
 * Waits until every vector is embedded and the HNSW index holds exactly what SQLite holds: the
 * HNSW thread applies each commit's vectors after the commit, so a vector search right after
 * an index may not see them yet.
 */
export async function vectorIndexSettled(client: DaemonClient): Promise<{ vectors: number; size: number }> {
  let last = { vectors: -1, size: -2 };
  await waitFor(async () => {
    const [stats, status] = await Promise.all([client.stats(), client.status()]);
    last = { vectors: stats.vectors, size: status.vector_index.size };
    return stats.vectors_pending === 0 && status.vector_index.state === 'ready'
      && status.vector_index.applied_seq >= stats.vectors_seq && stats.vectors === status.vector_index.size;
  }, 30_000, 'the vector index to settle');
  return last;
}
