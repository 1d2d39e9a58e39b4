import { parentPort, workerData } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { openWriter } from '../index/database.js';
import { recordCleanStop, takeCleanStop } from '../index/clean-stop.js';
import { checkDatabase, type IntegrityCheck } from '../index/integrity.js';
import { SegmentMerger } from '../index/segment-merger.js';
import { IdleCheckpoint } from '../index/idle-checkpoint.js';
import { DocumentWriter, type PendingWrite } from './document-writer.js';
import { storageErrorCode, type PipelineEvent, type ToVectorIndex, type ToWriter, type WriterData } from './writer-messages.js';
import { runInBackground } from '../thread-priority.js';

/**
 * The writer thread: the only code that writes to the database. A commit (one transaction)
 * happens when `batchSize` chunks are waiting or `commitIntervalMs` has passed since the first
 * one, whichever comes first. Running here keeps SQLite writes off the event loop. After each
 * commit, the vectors it changed go to the vector index thread.
 */
runInBackground();
const { settings, previous, vectorUpdates } = workerData as WriterData;
const send = (message: PipelineEvent): void => parentPort!.postMessage(message);
const toVectorIndex = (message: ToVectorIndex): void => vectorUpdates.postMessage(message);

const { db, writer, checks, verified } = open();

/**
 * Opens, migrates and checks the database. Errors are rethrown as plain Errors: SQLite's own
 * error class loses its message on the way to the main thread.
 */
function open(): { db: Database.Database; writer: DocumentWriter; checks: IntegrityCheck[]; verified: boolean } {
  try {
    const verified = takeCleanStop(settings.databaseFile);
    const db = openWriter(settings.databaseFile);
    const checks = settings.startupChecks && !verified ? checkDatabase(db, { full: false, repair: true }) : [];
    const damaged = checks.find((c) => c.name === 'sqlite' && !c.ok);
    if (damaged) {
      throw new Error(`${settings.databaseFile} is damaged (${damaged.detail}); nothing was changed. Move it aside and index again, or restore a backup`);
    }
    const writer = new DocumentWriter(db, settings.embeddingModel !== null);
    if (settings.embeddingModel !== null) writer.adoptModel(settings.embeddingModel);
    return { db, writer, checks, verified };
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new Error(`${(err as Error).message}${code ? ` (${code})` : ''}`);
  }
}

/** Quiet time after the last transaction (a commit, a merge step) before the WAL is folded in. */
const CHECKPOINT_QUIET_MS = 1000;

let pending: PendingWrite[] = [];
let pendingChunks = 0;
let timer: NodeJS.Timeout | null = null;
const checkpoint = new IdleCheckpoint(db, {
  quietMs: CHECKPOINT_QUIET_MS,
  failed: (err) => send({ op: 'checkpoint-failed', message: err.message }),
});
const merger = new SegmentMerger(db, {
  idleMs: settings.mergeIdleMs,
  idle: () => pending.length === 0,
  failed: (err) => send({ op: 'merge-failed', message: err.message }),
  merged: ({ steps, ms }) => send({ op: 'merged', steps, tookMs: ms }),
  stepped: () => checkpoint.wrote(),
});

function schedule(): void {
  if (pendingChunks >= settings.batchSize) commit();
  else timer ??= setTimeout(commit, settings.commitIntervalMs);
}

function commit(): void {
  if (timer) clearTimeout(timer);
  timer = null;
  if (pending.length === 0) return;
  const writes = pending;
  pending = [];
  pendingChunks = 0;
  // Every commit, even one with nothing to write, restarts the countdown to merging: a step
  // skipped for it must be taken up again.
  merger.wrote();
  const batches = [...new Set(writes.flatMap((w) => ('batch' in w ? [w.batch] : [])))];
  if (writes.every((w) => w.kind === 'marker')) {
    // Nothing to write: answer with the current sequence instead of an empty transaction.
    send({ op: 'committed', seq: writer.lastCommitSeq, tookMs: 0, batches: batches.map((batch) => ({ batch, documents: 0, chunks: 0, skipped: 0, deleted: 0 })), vectorsChanged: false });
    return;
  }
  const started = performance.now();
  try {
    const { seq, outcomes, vectorUpdate } = writer.commit(writes);
    // The vectors go first: a vector search after this commit's answer asks for them.
    if (vectorUpdate) vectorUpdates.postMessage(vectorUpdate, [vectorUpdate.added.buffer]);
    send({ op: 'committed', seq, tookMs: performance.now() - started, batches: outcomes, vectorsChanged: vectorUpdate !== null });
    checkpoint.wrote();
    merger.changed(outcomes.reduce((n, o) => n + o.chunks + o.deleted, 0));
  } catch (err) {
    send({ op: 'failed', batches, code: storageErrorCode(err), message: (err as Error).message });
  }
}

previous.on('message', (message: ToWriter) => {
  switch (message.op) {
    case 'documents':
      for (const doc of message.documents) {
        pending.push({ kind: 'document', batch: message.batch, doc });
        pendingChunks += doc.chunks.length;
      }
      if (message.job) pending.push({ kind: 'job-checkpoint', batch: message.batch, job: message.job });
      schedule();
      break;
    case 'delete':
      pending.push({ kind: 'delete', batch: message.batch, ids: message.ids });
      schedule();
      break;
    case 'vectors':
      pending.push({ kind: 'vectors', chunks: message.chunks, vectors: message.vectors });
      pendingChunks += message.chunks.length;
      schedule();
      break;
    case 'vectors-refused':
      pending.push({ kind: 'refused', chunks: message.chunks, reason: message.reason });
      schedule();
      break;
    case 'reembed':
      pending.push({ kind: 'reembed', batch: message.batch, model: settings.embeddingModel ?? '' });
      commit();
      break;
    case 'job':
      pending.push({ kind: 'job', batch: message.batch, row: message.row });
      commit();
      break;
    case 'commit':
      pending.push({ kind: 'marker', batch: message.batch });
      commit();
      break;
    case 'doctor':
      // Everything accepted before the request is committed first, so the checks see it.
      commit();
      send({ op: 'doctor-report', id: message.id, checks: checkDatabase(db, { full: true, repair: message.repair }) });
      break;
    case 'close':
      commit();
      merger.stop();
      checkpoint.stop();
      // Fold the WAL into the database file, so a stopped index is one self-contained file.
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
      recordCleanStop(settings.databaseFile);
      toVectorIndex({ op: 'end' });
      vectorUpdates.close();
      send({ op: 'closed' });
      previous.close();
      break;
  }
});

send({ op: 'ready', lastCommitSeq: writer.lastCommitSeq, checks, checksSkipped: verified, jobs: writer.jobs.all() });
// An index left in many segments (by an import that stopped) is merged once the writer is quiet,
// and a WAL left by a crash is folded in.
merger.wrote();
checkpoint.wrote();
