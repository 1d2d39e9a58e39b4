import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { DindexError, EncodedFrame, type ErrorCode, type RequestId, type SearchMode } from '@dindex/protocol';
import type { Config } from '../config/schema.js';
import type { SearchJob } from './answer-from-index.js';
import { PendingReplies } from '../pending-replies.js';

export interface SearchThreadData {
  databaseFile: string;
  settings: Config['search'];
}
export interface SearchThreadRequest {
  id: number;
  job: SearchJob;
  /** The id of the client's request, which the answer's frame carries. */
  answerId: RequestId;
}
export type SearchThreadReply =
  | { id: number; ok: true; mode: SearchMode; bytes: Uint8Array }
  | { id: number; ok: false; code: ErrorCode; message: string };

/** A search thread's answer: the mode that answered, and the whole frame of the `search` answer. */
export interface EncodedAnswer {
  mode: SearchMode;
  frame: EncodedFrame;
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
  readonly #answered: (thread: number) => void;
  readonly #threads: Thread[] = [];
  #closed = false;
  #failures = 0;
  #lastError = '';

  /** `answered`: told which thread (by index) answered each search. */
  constructor(data: SearchThreadData, size: number, log: Logger, answered: (thread: number) => void = () => {}) {
    this.#data = data;
    this.#log = log;
    this.#answered = answered;
    for (let i = 0; i < size; i++) this.#threads.push(this.#spawn(i));
  }

  /** `answerId`: the id of the request the answer's frame is for. */
  run(job: SearchJob, answerId: RequestId): Promise<EncodedAnswer> {
    if (this.#closed) return Promise.reject(new DindexError('SHUTTING_DOWN', 'the search threads are stopped'));
    const thread = this.#pick();
    if (!thread) return Promise.reject(new DindexError('STORAGE_ERROR', `no search thread can run: ${this.#lastError}; see the daemon log`));
    return thread.pending.request((id) => thread.worker.postMessage({ id, job, answerId } satisfies SearchThreadRequest));
  }

  /**
   * The least busy thread, the first of equals: searches one at a time all go to the first
   * thread, whose caches (term counts, chunk lengths, the pages it read, the core it ran on)
   * are then warm for every query — spread over two threads, a lone client's searches took a
   * tenth longer. Searches that overlap spread over the others.
   */
  #pick(): Thread | null {
    let best: Thread | null = null;
    for (const thread of this.#threads) {
      if (thread.alive && (!best || thread.pending.size < best.pending.size)) best = thread;
    }
    return best;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#threads.map((t) => t.worker.terminate()));
  }

  #spawn(index: number): Thread {
    const worker = new Worker(new URL('./search-thread.js', import.meta.url), { workerData: this.#data });
    const thread: Thread = { worker, pending: new PendingReplies(), alive: true };
    worker.on('message', (reply: SearchThreadReply) => {
      this.#failures = 0;
      this.#answered(index);
      if (reply.ok) thread.pending.resolve(reply.id, { mode: reply.mode, frame: new EncodedFrame(reply.bytes) });
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
        if (!this.#closed && this.#threads[index] === thread) this.#threads[index] = this.#spawn(index);
      }, delay).unref();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`exited with code ${code}`)));
    return thread;
  }
}

