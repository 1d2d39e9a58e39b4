import { DaemonClient, type Document } from '@dindex/client';
import { replicated } from '../lib/corpus.js';
import { startBenchDaemon } from '../lib/daemon.js';
import { loadCollections } from '../lib/datasets.js';
import { percentiles, ratio, round } from '../lib/stats.js';

const CLIENTS = 64;
const DURATION_MS = 30_000;
/** Every client indexes one document after this many searches. */
const SEARCHES_PER_WRITE = 3;

/**
 * Sustained mixed load: 64 clients for 30 s, each searching with the collections' queries and
 * indexing a document after every three searches, against a daemon preloaded with one copy of
 * the collections. Throughput, latency of each kind of request, and the daemon's memory at the
 * start and the end; the baseline is the same searches from one client on the idle daemon.
 */
export async function load(): Promise<Record<string, unknown>> {
  const collections = loadCollections();
  const queries = collections.flatMap((c) => c.queries.map((q) => q.text));
  const documents = [...replicated(collections, 4)];
  const daemon = await startBenchDaemon();
  const admin = await DaemonClient.connect({ socket: daemon.socket, timeoutMs: 0 });
  try {
    await admin.index(replicated(collections, 1, 100));
    const idle: number[] = [];
    for (const q of queries.slice(0, 200)) {
      const t0 = performance.now();
      await admin.search(q, { k: 10 });
      idle.push(performance.now() - t0);
    }
    const rssStart = (await admin.status()).memory.rss;

    const searches: number[] = [];
    const writes: number[] = [];
    let failures = 0;
    let next = 0;
    const deadline = performance.now() + DURATION_MS;
    const client = async (c: number): Promise<void> => {
      const sdk = await DaemonClient.connect({ socket: daemon.socket, timeoutMs: 60_000 });
      try {
        for (let i = 0; performance.now() < deadline; i++) {
          const t0 = performance.now();
          try {
            if (i % (SEARCHES_PER_WRITE + 1) === SEARCHES_PER_WRITE) {
              await sdk.index([documents[next++ % documents.length] as Document]);
              writes.push(performance.now() - t0);
            } else {
              await sdk.search(queries[(c * 31 + i) % queries.length]!, { k: 10 });
              searches.push(performance.now() - t0);
            }
          } catch {
            failures++;
          }
        }
      } finally {
        sdk.close();
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)));
    const seconds = (performance.now() - started) / 1000;
    const status = await admin.status();
    const idleLatency = percentiles(idle);
    const searchLatency = percentiles(searches);
    const writeLatency = percentiles(writes);
    return {
      clients: CLIENTS,
      seconds: round(seconds, 1),
      failures,
      searches_per_s: Math.round(searches.length / seconds),
      documents_written_per_s: Math.round(writes.length / seconds),
      search_ms: { p50: searchLatency.p50, p99: searchLatency.p99 },
      index_request_ms: { p50: writeLatency.p50, p99: writeLatency.p99 },
      idle_search_ms: { p50: idleLatency.p50, p99: idleLatency.p99 },
      ratio_search_p99_vs_idle: ratio(searchLatency.p99, idleLatency.p99),
      daemon_rss_mib: { start: Math.round(rssStart / 2 ** 20), end: Math.round(status.memory.rss / 2 ** 20) },
    };
  } finally {
    admin.close();
    await daemon.stop();
  }
}
