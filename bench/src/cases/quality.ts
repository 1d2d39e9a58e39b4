import { DaemonClient } from '@dindex/client';
import { startBenchDaemon } from '../lib/daemon.js';
import { loadCollections, type Collection } from '../lib/datasets.js';
import { distinctDocuments, evaluate, type QualityFigures } from '../lib/metrics.js';

/** Chunks asked for per query: enough for 100 distinct documents in practice. */
const CHUNKS_PER_QUERY = 300;

export async function rankAll(client: DaemonClient, c: Collection, options: { exact?: boolean; idOf?: (docId: string) => string } = {}):
  Promise<Array<{ ranked: string[]; gains: Map<string, number> }>> {
  const runs = [];
  for (const q of c.queries) {
    const gains = c.qrels.get(q.id);
    if (!gains) continue;
    const answer = await client.search(q.text, { k: CHUNKS_PER_QUERY, ...(options.exact ? { exact: true } : {}) });
    const ids = answer.results.map((r) => (options.idOf ? options.idOf(r.doc_id) : r.doc_id));
    runs.push({ ranked: distinctDocuments(ids), gains });
  }
  return runs;
}

/**
 * BM25 quality on CISI, Cranfield and MEDLINE, through the real daemon: nDCG@10, MAP and
 * recall@100 over the judged queries, with the default search and with `exact` (every match
 * scored), so any effect of common-term pruning shows.
 */
export async function quality(): Promise<Record<string, unknown>> {
  const out: Record<string, { default: QualityFigures; exact: QualityFigures; documents: number; chunks: number }> = {};
  for (const c of loadCollections()) {
    const daemon = await startBenchDaemon();
    const client = await DaemonClient.connect({ socket: daemon.socket });
    try {
      const summary = await client.index(c.docs.map((d) => ({ id: d.id, source: `${c.name}/${d.id}`, title: d.title, text: d.text })));
      out[c.name] = {
        documents: summary.documents,
        chunks: summary.chunks,
        default: evaluate(await rankAll(client, c)),
        exact: evaluate(await rankAll(client, c, { exact: true })),
      };
    } finally {
      client.close();
      await daemon.stop();
    }
  }
  return out;
}
