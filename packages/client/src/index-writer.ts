import type { Document, ResponseBody } from '@dindex/protocol';
import type { ClientConnection } from './connection.js';

export interface IndexWriterOptions {
  /** Documents per `index.docs` request. @default 500 */
  batchDocuments?: number;
  /** Text bytes per `index.docs` request. @default 4 MiB */
  batchBytes?: number;
  /** `index.docs` requests in flight at once; the daemon holds answers back when its queue is full. @default 4 */
  inflight?: number;
  /** Called after each batch the daemon accepted. */
  onProgress?: (progress: { sent: number; accepted: number }) => void;
}

export type IndexSummary = ResponseBody<'index.end'>;

/**
 * One `index.begin` … `index.end` stream. `add` batches documents and keeps a few batches in
 * flight; it waits when the daemon applies backpressure. `end` resolves once every document
 * is committed and durable.
 */
export class IndexWriter {
  readonly #connection: ClientConnection;
  readonly #stream: string;
  readonly #batchDocuments: number;
  readonly #batchBytes: number;
  readonly #maxInflight: number;
  readonly #onProgress: IndexWriterOptions['onProgress'];
  #batch: Document[] = [];
  #batchSize = 0;
  #inflight = new Set<Promise<unknown>>();
  #failure: unknown = null;
  #sent = 0;
  #accepted = 0;

  constructor(connection: ClientConnection, stream: string, options: IndexWriterOptions = {}) {
    this.#connection = connection;
    this.#stream = stream;
    this.#batchDocuments = options.batchDocuments ?? 500;
    this.#batchBytes = options.batchBytes ?? 4 * 1024 * 1024;
    this.#maxInflight = options.inflight ?? 4;
    this.#onProgress = options.onProgress;
  }

  get stream(): string {
    return this.#stream;
  }

  async add(document: Document): Promise<void> {
    if (this.#failure) throw this.#failure;
    this.#batch.push(document);
    this.#batchSize += document.text.length + (document.title?.length ?? 0);
    if (this.#batch.length >= this.#batchDocuments || this.#batchSize >= this.#batchBytes) await this.flush();
  }

  /** Sends the current batch now (waiting if too many are in flight). */
  async flush(): Promise<void> {
    if (this.#batch.length === 0) return;
    const documents = this.#batch;
    this.#batch = [];
    this.#batchSize = 0;
    while (this.#inflight.size >= this.#maxInflight) await Promise.race(this.#inflight);
    if (this.#failure) throw this.#failure;
    this.#sent += documents.length;
    const request = this.#connection
      .request('index.docs', { stream: this.#stream, documents }, { timeoutMs: 0 })
      .then(() => {
        this.#accepted += documents.length;
        this.#onProgress?.({ sent: this.#sent, accepted: this.#accepted });
      }, (err: unknown) => {
        this.#failure ??= err;
      })
      .finally(() => this.#inflight.delete(request));
    this.#inflight.add(request);
  }

  /** Flushes, then waits until the daemon has committed everything in the stream. */
  async end(): Promise<IndexSummary> {
    await this.flush();
    await Promise.all(this.#inflight);
    if (this.#failure) throw this.#failure;
    return (await this.#connection.request('index.end', { stream: this.#stream }, { timeoutMs: 0 })) as IndexSummary;
  }
}
