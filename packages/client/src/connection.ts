import type { Duplex } from 'node:stream';
import {
  FrameReader, FrameWriter, ServerMessageSchema, isErrorCode,
  type EventEnvelope, type RequestId, type WireError,
} from '@dindex/protocol';
import {
  ConnectionClosedError, RemoteError, RequestCancelledError, RequestTimeoutError,
} from './errors.js';

export interface RequestOptions {
  /** Per-request timeout; 0 waits forever. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

interface Pending {
  resolve(body: unknown): void;
  reject(error: Error): void;
}

/**
 * Request/response multiplexing over one byte stream: ids, timeouts, cancellation, events.
 * It knows nothing of sockets or of the request types above it.
 */
export class ClientConnection {
  readonly #stream: Duplex;
  readonly #writer: FrameWriter;
  readonly #reader: FrameReader;
  readonly #pending = new Map<RequestId, Pending>();
  readonly #subscribers = new Map<RequestId, (event: EventEnvelope) => void>();
  readonly #defaultTimeoutMs: number;
  #nextId = 1;
  #closedError: Error | null = null;

  constructor(stream: Duplex, options: { defaultTimeoutMs: number }) {
    this.#stream = stream;
    this.#defaultTimeoutMs = options.defaultTimeoutMs;
    this.#writer = new FrameWriter(stream);
    this.#reader = new FrameReader(stream, {
      message: (message) => this.#onMessage(message),
      error: (error) => this.#shutdown(error),
      end: () => this.#shutdown(new ConnectionClosedError()),
    }, { frameTimeoutMs: 0, maxFrameBytes: 1024 * 1024 * 1024 });
    stream.on('error', (err) => this.#shutdown(new ConnectionClosedError(`connection to the daemon failed: ${err.message}`)));
  }

  get closed(): boolean {
    return this.#closedError !== null;
  }

  get pendingCount(): number {
    return this.#pending.size;
  }

  async request(type: string, body: unknown, options: RequestOptions = {}): Promise<unknown> {
    if (this.#closedError) throw this.#closedError;
    if (options.signal?.aborted) throw new RequestCancelledError(type);
    // Respect the socket's backpressure: a fast producer waits instead of buffering without end.
    if (this.#writer.needsDrain) await this.#writer.drained();
    const id = this.#nextId++;
    const timeoutMs = options.timeoutMs ?? this.#defaultTimeoutMs;
    return new Promise<unknown>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = (): void => settle(new RequestCancelledError(type), true);
      const settle = (result: { body: unknown } | Error, cancel = false): void => {
        if (!this.#pending.delete(id)) return;
        if (timer) clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        if (cancel) this.#writer.write({ kind: 'cancel', id });
        if (result instanceof Error) reject(result);
        else resolve(result.body);
      };
      this.#pending.set(id, { resolve: (b) => settle({ body: b }), reject: (e) => settle(e) });
      if (timeoutMs > 0) timer = setTimeout(() => settle(new RequestTimeoutError(type, timeoutMs), true), timeoutMs);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.#writer.write({ kind: 'req', id, type, body });
    });
  }

  /** Routes events of subscription `sub` (a request id) to `listener` until unsubscribed. */
  subscribe(sub: RequestId, listener: (event: EventEnvelope) => void): () => void {
    this.#subscribers.set(sub, listener);
    return () => this.#subscribers.delete(sub);
  }

  /** Id the next request will get; lets a caller subscribe before the request goes out. */
  peekNextId(): number {
    return this.#nextId;
  }

  close(): void {
    this.#shutdown(new ConnectionClosedError('the connection was closed by the client'));
    this.#stream.end();
  }

  #onMessage(raw: unknown): void {
    const parsed = ServerMessageSchema.safeParse(raw);
    if (!parsed.success) return;
    const message = parsed.data;
    if (message.kind === 'res') {
      const pending = this.#pending.get(message.id);
      if (!pending) return;
      if (message.ok) pending.resolve(message.body);
      else pending.reject(toRemoteError(message.error));
    } else if (message.kind === 'event') {
      this.#subscribers.get(message.sub)?.(message);
    } else {
      this.#shutdown(toRemoteError(message.error));
    }
  }

  #shutdown(error: Error): void {
    if (this.#closedError) return;
    this.#closedError = error;
    this.#reader.dispose();
    for (const pending of [...this.#pending.values()]) pending.reject(error);
    this.#subscribers.clear();
    this.#stream.destroy();
  }
}

export function toRemoteError(error: WireError): RemoteError {
  return new RemoteError(isErrorCode(error.code) ? error.code : 'INTERNAL', error.message, error.details);
}
