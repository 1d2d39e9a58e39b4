import { DaemonClient } from '@dindex/client';
import type { SearchMode } from '@dindex/protocol';
import { startBenchDaemon } from '../lib/daemon.js';
import { loadCollections, type Collection } from '../lib/datasets.js';
import { distinctDocuments, evaluate, type QualityFigures } from '../lib/metrics.js';

/** Chunks asked for per query: enough for 100 distinct documents in practice. */
const CHUNKS_PER_QUERY = 300;

export async function rankAll(client: DaemonClient, c: Collection, options: { exact?: boolean; mode?: SearchMode; idOf?: (docId: string) => string } = {}):
  Promise<Array<{ ranked: string[]; gains: Map<string, number> }>> {
  const runs = [];
  for (const q of c.queries) {
    const gains = c.qrels.get(q.id);
    if (!gains) continue;
    const answer = await client.search(q.text, { k: CHUNKS_PER_QUERY, ...(options.exact ? { exact: true } : {}), ...(options.mode ? { mode: options.mode } : {}) });
    const ids = answer.results.map((r) => (options.idOf ? options.idOf(r.doc_id) : r.doc_id));
    runs.push({ ranked: distinctDocuments(ids), gains });
  }
  return runs;
}

/**
 * Ranking quality on CISI, Cranfield and MEDLINE, through the real daemon with the builtin
 * embedder: nDCG@10, MAP and recall@100 over the judged queries for bm25 (default, and `exact`
 * with every match scored, so any effect of common-term pruning shows), vector, and hybrid
 * (RRF) with the vector signal at full and at a fraction of the weight.
 */
export async function quality(): Promise<Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const c of loadCollections()) {
    const figures: Record<string, unknown> = {};
    for (const weight of HYBRID_VECTOR_WEIGHTS) {
      const daemon = await startBenchDaemon(['--set', 'embedding.provider=builtin', '--set', `search.vector_weight=${weight}`]);
      const client = await DaemonClient.connect({ socket: daemon.socket });
      try {
        const summary = await client.index(c.docs.map((d) => ({ id: d.id, source: `${c.name}/${d.id}`, title: d.title, text: d.text })));
        if (weight === 1) {
          Object.assign(figures, {
            documents: summary.documents,
            chunks: summary.chunks,
            bm25: evaluate(await rankAll(client, c)),
            bm25_exact: evaluate(await rankAll(client, c, { exact: true })),
            vector: evaluate(await rankAll(client, c, { mode: 'vector' })),
          });
        }
        figures[`hybrid_vector_weight_${weight}`] = evaluate(await rankAll(client, c, { mode: 'hybrid' }));
      } finally {
        client.close();
        await daemon.stop();
      }
    }
    out[c.name] = figures;
  }
  return { embedder: 'builtin:hash-ngram-v1', rrf_k: 60, ...out };
}

/** RRF weights of the vector signal tried (bm25 at 1). */
const HYBRID_VECTOR_WEIGHTS = [1, 0.5, 0.25];
