import { parentPort, workerData } from 'node:worker_threads';
import { DindexError } from '@dindex/protocol';
import { openReader } from '../index/database.js';
import { Searcher } from '../index/searcher.js';
import { answerFromIndex } from './answer-from-index.js';
import type { SearchThreadData, SearchThreadReply, SearchThreadRequest } from './search-pool.js';

/**
 * A search thread: its own read-only connection and term statistics, answering searches off
 * the event loop that serves the connections, so searches use every core and never delay
 * other requests.
 */
const { databaseFile, settings } = workerData as SearchThreadData;
const searcher = new Searcher(openReader(databaseFile), databaseFile, settings);
const reply = (message: SearchThreadReply): void => parentPort!.postMessage(message);

parentPort!.on('message', ({ id, job }: SearchThreadRequest) => {
  try {
    reply({ id, ok: true, answer: answerFromIndex(searcher, settings, job) });
  } catch (err) {
    const code = err instanceof DindexError ? err.code : 'INTERNAL';
    reply({ id, ok: false, code, message: (err as Error).message });
  }
});
