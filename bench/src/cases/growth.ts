import { DaemonClient } from '@dindex/client';
import { originalOf, replicated, scattered } from '../lib/corpus.js';
import { startBenchDaemon, untilMerged } from '../lib/daemon.js';
import { loadCollections, type Collection } from '../lib/datasets.js';
import { distinctDocuments, evaluate } from '../lib/metrics.js';
import { inProcessSearcher, timedPair } from '../lib/search-pairs.js';
import { percentiles, ratio, round } from '../lib/stats.js';

const CHECKPOINTS = [10_000, 100_000, 1_000_000];
/**
 * The ingest rate at a checkpoint is measured over its second half (5k–10k, 50k–100k, 500k–1M):
 * FTS5's merges grow with the index, so a window of the same share holds the same merges; the
 * last 100k before 1M held the merge of nearly the whole index in some runs and not in others.
 */
const RATE_WINDOW_SHARE = 0.5;
/** At 1M, also the rate over the last 100k chunks, the window of runs before 2026-12-04. */
const LAST_WINDOW_CHUNKS = 100_000;
/** Chunks of scattered ids indexed after the 100k and 1M checkpoints' searches, for their own rate. */
const SCATTERED_CHUNKS = 50_000;
/** As many as `ingest-search` runs: a p99 of 300 is the third slowest, which one hiccup of this VM sets. */
const SEARCHES = 1_000;
/** Judged queries re-run with `exact` at each size, to show what scoring common terms late costs. */
const QUALITY_QUERIES = 40;

/**
 * Growth: one daemon is fed the replicated collections through the SDK up to 1M chunks, each
 * copy under its own prefix, as a folder or a dump adds documents. At 10k, 100k and 1M chunks:
 * the ingest rate over the second half of the way there, then, once the idle merge has left one
 * segment, search latency with the collections' own (long, common-word heavy) queries, beside
 * the same searches in-process on the same index, and nDCG@10 of the default search against
 * `exact` on a sample of judged queries. After 100k and 1M, the rate of documents whose
 * ids scatter among those indexed (each insert on its own page of the id index, which is what
 * grows with the index then), so that both orders are seen. Identical replicas would fill any
 * result list, so quality is measured among the first copy (a metadata filter), with term
 * statistics and the choice of late terms from the whole index.
 */
export async function growth(): Promise<Record<string, unknown>> {
  const collections = loadCollections();
  const queries = collections.flatMap((c) => c.queries.map((q) => q.text));
  const daemon = await startBenchDaemon();
  const client = await DaemonClient.connect({ socket: daemon.socket, timeoutMs: 0 });
  const figures: Record<string, unknown> = {};
  try {
    let chunks = 0;
    const marks: Array<{ chunks: number; t: number }> = [{ chunks: 0, t: performance.now() }];
    let copy = 0;
    let scatteredRound = 0;
    for (const target of CHECKPOINTS) {
      while (chunks < target) {
        // One copy of the three collections per stream: about 5,500 chunks.
        const summary = await client.index(replicated(collections, 1, copy++));
        chunks += summary.chunks;
        marks.push({ chunks, t: performance.now() });
      }
      const rate = rateOver(marks, RATE_WINDOW_SHARE * target);
      const lastWindowRate = target > LAST_WINDOW_CHUNKS ? Math.round(rateOver(marks, LAST_WINDOW_CHUNKS)) : undefined;
      const settle = await untilMerged(client);
      const samples: number[] = [];
      const direct: number[] = [];
      const took: number[] = [];
      const late: number[] = [];
      const searcher = inProcessSearcher(daemon.home);
      try {
        for (let i = 0; i < SEARCHES; i++) {
          const query = queries[(i * 7) % queries.length]!;
          const { answer, socketMs, directMs } = await timedPair(i, () => client.search(query, { k: 10 }), () => searcher.search(query, 10));
          samples.push(socketMs);
          direct.push(directMs);
          took.push(answer.took_ms);
          late.push(answer.pruned_terms.length);
        }
      } finally {
        searcher.close();
      }
      const latency = percentiles(samples);
      const inProcess = percentiles(direct);
      const inDaemon = percentiles(took);
      const quality = await qualitySample(client, collections);
      const measuredAt = chunks;
      let scatteredRate: number | undefined;
      if (target >= 100_000) {
        const started = performance.now();
        let added = 0;
        while (added < SCATTERED_CHUNKS) added += (await client.index(scattered(collections, copy, scatteredRound++))).chunks;
        chunks += added;
        scatteredRate = Math.round(added / ((performance.now() - started) / 1000));
      }
      figures[`${target}`] = {
        chunks: measuredAt,
        ingest_chunks_per_s: Math.round(rate),
        ingest_last_100k_chunks_per_s: lastWindowRate,
        segments_before_merge: settle.segments,
        merge_wait_s: settle.seconds,
        search: { p50_ms: latency.p50, p90_ms: latency.p90, p99_ms: latency.p99 },
        // The same searches in this process on the same index: what the machine gave at the time.
        search_in_process: { p50_ms: inProcess.p50, p90_ms: inProcess.p90, p99_ms: inProcess.p99 },
        // The daemon's own took_ms: from the request's arrival to its encoded answer.
        search_in_daemon: { p50_ms: inDaemon.p50, p90_ms: inDaemon.p90, p99_ms: inDaemon.p99 },
        mean_late_terms: round(late.reduce((a, b) => a + b, 0) / late.length, 2),
        quality_sample: quality,
        ingest_scattered_ids_chunks_per_s: scatteredRate,
      };
    }
    type Checkpoint = { ingest_chunks_per_s: number; ingest_last_100k_chunks_per_s: number; ingest_scattered_ids_chunks_per_s: number; search: { p99_ms: number } };
    const at100k = figures['100000'] as Checkpoint;
    const at1m = figures['1000000'] as Checkpoint;
    return {
      checkpoints: figures,
      ingest_ratio_1m_vs_100k: ratio(at1m.ingest_chunks_per_s, at100k.ingest_chunks_per_s),
      ingest_last_100k_ratio_1m_vs_100k: ratio(at1m.ingest_last_100k_chunks_per_s, at100k.ingest_chunks_per_s),
      ingest_scattered_ids_ratio_1m_vs_100k: ratio(at1m.ingest_scattered_ids_chunks_per_s, at100k.ingest_scattered_ids_chunks_per_s),
      goals: {
        ingest_at_1m_at_least_0_8_of_100k: at1m.ingest_chunks_per_s >= 0.8 * at100k.ingest_chunks_per_s,
        search_p99_at_1m_under_20ms: at1m.search.p99_ms < 20,
      },
    };
  } finally {
    client.close();
    await daemon.stop();
  }
}

/** Chunks per second over the last `window` chunks of the marks (from the last mark at or before its start). */
function rateOver(marks: Array<{ chunks: number; t: number }>, window: number): number {
  const last = marks.at(-1)!;
  const start = [...marks].reverse().find((m) => m.chunks <= last.chunks - window) ?? marks[0]!;
  return (last.chunks - start.chunks) / ((last.t - start.t) / 1000);
}

/** nDCG@10 over a fixed sample of judged queries, default search against `exact`. */
async function qualitySample(client: DaemonClient, collections: Collection[]): Promise<Record<string, number>> {
  const sample = collections.flatMap((c) => c.queries.filter((q) => c.qrels.has(q.id)).map((q) => ({ c, q })))
    .filter((_, i) => i % 8 === 0).slice(0, QUALITY_QUERIES);
  const run = async (exact: boolean): Promise<{ ndcg: number; ms: number }> => {
    const runs = [];
    const started = performance.now();
    for (const { c, q } of sample) {
      const answer = await client.search(q.text, { k: 200, filter: { metadata: { copy: 0 } }, ...(exact ? { exact: true } : {}) });
      const ranked = distinctDocuments(answer.results.map((r) => originalOf(r.doc_id)).filter((o) => o.collection === c.name).map((o) => o.id));
      runs.push({ ranked, gains: c.qrels.get(q.id)! });
    }
    return { ndcg: evaluate(runs).ndcg_at_10, ms: (performance.now() - started) / sample.length };
  };
  const byDefault = await run(false);
  const exact = await run(true);
  return {
    queries: sample.length,
    ndcg_at_10_default: byDefault.ndcg,
    ndcg_at_10_exact: exact.ndcg,
    mean_ms_default: round(byDefault.ms, 1),
    mean_ms_exact: round(exact.ms, 1),
  };
}
