import { MessageChannel, Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { DindexError, type Document } from '@dindex/protocol';
import type { BatchOutcome, ChunkerData, PipelineEvent, PipelineSettings, ToChunker, WriterData } from './writer-messages.js';

export interface BatchResult extends BatchOutcome {
  seq: number;
}

interface OutstandingBatch {
  bytes: number;
  documents: number;
  resolve(result: BatchResult): void;
  reject(error: DindexError): void;
}

export interface PipelineStatus {
  queued_documents: number;
  queued_bytes: number;
  queue_capacity_bytes: number;
  max_queued_bytes_seen: number;
  last_commit_seq: number;
  commits: number;
  last_commit_ms: number;
}

/**
 * The main-thread side of the write pipeline: a bounded ingest queue (counted in bytes of
 * text, released as commits land) in front of two threads, the chunker and the writer. Every
 * submission gets a promise that settles when its writes are committed and durable, or failed.
 */
export class WritePipeline {
  readonly #chunker: Worker;
  readonly #log: Logger;
  readonly #capacityBytes: number;
  readonly #outstanding = new Map<number, OutstandingBatch>();
  /** Producers waiting for room, served in arrival order. */
  #admissions: Array<{ bytes: number; admit: () => void }> = [];
  #nextBatch = 1;
  #queuedBytes = 0;
  #queuedDocuments = 0;
  #maxQueuedBytes = 0;
  #lastCommitSeq = 0;
  #commits = 0;
  #lastCommitMs = 0;
  #closed: Promise<void> | null = null;
  #onClosed: () => void = () => {};
  #failure: DindexError | null = null;

  private constructor(chunker: Worker, log: Logger, capacityBytes: number) {
    this.#chunker = chunker;
    this.#log = log;
    this.#capacityBytes = capacityBytes;
  }

  /** Starts the threads and waits until the writer has the database open and migrated. */
  static async start(settings: PipelineSettings & { queueCapacityBytes: number }, log: Logger): Promise<WritePipeline> {
    const { port1, port2 } = new MessageChannel();
    const writerData: WriterData = { settings, chunker: port1 };
    const writer = new Worker(new URL('./writer-worker.js', import.meta.url), { workerData: writerData, transferList: [port1] });
    const lastCommitSeq = await new Promise<number>((resolve, reject) => {
      const onError = (err: Error): void => reject(new DindexError('STARTUP_FAILED', `cannot open the index database: ${err.message}`));
      writer.once('error', onError);
      writer.once('message', (message: PipelineEvent) => {
        writer.off('error', onError);
        resolve(message.op === 'ready' ? message.lastCommitSeq : 0);
      });
    });
    const chunkerData: ChunkerData = { settings, writer: port2 };
    const chunker = new Worker(new URL('./chunker-worker.js', import.meta.url), { workerData: chunkerData, transferList: [port2] });
    const pipeline = new WritePipeline(chunker, log, settings.queueCapacityBytes);
    pipeline.#lastCommitSeq = lastCommitSeq;
    for (const worker of [writer, chunker]) {
      worker.on('message', (message: PipelineEvent) => pipeline.#onMessage(message));
      worker.on('error', (err) => pipeline.#onWorkerDeath(err));
      worker.on('exit', (code) => {
        if (!pipeline.#closed) pipeline.#onWorkerDeath(new Error(`a pipeline thread exited with code ${code}`));
      });
    }
    return pipeline;
  }

  get lastCommitSeq(): number {
    return this.#lastCommitSeq;
  }

  status(): PipelineStatus {
    return {
      queued_documents: this.#queuedDocuments,
      queued_bytes: this.#queuedBytes,
      queue_capacity_bytes: this.#capacityBytes,
      max_queued_bytes_seen: this.#maxQueuedBytes,
      last_commit_seq: this.#lastCommitSeq,
      commits: this.#commits,
      last_commit_ms: Math.round(this.#lastCommitMs * 100) / 100,
    };
  }

  /** Bytes of text a batch of documents counts for in the queue. */
  static sizeOf(documents: Document[]): number {
    return documents.reduce((n, d) => n + d.text.length + (d.title?.length ?? 0), 0);
  }

  /**
   * Takes room for `bytes` in the queue, waiting (first come, first served) while it is full.
   * The room is counted from the moment it is granted, so the queue never exceeds its bound;
   * an empty queue admits any batch, so one larger than the bound still goes through alone.
   */
  admit(bytes: number): Promise<void> {
    if (this.#admissions.length === 0 && this.#fits(bytes)) {
      this.#take(bytes);
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#admissions.push({ bytes, admit: resolve }));
  }

  /** Queues admitted documents; the promise settles once they are committed. */
  submitDocuments(documents: Document[], admittedBytes: number): Promise<BatchResult> {
    return this.#submit(admittedBytes, documents.length, (batch) => ({ op: 'documents', batch, documents }));
  }

  delete(ids: string[]): Promise<BatchResult> {
    return this.#submit(0, 0, (batch) => ({ op: 'delete', batch, ids }));
  }

  /** Commits everything queued so far, now. */
  commit(): Promise<BatchResult> {
    return this.#submit(0, 0, (batch) => ({ op: 'commit', batch }));
  }

  /** Commits what is queued and stops the writer. */
  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve) => {
      this.#onClosed = resolve;
      this.#post({ op: 'close' });
    });
    return this.#closed;
  }

  #submit(bytes: number, documents: number, message: (batch: number) => ToChunker): Promise<BatchResult> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#closed) return Promise.reject(new DindexError('SHUTTING_DOWN', 'the write pipeline is closed'));
    const batch = this.#nextBatch++;
    return new Promise<BatchResult>((resolve, reject) => {
      this.#outstanding.set(batch, { bytes, documents, resolve, reject });
      this.#queuedDocuments += documents;
      this.#post(message(batch));
    });
  }

  #fits(bytes: number): boolean {
    return this.#queuedBytes === 0 || this.#queuedBytes + bytes <= this.#capacityBytes;
  }

  #take(bytes: number): void {
    this.#queuedBytes += bytes;
    this.#maxQueuedBytes = Math.max(this.#maxQueuedBytes, this.#queuedBytes);
  }

  #post(message: ToChunker): void {
    this.#chunker.postMessage(message);
  }

  #onMessage(message: PipelineEvent): void {
    switch (message.op) {
      case 'committed':
        this.#lastCommitSeq = message.seq;
        if (message.tookMs > 0) {
          this.#commits++;
          this.#lastCommitMs = message.tookMs;
        }
        for (const outcome of message.batches) this.#settle(outcome.batch, (b) => b.resolve({ ...outcome, seq: message.seq }));
        break;
      case 'failed':
        this.#log.error({ batches: message.batches.length, err: message.message }, 'commit failed');
        for (const batch of message.batches) {
          this.#settle(batch, (b) => b.reject(new DindexError('STORAGE_ERROR', `the write was not committed: ${message.message}`)));
        }
        break;
      case 'closed':
        this.#onClosed();
        break;
      case 'ready':
        break;
    }
  }

  #settle(batch: number, action: (b: OutstandingBatch) => void): void {
    const outstanding = this.#outstanding.get(batch);
    if (!outstanding) return;
    this.#outstanding.delete(batch);
    this.#queuedBytes -= outstanding.bytes;
    this.#queuedDocuments -= outstanding.documents;
    action(outstanding);
    while (this.#admissions.length > 0 && this.#fits(this.#admissions[0]!.bytes)) {
      const next = this.#admissions.shift()!;
      this.#take(next.bytes);
      next.admit();
    }
  }

  #onWorkerDeath(err: Error): void {
    this.#log.fatal({ err }, 'writer thread failed');
    this.#failure = new DindexError('STORAGE_ERROR', `the writer thread failed: ${err.message}; restart the daemon`);
    for (const batch of [...this.#outstanding.keys()]) this.#settle(batch, (b) => b.reject(this.#failure!));
    this.#onClosed();
  }
}
