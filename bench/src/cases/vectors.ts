import Database from 'better-sqlite3';
import usearch, { type Matches } from 'usearch';
import { DaemonClient, type Document } from '@dindex/client';
import { BuiltinEmbedder, ConfigSchema, databasePath, snapshotPaths } from '@dindex/daemon';
import { startBenchDaemon } from '../lib/daemon.js';
import { loadCollections, type Collection } from '../lib/datasets.js';
import { percentiles, ratio, round } from '../lib/stats.js';

const VECTORS = 100_000;
const DIMENSIONS = 384;
const WINDOW_WORDS = 40;
const K = 10;
const HNSW = ConfigSchema.parse({}).vectors;

/**
 * The HNSW index at 100,000 vectors of 384 dimensions (builtin embeddings of distinct
 * passages: 40-word windows over the three collections). Through the daemon: ingest with
 * embedding, the time for the HNSW index to take every vector, and vector search latency with
 * the collections' queries. Against exact brute force over the same vectors (usearch's exact
 * search, read straight from SQLite): recall@10, counting a result as found when it is at least
 * as near as the tenth exact neighbour (so ties do not count against it). In-process search of
 * the same HNSW file is the latency baseline.
 */
export async function vectors(): Promise<Record<string, unknown>> {
  const collections = loadCollections();
  const passages = [...windows(collections)].slice(0, VECTORS);
  const queries = collections.flatMap((c) => c.queries.map((q) => q.text));
  const daemon = await startBenchDaemon(['--set', 'embedding.provider=builtin', '--set', `embedding.dimensions=${DIMENSIONS}`]);
  const client = await DaemonClient.connect({ socket: daemon.socket, timeoutMs: 0 });
  const figures: Record<string, unknown> = {};
  try {
    const started = performance.now();
    const summary = await client.index(passages);
    const ingested = performance.now();
    let status = await client.status();
    while (status.vector_index.size < summary.chunks || status.vector_index.applied_seq < summary.commit_seq) {
      await new Promise((r) => setTimeout(r, 200));
      status = await client.status();
    }
    const indexed = performance.now();
    figures.build = {
      vectors: status.vector_index.size,
      dimensions: DIMENSIONS,
      ingest_with_embedding_chunks_per_s: Math.round(summary.chunks / ((ingested - started) / 1000)),
      hnsw_caught_up_s: round((indexed - started) / 1000, 1),
      hnsw_inserts_per_s: Math.round(summary.chunks / ((indexed - started) / 1000)),
      daemon_rss_mib: Math.round(status.memory.rss / 2 ** 20),
    };

    const roundTrips: number[] = [];
    const daemonIds: number[][] = [];
    for (const q of queries) {
      const t0 = performance.now();
      const answer = await client.search(q, { mode: 'vector', k: K });
      roundTrips.push(performance.now() - t0);
      daemonIds.push(answer.results.map((r) => r.chunk_id));
    }

    const embedder = new BuiltinEmbedder('builtin:hash-ngram-v1', DIMENSIONS);
    const queryVectors = queries.map((q) => embedder.embedOne(q));
    const { ids, matrix } = readVectors(daemon.home);
    const exactTimes: number[] = [];
    const tenths: number[] = [];
    for (const qv of queryVectors) {
      const t0 = performance.now();
      const exact = usearch.exactSearch(matrix, qv, DIMENSIONS, K, usearch.MetricKind.Cos) as Matches;
      exactTimes.push(performance.now() - t0);
      tenths.push(exact.distances[exact.distances.length - 1]!);
    }
    /** A hit counts when it is at least as near as the tenth exact neighbour. */
    const recall = (results: number[][]): number => round(results.reduce((sum, chunkIds, i) => {
      const found = chunkIds.filter((id) => {
        const row = ids.get(id);
        return row !== undefined && cosineDistance(queryVectors[i]!, matrix, row) <= tenths[i]! + 1e-6;
      });
      return sum + Math.min(found.length, K) / K;
    }, 0) / queries.length, 4);

    client.close();
    await daemon.halt();
    // The same HNSW file in-process, at several search expansions (a search-time setting).
    const inProcess: Record<string, unknown> = {};
    for (const expansion of [64, 128, 256]) {
      const index = new usearch.Index({
        dimensions: DIMENSIONS, metric: usearch.MetricKind.Cos, quantization: usearch.ScalarKind.F32,
        connectivity: HNSW.connectivity, expansion_add: HNSW.expansion_add, expansion_search: expansion, multi: false,
      });
      index.load(snapshotPaths(daemon.home).file);
      const times: number[] = [];
      const results = queryVectors.map((qv) => {
        const t0 = performance.now();
        const matches = index.search(qv, K, 1);
        times.push(performance.now() - t0);
        return Array.from(matches.keys, Number);
      });
      const latency = percentiles(times);
      inProcess[`expansion_search_${expansion}`] = { recall_at_10: recall(results), p50_ms: latency.p50, p99_ms: latency.p99 };
    }

    const socket = percentiles(roundTrips);
    const baseline = (inProcess[`expansion_search_${HNSW.expansion_search}`] as { p50_ms: number }).p50_ms;
    figures.search = {
      queries: queries.length,
      daemon: { expansion_search: HNSW.expansion_search, recall_at_10: recall(daemonIds), round_trip_p50_ms: socket.p50, round_trip_p99_ms: socket.p99 },
      in_process_hnsw: inProcess,
      exact_brute_force_p50_ms: percentiles(exactTimes).p50,
      ratio_p50_daemon_vs_in_process: ratio(socket.p50, baseline),
    };
  } finally {
    client.close();
    await daemon.stop();
  }
  return figures;
}

/** Distinct passages: 40-word windows every 5 words over every document. */
function* windows(collections: Collection[]): Generator<Document> {
  for (const c of collections) {
    for (const d of c.docs) {
      const words = `${d.title} ${d.text}`.split(/\s+/).filter(Boolean);
      for (let start = 0; start < Math.max(1, words.length - WINDOW_WORDS / 2); start += WINDOW_WORDS / 8) {
        const id = `${c.name}/${d.id}@${start}`;
        yield { id, source: id, text: words.slice(start, start + WINDOW_WORDS).join(' ') };
      }
    }
  }
}

/** Every stored vector, as one matrix, and each chunk id's row in it. */
function readVectors(home: string): { ids: Map<number, number>; matrix: Float32Array } {
  const db = new Database(databasePath(home), { readonly: true });
  try {
    const rows = db.prepare('SELECT chunk_id, vector FROM vectors ORDER BY chunk_id').all() as Array<{ chunk_id: number; vector: Buffer }>;
    const matrix = new Float32Array(rows.length * DIMENSIONS);
    const ids = new Map<number, number>();
    rows.forEach((row, i) => {
      matrix.set(new Float32Array(row.vector.buffer, row.vector.byteOffset, DIMENSIONS), i * DIMENSIONS);
      ids.set(row.chunk_id, i);
    });
    return { ids, matrix };
  } finally {
    db.close();
  }
}

function cosineDistance(query: Float32Array, matrix: Float32Array, row: number): number {
  let dot = 0;
  for (let i = 0; i < DIMENSIONS; i++) dot += query[i]! * matrix[row * DIMENSIONS + i]!;
  return 1 - dot;
}
