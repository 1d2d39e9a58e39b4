import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import {
  DindexError, EncodedFrame, FrameReader, FrameWriter, parseClientMessage,
  type RequestEnvelope, type RequestId, type ServerMessage, type WireError,
} from '@dindex/protocol';
import type { ConnectionHandle, DaemonServices, RequestContext } from './context.js';
import type { Dispatch } from './dispatcher.js';

export interface ConnectionLimits {
  maxFrameBytes: number;
  frameTimeoutMs: number;
  maxInflight: number;
}

export interface ConnectionDeps {
  dispatch: Dispatch;
  daemon: DaemonServices;
  log: Logger;
  limits: ConnectionLimits;
  onClose(connection: Connection): void;
}

let nextConnectionId = 1;

/**
 * One client connection: requests run concurrently and are answered by id. Flow control is
 * the point of this class: past `maxInflight` unanswered requests, or while the peer is not
 * reading its answers, the daemon stops reading from the socket, so a client can only ever
 * make the daemon buffer a bounded amount for it.
 */
export class Connection implements ConnectionHandle {
  readonly id = nextConnectionId++;
  readonly #socket: Duplex;
  readonly #deps: ConnectionDeps;
  readonly #log: Logger;
  readonly #reader: FrameReader;
  readonly #writer: FrameWriter;
  readonly #inflight = new Map<RequestId, InFlight>();
  #idleWaiters: Array<() => void> = [];
  #handshaken = false;
  #closed = false;
  #waitingForDrain = false;
  #holds = 0;

  constructor(socket: Duplex, deps: ConnectionDeps) {
    this.#socket = socket;
    this.#deps = deps;
    this.#log = deps.log.child({ conn: this.id });
    this.#writer = new FrameWriter(socket);
    this.#reader = new FrameReader(socket, {
      message: (message) => this.#onMessage(message),
      error: (error) => this.fail(error),
      end: () => this.#onClosed(),
    }, { maxFrameBytes: deps.limits.maxFrameBytes, frameTimeoutMs: deps.limits.frameTimeoutMs });
    socket.on('error', (err) => this.#log.debug({ err }, 'socket error'));
  }

  get inflight(): number {
    return this.#inflight.size;
  }

  completeHandshake(): void {
    this.#handshaken = true;
  }

  holdReading(until: Promise<unknown>): void {
    this.#holds++;
    this.#updateFlow();
    const release = (): void => {
      this.#holds--;
      this.#updateFlow();
    };
    until.then(release, release);
  }

  /** Resolves when no request of this connection is running. */
  whenIdle(): Promise<void> {
    if (this.#inflight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Sends a connection-level error and closes: the byte stream can no longer be trusted. */
  fail(error: DindexError): void {
    if (this.#closed) return;
    this.#log.info({ code: error.code, msg: error.message }, 'closing connection after protocol error');
    this.#deps.daemon.metrics.connectionError(error.code);
    this.#send({ kind: 'error', error: toWireError(error) });
    this.close();
  }

  close(): void {
    if (this.#closed) return;
    this.#reader.pause();
    this.#socket.end();
    // A peer that never reads could hold the half-closed socket forever.
    setTimeout(() => this.#socket.destroy(), 1000).unref();
  }

  #onMessage(raw: unknown): void {
    const parsed = parseClientMessage(raw);
    if (!parsed.ok) {
      this.fail(new DindexError('BAD_FRAME', `not a valid message envelope: ${parsed.error}`));
      return;
    }
    const message = parsed.value;
    if (message.kind === 'cancel') {
      this.#inflight.get(message.id)?.cancel();
      return;
    }
    if (this.#inflight.has(message.id)) {
      this.#answerError(message.id, new DindexError('DUPLICATE_REQUEST_ID',
        `request id ${String(message.id)} is already in flight on this connection`));
      return;
    }
    this.#start(message);
  }

  /** Runs a request; a handler that answers synchronously is answered in the same tick. */
  #start(request: RequestEnvelope): void {
    const started = performance.now();
    const scope = new RequestScope(request.id, this, this.#deps.daemon, this.#log, (type, body) => this.#event(request.id, type, body));
    let outcome: unknown;
    try {
      this.#admit(request);
      outcome = this.#deps.dispatch(request.type, request.body, scope);
    } catch (err) {
      this.#finish(request, started, err, false);
      return;
    }
    if (!(outcome instanceof Promise)) {
      this.#finish(request, started, outcome, true);
      return;
    }
    const flight = scope.flight;
    this.#inflight.set(request.id, flight);
    this.#updateFlow();
    flight.settle(outcome).then(
      (body) => this.#finish(request, started, body, true),
      (err: unknown) => this.#finish(request, started, err, false),
    ).finally(() => {
      this.#inflight.delete(request.id);
      this.#updateFlow();
      if (this.#inflight.size === 0) {
        for (const resolve of this.#idleWaiters.splice(0)) resolve();
      }
    });
  }

  #admit(request: RequestEnvelope): void {
    if (!this.#handshaken && request.type !== 'hello') {
      throw new DindexError('HANDSHAKE_REQUIRED', `send hello before "${request.type}": the first request on a connection is the handshake`);
    }
    if (this.#deps.daemon.state() === 'draining') {
      throw new DindexError('SHUTTING_DOWN', 'the daemon is shutting down and accepts no new requests');
    }
  }

  #finish(request: RequestEnvelope, started: number, result: unknown, ok: boolean): void {
    if (ok) {
      try {
        this.#send(result instanceof EncodedFrame ? result : { kind: 'res', id: request.id, ok: true, body: result });
      } catch (err) {
        // An answer that cannot be encoded is a daemon fault; the client still gets an answer.
        this.#finish(request, started, err, false);
        return;
      }
      this.#deps.daemon.metrics.request(request.type, 'ok');
    } else {
      if (!(result instanceof DindexError)) this.#log.error({ err: result, id: request.id, type: request.type }, 'request failed');
      const error = toWireError(result);
      this.#send({ kind: 'res', id: request.id, ok: false, error });
      this.#deps.daemon.metrics.request(request.type, error.code);
    }
    if (this.#log.isLevelEnabled('debug')) {
      this.#log.debug({ id: request.id, type: request.type, ms: performance.now() - started, ok }, 'request');
    }
  }

  #answerError(id: RequestId, err: unknown): void {
    this.#send({ kind: 'res', id, ok: false, error: toWireError(err) });
  }

  /**
   * An event of a subscription. Events are snapshots that the next one supersedes, so while
   * the peer is not reading they are dropped rather than buffered.
   */
  #event(sub: RequestId, type: string, body: unknown): void {
    if (this.#writer.needsDrain || !this.#inflight.has(sub)) return;
    this.#send({ kind: 'event', sub, type, body });
  }

  #send(message: ServerMessage | EncodedFrame): void {
    if (this.#closed) return;
    if (!this.#writer.write(message)) this.#updateFlow();
  }

  /** Reads from the peer only while it has room for more requests and reads its answers. */
  #updateFlow(): void {
    if (this.#closed) return;
    const drainNeeded = this.#writer.needsDrain;
    if (drainNeeded && !this.#waitingForDrain) {
      this.#waitingForDrain = true;
      void this.#writer.drained().then(() => {
        this.#waitingForDrain = false;
        this.#updateFlow();
      });
    }
    if (drainNeeded || this.#holds > 0 || this.#inflight.size >= this.#deps.limits.maxInflight) this.#reader.pause();
    else this.#reader.resume();
  }

  #onClosed(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#reader.dispose();
    for (const flight of this.#inflight.values()) flight.cancel();
    this.#socket.destroy();
    this.#deps.onClose(this);
  }
}

export function toWireError(err: unknown): WireError {
  if (err instanceof DindexError) {
    return err.details === undefined
      ? { code: err.code, message: err.message }
      : { code: err.code, message: err.message, details: err.details };
  }
  return { code: 'INTERNAL', message: `internal error: ${(err as Error)?.message ?? String(err)}` };
}

/** The context a handler sees. Most requests answer at once, so in-flight state is made lazily. */
class RequestScope implements RequestContext {
  #flight: InFlight | null = null;

  constructor(
    readonly requestId: RequestId,
    readonly connection: ConnectionHandle,
    readonly daemon: DaemonServices,
    readonly log: Logger,
    readonly emit: (type: string, body: unknown) => void,
  ) {}

  get flight(): InFlight {
    this.#flight ??= new InFlight();
    return this.#flight;
  }

  get signal(): AbortSignal {
    return this.flight.signal;
  }
}

/**
 * A request that is still running. AbortControllers are costly to make, and few handlers look
 * at the signal, so the controller is created only when a handler asks for it.
 */
class InFlight {
  #controller: AbortController | null = null;
  #reject: ((err: DindexError) => void) | null = null;
  #cancelled = false;

  get signal(): AbortSignal {
    this.#controller ??= new AbortController();
    if (this.#cancelled) this.#controller.abort();
    return this.#controller.signal;
  }

  /** Settles with the work, or with CANCELLED as soon as the request is cancelled. */
  settle(work: Promise<unknown>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.#reject = reject;
      work.then(resolve, reject);
    });
  }

  cancel(): void {
    if (this.#cancelled) return;
    this.#cancelled = true;
    this.#controller?.abort();
    this.#reject?.(new DindexError('CANCELLED', 'the request was cancelled'));
  }
}
