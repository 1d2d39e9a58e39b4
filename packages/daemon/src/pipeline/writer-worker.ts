import { parentPort, workerData } from 'node:worker_threads';
import { openWriter } from '../index/database.js';
import { DocumentWriter, type PendingWrite } from './document-writer.js';
import type { FromWriter, ToWriter, WriterSettings } from './writer-messages.js';

/**
 * The writer thread: the only code that writes to the database. Documents are hashed and
 * chunked as they arrive; a commit (one transaction) happens when `batchSize` chunks are
 * waiting or `commitIntervalMs` has passed since the first one, whichever comes first.
 * Running here keeps SQLite writes and chunking off the event loop that answers searches.
 */
const settings = workerData as WriterSettings;
const port = parentPort!;
const send = (message: FromWriter): void => port.postMessage(message);

const db = openWriter(settings.databaseFile);
const writer = new DocumentWriter(db, { size: settings.chunkSize, overlap: settings.chunkOverlap });
let pending: PendingWrite[] = [];
let pendingChunks = 0;
/** Ids written or deleted by pending writes: their stored copy may change before commit. */
let pendingIds = new Set<string>();
let timer: NodeJS.Timeout | null = null;

function schedule(): void {
  if (pendingChunks >= settings.batchSize) {
    commit();
    return;
  }
  timer ??= setTimeout(commit, settings.commitIntervalMs);
}

function commit(): void {
  if (timer) clearTimeout(timer);
  timer = null;
  if (pending.length === 0) return;
  const writes = pending;
  pending = [];
  pendingChunks = 0;
  pendingIds = new Set();
  if (writes.every((w) => w.kind === 'marker')) {
    // Nothing to write: answer with the current sequence instead of an empty transaction.
    const seq = writer.lastCommitSeq;
    send({ op: 'committed', seq, tookMs: 0, batches: writes.map((w) => ({ batch: w.batch, documents: 0, chunks: 0, skipped: 0, deleted: 0 })) });
    return;
  }
  const started = performance.now();
  try {
    const { seq, outcomes } = writer.commit(writes);
    send({ op: 'committed', seq, tookMs: performance.now() - started, batches: outcomes });
  } catch (err) {
    const batches = [...new Set(writes.map((w) => w.batch))];
    send({ op: 'failed', batches, code: 'STORAGE_ERROR', message: (err as Error).message });
  }
}

port.on('message', (message: ToWriter) => {
  switch (message.op) {
    case 'documents': {
      let prepared;
      try {
        prepared = message.documents.map((doc) => {
          const id = doc.id ?? doc.source;
          const p = writer.prepare(doc, pendingIds.has(id));
          pendingIds.add(id);
          return p;
        });
      } catch (err) {
        send({ op: 'failed', batches: [message.batch], code: 'STORAGE_ERROR', message: (err as Error).message });
        break;
      }
      for (const doc of prepared) {
        pending.push({ kind: 'document', batch: message.batch, doc });
        pendingChunks += doc.chunks?.length ?? 0;
      }
      schedule();
      break;
    }
    case 'delete':
      for (const id of message.ids) pendingIds.add(id);
      pending.push({ kind: 'delete', batch: message.batch, ids: message.ids });
      schedule();
      break;
    case 'commit':
      pending.push({ kind: 'marker', batch: message.batch });
      commit();
      break;
    case 'close':
      commit();
      db.close();
      send({ op: 'closed' });
      port.close();
      break;
  }
});

send({ op: 'ready', lastCommitSeq: writer.lastCommitSeq });
