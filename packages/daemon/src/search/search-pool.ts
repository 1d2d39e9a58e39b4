import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { DindexError, EncodedValue, type ErrorCode, type SearchMode } from '@dindex/protocol';
import type { Config } from '../config/schema.js';
import { fnv1a } from '../fnv1a.js';
import type { SearchJob } from './answer-from-index.js';

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
  pending: Map<number, { resolve(answer: EncodedAnswer): void; reject(error: DindexError): void }>;
}

/** Search threads, each job to the least busy one; a thread that dies fails its jobs and is replaced. */
export class SearchPool {
  readonly #data: SearchThreadData;
  readonly #log: Logger;
  readonly #threads: Thread[] = [];
  #nextId = 1;
  #closed = false;

  constructor(data: SearchThreadData, size: number, log: Logger) {
    this.#data = data;
    this.#log = log;
    for (let i = 0; i < size; i++) this.#threads.push(this.#spawn());
  }

  run(job: SearchJob): Promise<EncodedAnswer> {
    if (this.#closed) return Promise.reject(new DindexError('SHUTTING_DOWN', 'the search threads are stopped'));
    const thread = this.#pick(job.query.query);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      thread.pending.set(id, { resolve, reject });
      thread.worker.postMessage({ id, job } satisfies SearchThreadRequest);
    });
  }

  /**
   * The same query text goes to the same thread while that thread is not much busier than the
   * least busy one: each thread caches its term statistics, so a repeated query finds them warm.
   */
  #pick(text: string): Thread {
    const least = this.#threads.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const preferred = this.#threads[fnv1a(text) % this.#threads.length]!;
    return preferred.pending.size <= least.pending.size + 1 ? preferred : least;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#threads.map((t) => t.worker.terminate()));
  }

  #spawn(): Thread {
    const worker = new Worker(new URL('./search-thread.js', import.meta.url), { workerData: this.#data });
    const thread: Thread = { worker, pending: new Map() };
    worker.on('message', (reply: SearchThreadReply) => {
      const pending = thread.pending.get(reply.id);
      thread.pending.delete(reply.id);
      if (!pending) return;
      if (reply.ok) pending.resolve({ mode: reply.mode, body: new EncodedValue(reply.bytes) });
      else pending.reject(new DindexError(reply.code, reply.message));
    });
    const fail = (err: Error): void => {
      if (this.#closed) return;
      this.#log.error({ err }, 'a search thread failed; starting another');
      for (const pending of thread.pending.values()) pending.reject(new DindexError('INTERNAL', `the search thread failed: ${err.message}`));
      thread.pending.clear();
      const index = this.#threads.indexOf(thread);
      if (index >= 0) this.#threads[index] = this.#spawn();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`exited with code ${code}`)));
    return thread;
  }
}

