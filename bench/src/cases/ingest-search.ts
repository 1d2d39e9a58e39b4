import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { DaemonClient } from '@dindex/client';
import { encodeFrame, FRAME_HEADER_BYTES, type ResponseBody } from '@dindex/protocol';
import { ConfigSchema, databasePath, openWriter } from '@dindex/daemon';
import { runCliJson } from '../lib/cli.js';
import { replicated, writeFiles } from '../lib/corpus.js';
import { startBenchDaemon, untilMerged } from '../lib/daemon.js';
import { loadCollections } from '../lib/datasets.js';
import { startRawServer } from '../lib/raw-server.js';
import { inProcessSearcher, searchesAnswered, timedPair } from '../lib/search-pairs.js';
import { percentiles, ratio, round } from '../lib/stats.js';

const TARGET_CHUNKS = 100_000;
/** Chunks per copy of the three collections at the default chunk size (measured by `quality`). */
const CHUNKS_PER_COPY = 5_520;
const SEARCHES = 1_000;

/**
 * Ingest: the CLI indexes a folder of Markdown files (the collections, replicated past 100,000
 * chunks) over the socket; baseline: the same chunks bulk-inserted into the same schema
 * in-process with better-sqlite3. Search: the collections' queries over the socket, against the
 * same search run in-process on the same database, and beside the floor of such round trips on
 * this machine (a raw server that only waits as long and answers as many bytes); again with the
 * search threads answering all (the daemon, idle, answers a lone client on its event loop); then
 * while a second import runs.
 */
export async function ingestSearch(): Promise<Record<string, unknown>> {
  const collections = loadCollections();
  const queries = collections.flatMap((c) => c.queries.map((q) => q.text));
  const copies = Math.ceil(TARGET_CHUNKS / CHUNKS_PER_COPY);
  const daemon = await startBenchDaemon();
  const filesDir = path.join(daemon.dir, 'files');
  const moreDir = path.join(daemon.dir, 'more');
  try {
    const files = writeFiles(filesDir, replicated(collections, copies));
    writeFiles(moreDir, replicated(collections, copies, copies));
    // The 600 MB just written are flushed first, so that their writeback does not share the disk
    // with the import's commits (the import took 12.4-12.6 s without this, 11.6-12.0 s with it).
    execFileSync('sync');

    const started = performance.now();
    const summary = await runCliJson(daemon.socket, daemon.home, ['index', filesDir]);
    const seconds = (performance.now() - started) / 1000;
    const ingest = {
      files,
      documents: summary.documents!,
      chunks: summary.chunks!,
      seconds: round(seconds, 2),
      documents_per_s: Math.round(summary.documents! / seconds),
      chunks_per_s: Math.round(summary.chunks! / seconds),
    };
    // The daemon's idle merge first: the direct insert must not share the cores with it.
    const client = await DaemonClient.connect({ socket: daemon.socket });
    const merge = await untilMerged(client);
    const direct = directBulkInsert(databasePath(daemon.home), path.join(daemon.dir, 'direct.db'));

    const searcher = inProcessSearcher(daemon.home);
    const floor = await startFloorServer(path.join(daemon.dir, 'floor.sock'));
    // Each query both ways in turn, so that caches and machine load treat both alike: first as
    // the daemon answers a lone client, then with an empty index stream held open on a second
    // connection, so that the search threads answer every search, as during an import.
    const pairs = async (): Promise<TimedPairs> => {
      const before = await searchesAnswered(client);
      const samples = await timeSearchPairs(queries, (q) => client.search(q, { k: 10 }), (q) => searcher.search(q, 10), floor.roundTrip);
      const after = await searchesAnswered(client);
      return { ...samples, answered: { event_loop: after.event_loop - before.event_loop, threads: after.threads - before.threads } };
    };
    let idle: TimedPairs;
    let inThreads: TimedPairs;
    try {
      idle = await pairs();
      inThreads = await withIndexStreamOpen(daemon.socket, pairs);
    } finally {
      floor.close();
      searcher.close();
    }
    const { socket: overSocket, direct: inProcess, floor: floorSamples } = idle;

    // The same searches while the CLI imports a second copy at full speed.
    let importing = true;
    const second = runCliJson(daemon.socket, daemon.home, ['index', moreDir]).finally(() => {
      importing = false;
    });
    const during: number[] = [];
    let failed = 0;
    for (let i = 0; importing; i++) {
      const t0 = performance.now();
      await client.search(queries[i % queries.length]!, { k: 10 }).catch(() => failed++);
      during.push(performance.now() - t0);
    }
    const secondSummary = await second;
    client.close();

    const socketStats = percentiles(overSocket.map((s) => s.ms));
    const directStats = percentiles(inProcess);
    const floorInline = percentiles(floorSamples.map((f) => f.inline));
    const floorThread = percentiles(floorSamples.map((f) => f.thread));
    const duringStats = percentiles(during);
    return {
      ingest: {
        ...ingest,
        direct_insert_chunks_per_s: direct.chunksPerSecond,
        ratio_vs_direct: ratio(ingest.chunks_per_s, direct.chunksPerSecond),
        goal_at_least_0_7: ingest.chunks_per_s >= 0.7 * direct.chunksPerSecond,
      },
      search: {
        chunks: ingest.chunks,
        segments_before_merge: merge.segments,
        merge_wait_s: merge.seconds,
        queries: SEARCHES,
        ...pairFigures(idle),
        all_in_search_threads: pairFigures(inThreads),
        // The least the same round trips cost on this machine, with no dindex code in them.
        transport_floor: {
          inline: { p50_ms: floorInline.p50, p99_ms: floorInline.p99 },
          thread: { p50_ms: floorThread.p50, p99_ms: floorThread.p99 },
        },
        goal_within_10pct_plus_0_2ms: socketStats.p50 <= directStats.p50 * 1.1 + 0.2 && socketStats.p99 <= directStats.p99 * 1.1 + 0.2,
      },
      search_during_ingest: {
        searches: during.length,
        failed,
        concurrent_ingest_chunks_per_s: Math.round(secondSummary.chunks! / (secondSummary.took_ms! / 1000)),
        idle: { p50_ms: socketStats.p50, p99_ms: socketStats.p99 },
        during: { p50_ms: duringStats.p50, p99_ms: duringStats.p99 },
        ratio_p99_vs_idle: ratio(duringStats.p99, socketStats.p99),
        goal_p99_at_most_3x: duringStats.p99 <= 3 * socketStats.p99,
      },
    };
  } finally {
    fs.rmSync(filesDir, { recursive: true, force: true });
    fs.rmSync(moreDir, { recursive: true, force: true });
    await daemon.stop();
  }
}

type FloorRoundTrip = (ms: number, bytes: number, inThread: boolean) => Promise<void>;

/**
 * Each query over the socket and in-process in turn. A socket search keeps both its round trip
 * and the daemon's own `took_ms` (from the request's arrival to its encoded answer): the
 * difference is the socket and the client, the rest the daemon's search thread. Then the floor
 * server does the same: as long as the in-process search took, an answer as large, inline and
 * in its thread; its round trip beyond that time is the floor.
 */
async function timeSearchPairs(queries: string[], overSocket: (q: string) => Promise<ResponseBody<'search'>>,
  inProcess: (q: string) => void, floorRoundTrip: FloorRoundTrip):
  Promise<{ socket: Array<{ ms: number; tookMs: number }>; direct: number[]; floor: Array<{ inline: number; thread: number }> }> {
  const socket: Array<{ ms: number; tookMs: number }> = [];
  const direct: number[] = [];
  const floor: Array<{ inline: number; thread: number }> = [];
  const timeFloor = async (ms: number, bytes: number, inThread: boolean): Promise<number> => {
    const t0 = performance.now();
    await floorRoundTrip(ms, bytes, inThread);
    return performance.now() - t0 - ms;
  };
  for (let i = 0; i < SEARCHES + 50; i++) {
    const query = queries[i % queries.length]!;
    const { answer, socketMs, directMs: d } = await timedPair(i, () => overSocket(query), () => inProcess(query));
    const s = { ms: socketMs, tookMs: answer.took_ms };
    const bytes = encodeFrame({ kind: 'res', id: 1, ok: true, body: answer }).length - FRAME_HEADER_BYTES;
    const inline = await timeFloor(d, bytes, false);
    const thread = await timeFloor(d, bytes, true);
    if (i >= 50) {
      socket.push(s);
      direct.push(d);
      floor.push({ inline, thread });
    }
  }
  return { socket, direct, floor };
}

type TimedPairs = Awaited<ReturnType<typeof timeSearchPairs>> & { answered: { event_loop: number; threads: number } };

/** A run of pairs: over the socket, the daemon's own `took_ms`, in-process, the difference, and where the daemon answered. */
function pairFigures({ socket, direct, answered }: TimedPairs): Record<string, unknown> {
  const overSocket = percentiles(socket.map((s) => s.ms));
  const inDaemon = percentiles(socket.map((s) => s.tookMs));
  const inProcess = percentiles(direct);
  return {
    socket: { p50_ms: overSocket.p50, p99_ms: overSocket.p99 },
    in_daemon: { p50_ms: inDaemon.p50, p99_ms: inDaemon.p99 },
    in_process: { p50_ms: inProcess.p50, p99_ms: inProcess.p99 },
    // Of the socket searches, the 50 unrecorded included.
    answered,
    overhead_p50_ms: round(overSocket.p50 - inProcess.p50),
    overhead_p99_ms: round(overSocket.p99 - inProcess.p99),
  };
}

/** `work` while an empty index stream is open on a connection of its own: the search threads then answer every search. */
async function withIndexStreamOpen<T>(socket: string, work: () => Promise<T>): Promise<T> {
  const streamer = await DaemonClient.connect({ socket });
  const stream = await streamer.beginIndex();
  try {
    return await work();
  } finally {
    await stream.end();
    streamer.close();
  }
}

/** The floor server (`search-floor-server.ts`) in its own process, and round trips to it. */
async function startFloorServer(socketPath: string): Promise<{ roundTrip: FloorRoundTrip; close(): void }> {
  const { socket, stop } = await startRawServer(new URL('./search-floor-server.js', import.meta.url), socketPath);
  let received = 0;
  let expected = 0;
  let answered: () => void = () => {};
  socket.on('data', (chunk) => {
    received += chunk.length;
    if (received >= expected) answered();
  });
  return {
    roundTrip: (ms, bytes, inThread) => new Promise((resolve) => {
      received = 0;
      expected = FRAME_HEADER_BYTES + bytes;
      answered = resolve;
      const request = Buffer.alloc(13);
      request.writeDoubleBE(ms, 0);
      request.writeUInt32BE(bytes, 8);
      request[12] = inThread ? 1 : 0;
      socket.write(request);
    }),
    close: stop,
  };
}

/** The chunks dindex stored, inserted again directly: documents, chunks and FTS5, in commit-sized transactions. */
function directBulkInsert(source: string, target: string): { chunksPerSecond: number } {
  const from = new Database(source, { readonly: true });
  const docs = from.prepare('SELECT rowid, id, source, title, content_hash, metadata, chunk_count FROM documents').all() as Array<Record<string, unknown>>;
  const chunks = from.prepare('SELECT doc_rowid, position, title, heading, text FROM chunks ORDER BY rowid').all() as Array<Record<string, unknown>>;
  from.close();
  const db = openWriter(target);
  const insertDoc = db.prepare(`INSERT INTO documents (rowid, id, source, title, content_hash, metadata, chunk_count, commit_seq, indexed_at)
    VALUES (@rowid, @id, @source, @title, @content_hash, @metadata, @chunk_count, 1, 0)`);
  const insertChunk = db.prepare('INSERT INTO chunks (doc_rowid, position, title, heading, text) VALUES (@doc_rowid, @position, @title, @heading, @text)');
  const started = performance.now();
  db.transaction(() => docs.forEach((d) => insertDoc.run(d)))();
  // Transactions as large as the daemon's default commit batch.
  const batch = ConfigSchema.parse({}).index.batch_size;
  for (let i = 0; i < chunks.length; i += batch) {
    db.transaction(() => chunks.slice(i, i + batch).forEach((c) => insertChunk.run(c)))();
  }
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return { chunksPerSecond: Math.round(chunks.length / seconds) };
}
