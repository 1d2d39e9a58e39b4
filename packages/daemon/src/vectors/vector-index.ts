import { Worker, type MessagePort } from 'node:worker_threads';
import type { Logger } from 'pino';
import { DindexError, type VectorIndexStatus } from '@dindex/protocol';
import type { VectorsConfig } from '../config/schema.js';
import type { ToVectorWorker, VectorWorkerData, VectorWorkerEvent } from './vector-messages.js';
import { PendingReplies } from '../pending-replies.js';

export interface VectorMatch {
  chunkId: number;
  /** Cosine similarity, 1 for the same direction. */
  similarity: number;
}

const DISABLED: VectorIndexStatus = { state: 'disabled', size: 0, built: 0, total: 0, applied_seq: 0 };

/** The main-thread side of the vector index thread: searches go to it, its state comes back. */
export class VectorIndex {
  readonly #worker: Worker | null;
  readonly #log: Logger;
  #status: VectorIndexStatus = DISABLED;
  readonly #searches = new PendingReplies<VectorMatch[]>();
  #closed: Promise<void> | null = null;
  #onClosed: () => void = () => {};

  private constructor(worker: Worker | null, log: Logger) {
    this.#worker = worker;
    this.#log = log;
  }

  /**
   * Starts the thread, which loads the saved index or begins rebuilding it from SQLite, and
   * then applies the changes the writer posts on `updates`. Disabled (no embedder), updates are
   * dropped.
   */
  static async start(options: { databaseFile: string; home: string; config: VectorsConfig; enabled: boolean; updates: MessagePort }, log: Logger): Promise<VectorIndex> {
    if (!options.enabled) {
      options.updates.close();
      return new VectorIndex(null, log);
    }
    const data: VectorWorkerData = { databaseFile: options.databaseFile, home: options.home, config: options.config, updates: options.updates };
    const worker = new Worker(new URL('./vector-worker.js', import.meta.url), { workerData: data, transferList: [options.updates] });
    const index = new VectorIndex(worker, log);
    await new Promise<void>((resolve, reject) => {
      worker.once('error', (err) => reject(new DindexError('STARTUP_FAILED', `the vector index could not start: ${err.message}`)));
      worker.on('message', (message: VectorWorkerEvent) => {
        if (message.op === 'state') resolve();
        index.#onMessage(message);
      });
    });
    worker.on('error', (err) => index.#onDeath(err));
    worker.on('exit', () => index.#onDeath(new Error('the vector index thread exited')));
    return index;
  }

  status(): VectorIndexStatus {
    return this.#status;
  }

  /** The `k` nearest chunks to `vector`, nearest first, once the index holds commit `afterSeq` (see the vector thread). */
  search(vector: Float32Array, k: number, afterSeq = 0): Promise<VectorMatch[]> {
    const worker = this.#worker;
    if (!worker) return Promise.reject(new DindexError('MODE_UNAVAILABLE', 'no embedder is configured, so there is no vector index'));
    if (this.#closed) return Promise.reject(new DindexError('SHUTTING_DOWN', 'the vector index is closed'));
    return this.#searches.request((id) => worker.postMessage({ op: 'search', id, vector, k, afterSeq } satisfies ToVectorWorker));
  }

  /** Rebuilds the index from SQLite in the background (vector searches answer VECTOR_INDEX_BUILDING meanwhile). */
  rebuild(): void {
    this.#worker?.postMessage({ op: 'rebuild' } satisfies ToVectorWorker);
    if (this.#worker) this.#status = { ...this.#status, state: 'building' };
  }

  /** Applies the last updates, saves the index and stops the thread. Call after the pipeline closed. */
  close(): Promise<void> {
    const worker = this.#worker;
    if (!worker) return Promise.resolve();
    this.#closed ??= new Promise<void>((resolve) => {
      this.#onClosed = resolve;
      worker.postMessage({ op: 'close' } satisfies ToVectorWorker);
    });
    return this.#closed;
  }

  #onMessage(message: VectorWorkerEvent): void {
    switch (message.op) {
      case 'state':
        this.#status = message.state;
        break;
      case 'log':
        this.#log[message.level](message.data ?? {}, message.message);
        break;
      case 'matches':
        this.#searches.resolve(message.id, message.chunkIds.map((chunkId, i) => ({ chunkId, similarity: 1 - message.distances[i]! })));
        break;
      case 'search-failed':
        this.#searches.reject(message.id, new DindexError(message.code, message.message, { built: this.#status.built, total: this.#status.total }));
        break;
      case 'closed':
        this.#onClosed();
        break;
    }
  }

  #onDeath(err: Error): void {
    if (this.#closed) {
      this.#onClosed();
      return;
    }
    this.#log.fatal({ err }, 'vector index thread failed');
    this.#searches.rejectAll(new DindexError('INTERNAL', `the vector index failed: ${err.message}`));
    this.#status = DISABLED;
  }
}
