import type { Duplex } from 'node:stream';
import {
  FrameReader, FrameWriter, isErrorCode, parseServerMessage,
  type RequestId, type WireError,
} from '@dindex/protocol';
import {
  ConnectionClosedError, RemoteError, RequestCancelledError, RequestTimeoutError,
} from './errors.js';

export interface RequestOptions {
  /** Per-request timeout; 0 waits forever. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Receives the events the daemon pushes for this request (a subscription such as `jobs.watch`). */
  onEvent?: (type: string, body: unknown) => void;
}

/** A request awaiting its answer; one object per request keeps the hot path light. */
class PendingRequest {
  onAbort: (() => void) | null = null;

  constructor(
    readonly id: number,
    readonly type: string,
    readonly resolve: (body: unknown) => void,
    readonly reject: (error: Error) => void,
    /** Epoch ms after which the request times out; 0 for never. */
    readonly deadline: number,
    readonly timeoutMs: number,
    readonly signal: AbortSignal | undefined,
    readonly onEvent: ((type: string, body: unknown) => void) | undefined,
  ) {}

  detach(): void {
    if (this.onAbort) this.signal?.removeEventListener('abort', this.onAbort);
  }
}

/** Timeouts are checked by one sweeping timer, not a timer per request. */
const TIMEOUT_SWEEP_MS = 50;

/**
 * Request/response multiplexing over one byte stream: ids, timeouts, cancellation, events.
 * It knows nothing of sockets or of the request types above it.
 */
export class ClientConnection {
  readonly #stream: Duplex;
  readonly #writer: FrameWriter;
  readonly #reader: FrameReader;
  readonly #pending = new Map<RequestId, PendingRequest>();
  #sweeper: NodeJS.Timeout | null = null;
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

  request(type: string, body: unknown, options: RequestOptions = {}): Promise<unknown> {
    if (this.#closedError) return Promise.reject(this.#closedError);
    if (options.signal?.aborted) return Promise.reject(new RequestCancelledError(type));
    // Respect the socket's backpressure: a fast producer waits instead of buffering without end.
    if (this.#writer.needsDrain) return this.#writer.drained().then(() => this.request(type, body, options));
    const id = this.#nextId++;
    const timeoutMs = options.timeoutMs ?? this.#defaultTimeoutMs;
    return new Promise<unknown>((resolve, reject) => {
      const pending = new PendingRequest(id, type, resolve, reject, timeoutMs > 0 ? Date.now() + timeoutMs : 0, timeoutMs, options.signal, options.onEvent);
      if (options.signal) {
        pending.onAbort = () => this.#abandon(pending, new RequestCancelledError(type));
        options.signal.addEventListener('abort', pending.onAbort, { once: true });
      }
      this.#pending.set(id, pending);
      if (pending.deadline) this.#startSweeper();
      this.#writer.write({ kind: 'req', id, type, body });
    });
  }

  close(): void {
    this.#shutdown(new ConnectionClosedError('the connection was closed by the client'));
    this.#stream.end();
  }

  #onMessage(raw: unknown): void {
    const parsed = parseServerMessage(raw);
    if (!parsed.ok) return;
    const message = parsed.value;
    if (message.kind === 'res') {
      const pending = this.#pending.get(message.id);
      if (!pending) return;
      this.#pending.delete(message.id);
      pending.detach();
      if (message.ok) pending.resolve(message.body);
      else pending.reject(toRemoteError(message.error));
    } else if (message.kind === 'event') {
      this.#pending.get(message.sub)?.onEvent?.(message.type, message.body);
    } else if (message.kind === 'error') {
      this.#shutdown(toRemoteError(message.error));
    }
  }

  /** Gives up on a request (timeout or abort) and tells the daemon to stop working on it. */
  #abandon(pending: PendingRequest, error: Error): void {
    if (!this.#pending.delete(pending.id)) return;
    pending.detach();
    this.#writer.write({ kind: 'cancel', id: pending.id });
    pending.reject(error);
  }

  #startSweeper(): void {
    if (this.#sweeper) return;
    this.#sweeper = setInterval(() => {
      const now = Date.now();
      for (const pending of this.#pending.values()) {
        if (pending.deadline && pending.deadline <= now) this.#abandon(pending, new RequestTimeoutError(pending.type, pending.timeoutMs));
      }
      if (this.#pending.size === 0 && this.#sweeper) {
        clearInterval(this.#sweeper);
        this.#sweeper = null;
      }
    }, TIMEOUT_SWEEP_MS);
    this.#sweeper.unref();
  }

  #shutdown(error: Error): void {
    if (this.#closedError) return;
    this.#closedError = error;
    this.#reader.dispose();
    if (this.#sweeper) clearInterval(this.#sweeper);
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) {
      p.detach();
      p.reject(error);
    }
    this.#stream.destroy();
  }
}

export function toRemoteError(error: WireError): RemoteError {
  return new RemoteError(isErrorCode(error.code) ? error.code : 'INTERNAL', error.message, error.details);
}
