import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { DindexError, EncodedValue, type ErrorCode, type SearchMode } from '@dindex/protocol';
import type { Config } from '../config/schema.js';
import { fnv1a } from '../fnv1a.js';
import type { SearchJob } from './answer-from-index.js';
import { PendingReplies } from '../pending-replies.js';

export interface SearchThreadData {
  databaseFile: string;
  settings: Config['search'];
}
export interface SearchThreadRequest {
  id: number;
  job: SearchJob;
}
export type SearchThreadReply =
  | { id: number; ok: true; mode: SearchMode; bytes: Uint8Array }
  | { id: number; ok: false; code: ErrorCode; message: string };

/** A search thread's answer: the mode that answered, and the `search` response body, encoded. */
export interface EncodedAnswer {
  mode: SearchMode;
  body: EncodedValue;
}

interface Thread {
  worker: Worker;
  pending: PendingReplies<EncodedAnswer>;
  alive: boolean;
}

const RESPAWN_FIRST_MS = 200;
const RESPAWN_MAX_MS = 30_000;

/**
 * Search threads, each job to the least busy one. A thread that dies fails its jobs and is
 * replaced after a delay that doubles while replacements keep dying (a database that cannot be
 * opened must not turn into a loop of thread starts); meanwhile the others serve, and with none
 * left searches fail with the last error.
 */
export class SearchPool {
  readonly #data: SearchThreadData;
  readonly #log: Logger;
  readonly #threads: Thread[] = [];
  #closed = false;
  #failures = 0;
  #lastError = '';

  constructor(data: SearchThreadData, size: number, log: Logger) {
    this.#data = data;
    this.#log = log;
    for (let i = 0; i < size; i++) this.#threads.push(this.#spawn());
  }

  run(job: SearchJob): Promise<EncodedAnswer> {
    if (this.#closed) return Promise.reject(new DindexError('SHUTTING_DOWN', 'the search threads are stopped'));
    const thread = this.#pick(job.query.query);
    if (!thread) return Promise.reject(new DindexError('STORAGE_ERROR', `no search thread can run: ${this.#lastError}; see the daemon log`));
    return thread.pending.request((id) => thread.worker.postMessage({ id, job } satisfies SearchThreadRequest));
  }

  /**
   * The same query text goes to the same thread while that thread is not much busier than the
   * least busy one: each thread caches its term statistics, so a repeated query finds them warm.
   */
  #pick(text: string): Thread | null {
    const alive = this.#threads.filter((t) => t.alive);
    if (alive.length === 0) return null;
    const least = alive.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const preferred = alive[fnv1a(text) % alive.length]!;
    return preferred.pending.size <= least.pending.size + 1 ? preferred : least;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#threads.map((t) => t.worker.terminate()));
  }

  #spawn(): Thread {
    const worker = new Worker(new URL('./search-thread.js', import.meta.url), { workerData: this.#data });
    const thread: Thread = { worker, pending: new PendingReplies(), alive: true };
    worker.on('message', (reply: SearchThreadReply) => {
      this.#failures = 0;
      if (reply.ok) thread.pending.resolve(reply.id, { mode: reply.mode, body: new EncodedValue(reply.bytes) });
      else thread.pending.reject(reply.id, new DindexError(reply.code, reply.message));
    });
    const fail = (err: Error): void => {
      if (this.#closed || !thread.alive) return;
      thread.alive = false;
      this.#lastError = err.message;
      thread.pending.rejectAll(new DindexError('INTERNAL', `the search thread failed: ${err.message}`));
      const delay = Math.min(RESPAWN_MAX_MS, RESPAWN_FIRST_MS * 2 ** this.#failures++);
      this.#log.error({ err, retry_ms: delay }, 'a search thread failed; starting another');
      setTimeout(() => {
        const index = this.#threads.indexOf(thread);
        if (!this.#closed && index >= 0) this.#threads[index] = this.#spawn();
      }, delay).unref();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`exited with code ${code}`)));
    return thread;
  }
}

