import { parentPort, workerData } from 'node:worker_threads';
import { prepareDocument } from './prepare-document.js';
import type { ChunkerData, PipelineEvent, ToChunker, ToWriter } from './writer-messages.js';
import { runInBackground } from '../thread-priority.js';

/**
 * The chunker thread: hashes and chunks documents, so that neither the event loop answering
 * searches nor the writer thread spends time on it, then hands every write on in arrival order.
 */
runInBackground();
const { settings, next } = workerData as ChunkerData;
const chunking = { size: settings.chunkSize, overlap: settings.chunkOverlap };
const forward = (message: ToWriter): void => next.postMessage(message);
const toMain = (message: PipelineEvent): void => parentPort!.postMessage(message);

parentPort!.on('message', (message: ToChunker) => {
  if (message.op !== 'documents') {
    forward(message);
    if (message.op === 'close') {
      next.close();
      parentPort!.close();
    }
    return;
  }
  try {
    forward({ ...message, documents: message.documents.map((d) => prepareDocument(d, chunking)) });
  } catch (err) {
    toMain({ op: 'failed', batches: [message.batch], code: 'STORAGE_ERROR', message: `could not chunk a document: ${(err as Error).message}` });
  }
});
