import { setTimeout as sleep } from 'node:timers/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { createEmbedder } from '../embedding/create-embedder.js';
import { configuredDimensions, describeMismatch, EmbedderError } from '../embedding/embedder.js';
import { EmbeddingService, embeddingText } from '../embedding/embedding-service.js';
import { openReader } from '../index/database.js';
import type { EmbeddedDocument, EmbedderData, EmbedderEvent, EmbedderState, ToEmbedder, ToWriter } from './writer-messages.js';
import { runInBackground } from '../thread-priority.js';

/**
 * The embedding thread, between the chunker and the writer: it holds the daemon's one
 * embedder, gives every chunk of a document batch its vector before the commit, and embeds
 * queries for the main thread. When the embedder fails, batches go on to the writer without
 * vectors (their chunks are committed as pending, BM25 indexing never waits for an outage), and
 * a background filler embeds the pending chunks once the embedder answers again.
 */
runInBackground();
const { settings, embedding, home, env, chunker, writer } = workerData as EmbedderData;
const toMain = (message: EmbedderEvent): void => parentPort!.postMessage(message);
const forward = (message: ToWriter): void => writer.postMessage(message);

const FILL_IDLE_MS = 1000;
const FILL_MAX_BACKOFF_MS = 30_000;

let service: EmbeddingService;
try {
  const embedder = await createEmbedder(embedding, home, env);
  if (!embedder) throw new Error('no embedder is configured');
  service = new EmbeddingService(embedder, embedding, null);
} catch (err) {
  toMain({ op: 'embedder-failed', message: (err as Error).message });
  // Ends this thread only; the main thread turns the message into a start-up error.
  process.exit(1);
}

const db = openReader(settings.databaseFile);
const readMeta = db.prepare<[string], { value: string | number | null }>('SELECT value FROM meta WHERE key = ?');
const selectPending = db.prepare<[number, number], PendingRow>(
  `SELECT p.chunk_id, p.since_seq, c.title, c.heading, c.text FROM vectors_pending p JOIN chunks c ON c.rowid = p.chunk_id
   WHERE p.chunk_id > ? AND p.refused IS NULL ORDER BY p.chunk_id LIMIT ?`);

const state: EmbedderState = { model: service.model, dimensions: null, available: true, last_error: null, mismatch: null };
checkModel();

/** Reads the index's model and dimension: a different model pauses embedding until a re-embed. */
function checkModel(): void {
  const stored = {
    model: (readMeta.get('embedding_model')?.value as string | null | undefined) ?? null,
    dimensions: (readMeta.get('embedding_dimensions')?.value as number | null | undefined) ?? null,
  };
  state.mismatch = describeMismatch(stored, { model: service.model, dimensions: configuredDimensions(embedding) });
  service.resetDimensions(configuredDimensions(embedding) ?? stored.dimensions);
  state.dimensions = service.dimensions;
}

function report(): void {
  state.dimensions = service.dimensions;
  toMain({ op: 'embedder-state', state: { ...state } });
}

function succeeded(): void {
  if (state.available && state.last_error === null) return;
  state.available = true;
  state.last_error = null;
  report();
  wakeFiller();
}

function failed(err: unknown): void {
  state.available = false;
  state.last_error = (err as Error).message;
  report();
}

async function embedDocuments(documents: EmbeddedDocument[]): Promise<EmbeddedDocument[]> {
  if (!state.available || state.mismatch) return documents;
  const texts = documents.flatMap((d) => d.chunks.map((c) => embeddingText(d.title, c.heading, c.text)));
  if (texts.length === 0) return documents;
  try {
    const vectors = await service.embed(texts, 'document');
    succeeded();
    const dimensions = service.dimensions!;
    let next = 0;
    return documents.map((doc) => {
      const flat = new Float32Array(doc.chunks.length * dimensions);
      for (let i = 0; i < doc.chunks.length; i++) flat.set(vectors[next++]!, i * dimensions);
      return { ...doc, vectors: flat };
    });
  } catch (err) {
    // Refused texts are the texts' fault: the batch waits as pending and the filler finds which.
    if (!(err instanceof EmbedderError && err.refused)) failed(err);
    return documents;
  }
}

// Writes leave in the order they came, whatever each one waits for.
let tail: Promise<void> = Promise.resolve();
let closing = false;
chunker.on('message', (message: ToWriter) => {
  const ready: Promise<ToWriter> = message.op === 'documents'
    ? embedDocuments(message.documents).then((documents) => ({ ...message, documents }))
    : Promise.resolve(message);
  tail = tail.then(() => ready).then((out) => {
    forward(out);
    if (out.op === 'reembed') {
      // The writer records the configured model with this write; embedding resumes with it.
      state.mismatch = null;
      service.resetDimensions(configuredDimensions(embedding));
      cursor = 0;
      report();
      wakeFiller();
    }
    if (out.op === 'close') {
      closing = true;
      wakeFiller();
      writer.close();
      chunker.close();
      db.close();
      parentPort!.close();
    }
  });
});

parentPort!.on('message', (message: ToEmbedder) => {
  if (state.mismatch) {
    toMain({ op: 'query-failed', id: message.id, code: 'EMBEDDING_MISMATCH', message: `${state.mismatch}; run \`dindex reembed\`, or restore the embedding configuration` });
    return;
  }
  service.embed([message.text], 'query').then(
    ([vector]) => {
      succeeded();
      toMain({ op: 'query-vector', id: message.id, vector: vector! });
    },
    (err: Error) => {
      failed(err);
      toMain({ op: 'query-failed', id: message.id, code: 'EMBEDDER_UNAVAILABLE', message: `the embedder failed: ${err.message}` });
    },
  );
});

/** Chunks committed without vectors, walked in id order; a pass that finds none waits. */
let cursor = 0;
let wake: () => void = () => {};
function wakeFiller(): void {
  wake();
}

async function fill(): Promise<void> {
  let backoff = FILL_IDLE_MS;
  const limit = embedding.batch_size * embedding.concurrency * 2;
  while (!closing) {
    const rows = state.mismatch ? [] : selectPending.all(cursor, limit);
    if (rows.length === 0) {
      cursor = 0;
      if (!state.available && !state.mismatch) await probe();
      await idle(state.available ? FILL_IDLE_MS : backoff);
      backoff = state.available ? FILL_IDLE_MS : Math.min(backoff * 2, FILL_MAX_BACKOFF_MS);
      continue;
    }
    try {
      const { embedded, refused } = await embedRows(rows);
      succeeded();
      backoff = FILL_IDLE_MS;
      cursor = rows.at(-1)!.chunk_id;
      if (closing) continue;
      if (embedded.length > 0) {
        const dimensions = service.dimensions!;
        const flat = new Float32Array(embedded.length * dimensions);
        embedded.forEach(({ vector }, i) => flat.set(vector, i * dimensions));
        writer.postMessage({ op: 'vectors', chunks: embedded.map(({ row }) => ref(row)), vectors: flat } satisfies ToWriter, [flat.buffer]);
      }
      for (const { row, reason } of refused) forward({ op: 'vectors-refused', chunks: [ref(row)], reason });
    } catch (err) {
      failed(err);
      cursor = 0;
      await idle(backoff);
      backoff = Math.min(backoff * 2, FILL_MAX_BACKOFF_MS);
    }
  }
}

type PendingRow = { chunk_id: number; since_seq: number; title: string | null; heading: string | null; text: string };

function ref(row: PendingRow): { chunkId: number; sinceSeq: number } {
  return { chunkId: row.chunk_id, sinceSeq: row.since_seq };
}

/**
 * Embeds pending rows; when the embedder refuses the batch, row by row, so one text it will
 * never take does not hold back the others. Other failures propagate: the embedder is down.
 */
async function embedRows(rows: PendingRow[]): Promise<{ embedded: Array<{ row: PendingRow; vector: Float32Array }>; refused: Array<{ row: PendingRow; reason: string }> }> {
  const texts = (batch: PendingRow[]): string[] => batch.map((r) => embeddingText(r.title, r.heading, r.text));
  try {
    const vectors = await service.embed(texts(rows), 'document');
    return { embedded: rows.map((row, i) => ({ row, vector: vectors[i]! })), refused: [] };
  } catch (err) {
    if (!(err instanceof EmbedderError && err.refused)) throw err;
    if (rows.length === 1) return { embedded: [], refused: [{ row: rows[0]!, reason: err.message }] };
  }
  const out: Awaited<ReturnType<typeof embedRows>> = { embedded: [], refused: [] };
  for (const row of rows) {
    const one = await embedRows([row]);
    out.embedded.push(...one.embedded);
    out.refused.push(...one.refused);
  }
  return out;
}

/** With nothing pending, a failed embedder is tried with a tiny text, so `status` recovers too. */
async function probe(): Promise<void> {
  try {
    await service.embed(['dindex'], 'query');
    succeeded();
  } catch (err) {
    failed(err);
  }
}

function idle(ms: number): Promise<void> {
  if (closing) return Promise.resolve();
  const controller = new AbortController();
  wake = () => controller.abort();
  return sleep(ms, undefined, { signal: controller.signal }).catch(() => {});
}

toMain({ op: 'embedder-ready', state: { ...state } });
void fill();
