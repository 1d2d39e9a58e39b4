import { setImmediate as yieldToEvents, setTimeout as sleep } from 'node:timers/promises';
import { parentPort, workerData } from 'node:worker_threads';
import usearch, { type Index, type ScalarKind } from 'usearch';
import type { VectorIndexStatus } from '@dindex/protocol';
import { openReader } from '../index/database.js';
import type { ToVectorIndex, VectorUpdate } from '../pipeline/writer-messages.js';
import { checkSnapshot, snapshotPaths, writeSnapshot, type SnapshotShape } from './hnsw-snapshot.js';
import type { ToVectorWorker, VectorWorkerData, VectorWorkerEvent } from './vector-messages.js';

/**
 * The vector index thread: an HNSW index (usearch) derived from the vectors in SQLite. At start
 * it loads the saved file if it matches the database exactly, or rebuilds from SQLite. It then
 * applies each commit's changes, a slice at a time, so searches are answered in between and
 * never wait for a whole commit's inserts. The file is saved after changes, at most every
 * `save_interval_ms`, and at stop.
 */
const { databaseFile, home, config, updates } = workerData as VectorWorkerData;
const send = (message: VectorWorkerEvent): void => parentPort!.postMessage(message);
const log = (level: 'info' | 'warn' | 'error', message: string, data?: Record<string, unknown>): void => send({ op: 'log', level, message, ...(data ? { data } : {}) });

/** Vectors added between two turns of the event loop (a few ms of work). */
const SLICE = 64;
/** Rows read per page while rebuilding. */
const PAGE = 2048;
/**
 * A search asked after a commit that changed vectors waits for this thread to apply that
 * commit, so that what was just indexed is found — when that is at most this many vectors
 * away, and for at most this long. Behind a large import it answers from the index as it is.
 */
const WAIT_FOR_VECTORS = 256;
const MAX_WAIT_MS = 500;

const paths = snapshotPaths(home);
const db = openReader(databaseFile);
const readMeta = db.prepare<[string], { value: number | string | null }>('SELECT value FROM meta WHERE key = ?');
const selectPage = db.prepare<[number, number], { chunk_id: number; vector: Buffer }>(
  'SELECT chunk_id, vector FROM vectors WHERE chunk_id > ? ORDER BY chunk_id LIMIT ?');

let index: Index | null = null;
let dimensions: number | null = null;
const status: VectorIndexStatus = { state: 'building', size: 0, built: 0, total: 0, applied_seq: 0 };
const queue: VectorUpdate[] = [];
/** Vectors received but not yet in the index. */
let backlog = 0;
/** Searches waiting for a commit to be applied. */
const waiting: Array<{ afterSeq: number; answer: () => void; timer: NodeJS.Timeout }> = [];
let applying = false;
let dirty = false;
let saveTimer: NodeJS.Timeout | null = null;
let closing = false;
let writerEnded = false;
let onWriterEnd: () => void = () => {};

function indexSize(): number {
  return index?.size() ?? 0;
}

function meta(key: string): number | string | null {
  return readMeta.get(key)?.value ?? null;
}

function createIndex(dims: number): Index {
  return new usearch.Index({
    dimensions: dims,
    metric: usearch.MetricKind.Cos,
    quantization: config.quantization as ScalarKind,
    connectivity: config.connectivity,
    expansion_add: config.expansion_add,
    expansion_search: config.expansion_search,
    multi: false,
  });
}

function shape(): SnapshotShape {
  return {
    seq: status.applied_seq,
    size: indexSize(),
    dimensions: dimensions ?? 0,
    quantization: config.quantization,
    connectivity: config.connectivity,
  };
}

function publish(): void {
  status.size = indexSize();
  send({ op: 'state', state: { ...status } });
  // After a load or a rebuild, the commits searches wait for may be in.
  answerWaiting();
}

/** Adds vectors (flat, `dimensions` apart) a slice at a time; a key already present is replaced. */
async function addAll(ids: number[], flat: Float32Array): Promise<void> {
  if (ids.length === 0) return;
  const dims = flat.length / ids.length;
  if (!index) {
    dimensions = dims;
    index = createIndex(dims);
  }
  for (let start = 0; start < ids.length; start += SLICE) {
    const keys = BigUint64Array.from(ids.slice(start, start + SLICE), (id) => BigInt(id));
    const present = keys.filter((key) => index!.contains(key) as boolean);
    if (present.length > 0) index.remove(present);
    index.add(keys, flat.subarray(start * dims, (start + keys.length) * dims), 1);
    await yieldToEvents();
  }
}

/** Loads the saved index if it is exactly what SQLite holds; otherwise rebuilds it. */
async function open(): Promise<void> {
  // One read transaction: the writer may commit between separate reads.
  const expected: SnapshotShape = db.transaction(() => ({
    seq: Number(meta('vectors_seq') ?? 0),
    size: Number(meta('vectors') ?? 0),
    dimensions: Number(meta('embedding_dimensions') ?? 0),
    quantization: config.quantization,
    connectivity: config.connectivity,
  }))();
  if (expected.size === 0) {
    status.applied_seq = expected.seq;
    status.state = 'ready';
    return;
  }
  const problem = await checkSnapshot(paths, expected);
  if (problem === null) {
    dimensions = expected.dimensions;
    index = createIndex(expected.dimensions);
    index.load(paths.file);
    status.applied_seq = expected.seq;
    status.state = 'ready';
    log('info', 'vector index loaded', { vectors: index.size(), seq: expected.seq });
    return;
  }
  log('warn', `rebuilding the vector index from the database: ${problem}`, { vectors: expected.size });
  await rebuild();
}

/** Reads every vector in one snapshot of the database, so its commit sequence is exact. */
async function rebuild(): Promise<void> {
  const started = performance.now();
  let lastReport = started;
  index = null;
  db.exec('BEGIN');
  try {
    status.applied_seq = Number(meta('vectors_seq') ?? 0);
    status.total = Number(meta('vectors') ?? 0);
    status.built = 0;
    publish();
    let cursor = 0;
    for (;;) {
      if (closing) return;
      const rows = selectPage.all(cursor, PAGE);
      if (rows.length === 0) break;
      cursor = rows.at(-1)!.chunk_id;
      const flat = new Float32Array(rows.reduce((n, r) => n + r.vector.byteLength / 4, 0));
      let offset = 0;
      for (const row of rows) {
        flat.set(new Float32Array(row.vector.buffer.slice(row.vector.byteOffset, row.vector.byteOffset + row.vector.byteLength)), offset);
        offset += row.vector.byteLength / 4;
      }
      await addAll(rows.map((r) => r.chunk_id), flat);
      status.built += rows.length;
      if (performance.now() - lastReport > 2000) {
        lastReport = performance.now();
        publish();
        log('info', 'rebuilding the vector index', { built: status.built, total: status.total });
      }
    }
  } finally {
    db.exec('COMMIT');
  }
  status.state = 'ready';
  dirty = true;
  log('info', 'vector index rebuilt', { vectors: indexSize(), seq: status.applied_seq, ms: Math.round(performance.now() - started) });
  await save();
}

async function apply(update: VectorUpdate): Promise<void> {
  // Already part of what was loaded or rebuilt.
  if (update.seq <= status.applied_seq) {
    backlog -= update.addedIds.length;
    return;
  }
  if (update.reset) {
    index = null;
    dimensions = null;
  }
  if (index && update.removed.length > 0) {
    const keys = BigUint64Array.from(update.removed, (id) => BigInt(id)).filter((key) => index!.contains(key) as boolean);
    if (keys.length > 0) index.remove(keys);
  }
  await addAll(update.addedIds, update.added);
  backlog -= update.addedIds.length;
  status.applied_seq = update.seq;
  answerWaiting();
  dirty = true;
  saveTimer ??= setTimeout(() => void save(), config.save_interval_ms);
}

async function drain(): Promise<void> {
  if (applying || status.state !== 'ready') return;
  applying = true;
  try {
    while (queue.length > 0) await apply(queue.shift()!);
  } finally {
    applying = false;
  }
  publish();
}

async function save(): Promise<void> {
  if (saveTimer) clearTimeout(saveTimer);
  saveTimer = null;
  if (!dirty || status.state !== 'ready') return;
  if (applying) {
    // Half an update in the file would not match any commit: save between updates.
    saveTimer = setTimeout(() => void save(), 50);
    return;
  }
  dirty = false;
  const current = index;
  try {
    if (current) await writeSnapshot(paths, shape(), (file) => current.save(file));
  } catch (err) {
    dirty = true;
    log('error', `could not save the vector index: ${(err as Error).message}`);
  }
}

updates.on('message', (message: ToVectorIndex) => {
  if (message.op === 'end') {
    writerEnded = true;
    onWriterEnd();
    return;
  }
  queue.push(message);
  backlog += message.addedIds.length;
  void drain();
});

/** Answers the searches whose commit is now applied. */
function answerWaiting(): void {
  for (let i = waiting.length - 1; i >= 0; i--) {
    const search = waiting[i]!;
    if (search.afterSeq > status.applied_seq) continue;
    waiting.splice(i, 1);
    clearTimeout(search.timer);
    search.answer();
  }
}

parentPort!.on('message', (message: ToVectorWorker) => {
  if (message.op === 'close') {
    void close();
    return;
  }
  if (message.op === 'rebuild') {
    void rebuildOnRequest();
    return;
  }
  if (status.state === 'ready' && message.afterSeq > status.applied_seq && backlog <= WAIT_FOR_VECTORS) {
    const search = { afterSeq: message.afterSeq, answer: () => answerSearch(message), timer: setTimeout(() => {
      waiting.splice(waiting.indexOf(search), 1);
      answerSearch(message);
    }, MAX_WAIT_MS) };
    waiting.push(search);
    return;
  }
  answerSearch(message);
});

function answerSearch(message: Extract<ToVectorWorker, { op: 'search' }>): void {
  if (status.state !== 'ready') {
    send({ op: 'search-failed', id: message.id, code: 'VECTOR_INDEX_BUILDING', message: `the vector index is being rebuilt (${status.built} of ${status.total} vectors); retry shortly, or search with --mode bm25` });
    return;
  }
  if (!index || index.size() === 0) {
    send({ op: 'matches', id: message.id, chunkIds: [], distances: [] });
    return;
  }
  const matches = index.search(message.vector, Math.min(message.k, index.size()), 1);
  send({ op: 'matches', id: message.id, chunkIds: Array.from(matches.keys, Number), distances: Array.from(matches.distances) });
}

/** `dindex doctor --repair` found the index out of step with SQLite. */
async function rebuildOnRequest(): Promise<void> {
  await opened;
  if (status.state !== 'ready') return;
  status.state = 'building';
  while (applying) await sleep(5);
  log('warn', 'rebuilding the vector index from the database: asked to repair it');
  await rebuild();
  publish();
  await drain();
}

/** Applies what the writer sent before it closed (waiting for it a little), saves, and ends. */
async function close(): Promise<void> {
  closing = true;
  await opened;
  if (!writerEnded) {
    await Promise.race([new Promise<void>((resolve) => (onWriterEnd = resolve)), sleep(5000)]);
  }
  while (applying) await sleep(5);
  await drain();
  await save();
  db.close();
  send({ op: 'closed' });
  updates.close();
  parentPort!.close();
}

const opened = open().then(async () => {
  publish();
  await drain();
});
