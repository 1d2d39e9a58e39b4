import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { Logger } from 'pino';
import { DindexError, type Document, type EmbeddingProvider } from '@dindex/protocol';
import type { EmbeddingConfig } from '../config/schema.js';
import type { IntegrityCheck } from '../index/integrity.js';
import type { JobCheckpoint, JobRow, JobStateRow } from '../index/job-table.js';
import type {
  BatchOutcome, ChunkerData, EmbedderData, EmbedderEvent, EmbedderState, PipelineEvent, PipelineSettings, StorageErrorCode, ToChunker,
  ToEmbedder, WriterData,
} from './writer-messages.js';
import { PendingReplies } from '../pending-replies.js';

export interface PipelineOptions {
  settings: PipelineSettings;
  queueCapacityBytes: number;
  embedding: EmbeddingConfig;
  home: string;
  env: Record<string, string | undefined>;
  /** Receives the vector changes of every commit (the vector index thread listens on the other end). */
  vectorUpdates: MessagePort;
  /** Told the duration of every commit transaction. */
  onCommit?(ms: number): void;
}

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
  readonly #embedder: Worker | null;
  #embedderState: EmbedderState | null = null;
  #onCommit: (ms: number) => void = () => {};
  readonly #queries = new PendingReplies<Float32Array>();
  readonly #reports = new PendingReplies<IntegrityCheck[]>();
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
  /** The last commit that changed vectors, as far as this run of the daemon knows. */
  #vectorsSeq = 0;
  #commits = 0;
  #lastCommitMs = 0;
  #closed: Promise<void> | null = null;
  #onClosed: () => void = () => {};
  #failure: DindexError | null = null;
  /** The jobs table as the writer found it at start. */
  #storedJobs: JobRow[] = [];

  private constructor(chunker: Worker, embedder: Worker | null, log: Logger, capacityBytes: number, readonly embeddingProvider: EmbeddingProvider) {
    this.#chunker = chunker;
    this.#embedder = embedder;
    this.#log = log;
    this.#capacityBytes = capacityBytes;
  }

  /**
   * Starts the threads — the writer first (it opens and migrates the database), then the
   * embedding thread when one is configured, then the chunker — and waits until they are ready.
   */
  static async start(options: PipelineOptions, log: Logger): Promise<WritePipeline> {
    const { settings } = options;
    const toWriter = new MessageChannel();
    const writerData: WriterData = { settings, previous: toWriter.port2, vectorUpdates: options.vectorUpdates };
    const writer = new Worker(new URL('./writer-worker.js', import.meta.url), {
      workerData: writerData, transferList: [toWriter.port2, options.vectorUpdates],
    });
    const ready = await firstMessage<PipelineEvent>(writer, (err) => `cannot open the index database: ${err.message}`);
    let embedder: Worker | null = null;
    let embedderState: EmbedderState | null = null;
    let chunkerNext = toWriter.port1;
    if (options.embedding.provider !== 'none') {
      const toEmbedder = new MessageChannel();
      const embedderData: EmbedderData = {
        settings, embedding: options.embedding, home: options.home, env: options.env, chunker: toEmbedder.port2, writer: toWriter.port1,
      };
      embedder = new Worker(new URL('./embedder-worker.js', import.meta.url), {
        workerData: embedderData, transferList: [toEmbedder.port2, toWriter.port1],
      });
      const first = await firstMessage<EmbedderEvent>(embedder, (err) => `the embedder could not start: ${err.message}`);
      if (first.op !== 'embedder-ready') {
        await writer.terminate();
        throw new DindexError('STARTUP_FAILED', `the ${options.embedding.provider} embedder could not start: ${first.op === 'embedder-failed' ? first.message : first.op}`);
      }
      embedderState = first.state;
      chunkerNext = toEmbedder.port1;
    }
    const chunkerData: ChunkerData = { settings, next: chunkerNext };
    const chunker = new Worker(new URL('./chunker-worker.js', import.meta.url), { workerData: chunkerData, transferList: [chunkerNext] });
    const pipeline = new WritePipeline(chunker, embedder, log, options.queueCapacityBytes, options.embedding.provider);
    pipeline.#lastCommitSeq = ready.op === 'ready' ? ready.lastCommitSeq : 0;
    pipeline.#storedJobs = ready.op === 'ready' ? ready.jobs : [];
    if (ready.op === 'ready' && ready.checksSkipped) log.info('database unchanged since a clean stop; start-up checks skipped');
    for (const check of ready.op === 'ready' ? ready.checks : []) {
      if (check.repaired) log.warn({ check: check.name, detail: check.detail }, 'repaired at start');
    }
    pipeline.#embedderState = embedderState;
    pipeline.#onCommit = options.onCommit ?? (() => {});
    for (const worker of [writer, chunker, ...(embedder ? [embedder] : [])]) {
      worker.on('message', (message: PipelineEvent | EmbedderEvent) => pipeline.#onMessage(message));
      worker.on('error', (err) => pipeline.#onWorkerDeath(err));
      worker.on('exit', (code) => {
        if (!pipeline.#closed) pipeline.#onWorkerDeath(new Error(`a pipeline thread exited with code ${code}`));
      });
    }
    return pipeline;
  }

  /** The last commit this daemon made that changed vectors (0 before the first). */
  get vectorsSeq(): number {
    return this.#vectorsSeq;
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

  /** The embedding thread's latest state; null without an embedder. */
  get embedder(): EmbedderState | null {
    return this.#embedderState;
  }

  /** Embeds a search query with the daemon's embedder, ahead of document batches. */
  embedQuery(text: string): Promise<Float32Array> {
    const embedder = this.#embedder;
    if (!embedder) return Promise.reject(new DindexError('MODE_UNAVAILABLE', 'no embedder is configured (embedding.provider = "none")'));
    return this.#queries.request((id) => embedder.postMessage({ op: 'query', id, text } satisfies ToEmbedder));
  }

  /** Runs the database checks in the writer thread, after committing what is queued; repairs what can be rebuilt if asked. */
  doctor(repair: boolean): Promise<IntegrityCheck[]> {
    if (this.#failure) return Promise.reject(this.#failure);
    return this.#reports.request((id) => this.#post({ op: 'doctor', id, repair }));
  }

  /** Drops every vector and queues every chunk to be embedded again with the configured model. */
  reembed(): Promise<BatchResult> {
    if (!this.#embedder) return Promise.reject(new DindexError('MODE_UNAVAILABLE', 'no embedder is configured (embedding.provider = "none"); set one before re-embedding'));
    return this.#submit(0, 0, (batch) => ({ op: 'reembed', batch }));
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

  /**
   * Queues admitted documents; the promise settles once they are committed. A job's
   * checkpoint after these documents commits in the same transaction as they do.
   */
  submitDocuments(documents: Document[], admittedBytes: number, job?: JobCheckpoint): Promise<BatchResult> {
    return this.#submit(admittedBytes, documents.length, (batch) => ({ op: 'documents', batch, documents, ...(job ? { job } : {}) }));
  }

  /** Records a job's new state; settles once committed. */
  saveJob(row: JobStateRow): Promise<BatchResult> {
    return this.#submit(0, 0, (batch) => ({ op: 'job', batch, row }));
  }

  /** The jobs stored in the database when the pipeline started. */
  takeStoredJobs(): JobRow[] {
    const jobs = this.#storedJobs;
    this.#storedJobs = [];
    return jobs;
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

  #onMessage(message: PipelineEvent | EmbedderEvent): void {
    switch (message.op) {
      case 'embedder-ready':
      case 'embedder-state':
        this.#embedderState = message.state;
        break;
      case 'embedder-failed':
        break;
      case 'doctor-report':
        this.#reports.resolve(message.id, message.checks);
        break;
      case 'query-vector':
        this.#queries.resolve(message.id, message.vector);
        break;
      case 'query-failed':
        this.#queries.reject(message.id, new DindexError(message.code, message.message));
        break;
      case 'committed':
        this.#lastCommitSeq = message.seq;
        if (message.vectorsChanged) this.#vectorsSeq = message.seq;
        if (message.tookMs > 0) {
          this.#commits++;
          this.#lastCommitMs = message.tookMs;
          this.#onCommit(message.tookMs);
        }
        for (const outcome of message.batches) this.#settle(outcome.batch, (b) => b.resolve({ ...outcome, seq: message.seq }));
        break;
      case 'failed':
        this.#log.error({ batches: message.batches.length, code: message.code, err: message.message }, 'commit failed');
        for (const batch of message.batches) {
          this.#settle(batch, (b) => b.reject(new DindexError(message.code, `the write was not committed: ${message.message}${ADVICE[message.code]}`)));
        }
        break;
      case 'merged':
        this.#log.info({ steps: message.steps, took_ms: Math.round(message.tookMs) }, 'merged the index segments into one');
        break;
      case 'merge-failed':
        this.#log.warn({ err: message.message }, 'merging the index segments failed; nothing was lost, and merging is tried again after the next commit');
        break;
      case 'checkpoint-failed':
        this.#log.warn({ err: message.message }, 'folding the WAL into the database failed; nothing was lost, and it is tried again after the next commit');
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
    this.#queries.rejectAll(new DindexError('EMBEDDER_UNAVAILABLE', this.#failure.message));
    this.#reports.rejectAll(this.#failure);
    this.#onClosed();
  }
}

const ADVICE: Record<StorageErrorCode, string> = {
  DISK_FULL: '; free some space: writes succeed again once there is room (nothing committed is lost)',
  READ_ONLY: '; make the data directory writable again: searches go on meanwhile',
  STORAGE_ERROR: '',
};

/** The first message of a starting thread, or its start-up failure as STARTUP_FAILED. */
function firstMessage<T>(worker: Worker, describe: (err: Error) => string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    // An error thrown in a thread may arrive without its message (SQLite's own errors do).
    const onError = (err: Error): void => reject(new DindexError('STARTUP_FAILED', describe(err.message ? err : new Error(String(err)))));
    worker.once('error', onError);
    worker.once('message', (message: T) => {
      worker.off('error', onError);
      resolve(message);
    });
  });
}
