import { parentPort, workerData } from 'node:worker_threads';
import type { Document } from '@dindex/protocol';
import { BATCH_WINDOW, MAX_PROBLEMS, type FromJobThread, type JobThreadData, type ToJobThread } from './job-messages.js';
import { createSource, emptyReport, type SourceContext, type SourceItem } from './sources/index.js';
import { runInBackground } from '../thread-priority.js';

/**
 * A job's thread: runs its source (reading, decompressing, parsing and converting happen
 * here, off the event loop that answers requests) and sends its documents to the main thread
 * in batches, each with the checkpoint after its last record.
 */
runInBackground();
const data = workerData as JobThreadData;
const send = (message: FromJobThread): void => parentPort!.postMessage(message);

/** A batch goes when it holds this much text or this many documents, or has waited this long. */
const BATCH_BYTES = 1024 * 1024;
const BATCH_DOCUMENTS = 1000;
const BATCH_AGE_MS = 500;
const PROGRESS_EVERY_MS = 200;

// A job is stopped by terminating this thread, so its sources' signal never fires here.
const signal = new AbortController().signal;
let unacknowledged = 0;
let onAck: (() => void) | null = null;
parentPort!.on('message', (message: ToJobThread) => {
  if (message.op === 'ack') {
    unacknowledged--;
    onAck?.();
  }
});

const report = data.report ?? emptyReport();
let lastProgress = 0;
/** Problems are kept short: they travel with every checkpoint. */
const PROBLEM_CHARS = 500;
const problem = (where: string, message: string): void => {
  report.problems.push({ where: where.slice(0, PROBLEM_CHARS), message: message.slice(0, PROBLEM_CHARS) });
  if (report.problems.length > MAX_PROBLEMS) report.problems.shift();
};
const context: SourceContext = {
  signal,
  checkpoint: data.checkpoint,
  progress(current, total) {
    report.current = current;
    report.total = total;
    const now = Date.now();
    if (now - lastProgress < PROGRESS_EVERY_MS) return;
    lastProgress = now;
    send({ op: 'progress', current, total });
  },
  error(where, message) {
    report.errors++;
    problem(where, message);
  },
  reject(where, why) {
    report.rejected++;
    if (where && why) problem(where, why);
  },
};

let documents: Document[] = [];
let bytes = 0;
let batchStarted = 0;
let checkpoint: unknown = undefined;

async function flush(): Promise<void> {
  if (checkpoint === undefined) return;
  send({ op: 'batch', documents, checkpoint: JSON.stringify(checkpoint), report: JSON.stringify(report) });
  documents = [];
  bytes = 0;
  checkpoint = undefined;
  unacknowledged++;
  while (unacknowledged >= BATCH_WINDOW) await new Promise<void>((resolve) => (onAck = resolve));
}

function take(item: SourceItem): boolean {
  if (checkpoint === undefined) batchStarted = Date.now();
  checkpoint = item.checkpoint;
  if (item.document) {
    documents.push(item.document);
    bytes += item.document.text.length;
  }
  return bytes >= BATCH_BYTES || documents.length >= BATCH_DOCUMENTS || Date.now() - batchStarted >= BATCH_AGE_MS;
}

const AGED = Symbol('aged');

async function run(): Promise<void> {
  const iterator = createSource(data)(context)[Symbol.asyncIterator]();
  for (;;) {
    const next = iterator.next();
    let result: IteratorResult<SourceItem> | typeof AGED;
    // A slow source (a crawl) must not hold what it found back: a waiting batch goes when it ages.
    while ((result = checkpoint === undefined ? await next : await Promise.race([next, aged()])) === AGED) await flush();
    if (result.done) break;
    if (take(result.value)) await flush();
  }
  await flush();
  send({ op: 'done' });
}

function aged(): Promise<typeof AGED> {
  return new Promise((resolve) => setTimeout(() => resolve(AGED), Math.max(0, batchStarted + BATCH_AGE_MS - Date.now())).unref());
}

run().catch((err: unknown) => send({ op: 'failed', message: (err as Error).message ?? String(err) }));
