import type { Readable, Writable } from 'node:stream';
import { DindexError } from './errors.js';
import { EncodedFrame, FrameDecoder, encodeFrame, type DecodedFrame } from './frame.js';
import { DEFAULT_FRAME_TIMEOUT_MS, DEFAULT_MAX_FRAME_BYTES } from './version.js';

/**
 * Frames over any byte stream. The daemon and the client both build their connection logic on
 * these two classes and never touch framing; tests drive them over in-memory streams.
 */
export interface FrameReaderOptions {
  maxFrameBytes?: number;
  /** A partial frame that receives no bytes for this long is FRAME_TIMEOUT. 0 disables. */
  frameTimeoutMs?: number;
}

export interface FrameReaderHandlers {
  message(message: unknown): void;
  /** A framing error; the stream is out of step and should be closed. */
  error(error: DindexError): void;
  end(): void;
}

export class FrameReader {
  readonly #stream: Readable;
  readonly #decoder: FrameDecoder;
  readonly #frameTimeoutMs: number;
  readonly #handlers: FrameReaderHandlers;
  /** Frames decoded from one chunk but not yet delivered because the reader was paused. */
  #queue: DecodedFrame[] = [];
  #paused = false;
  #ended = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(stream: Readable, handlers: FrameReaderHandlers, options: FrameReaderOptions = {}) {
    this.#stream = stream;
    this.#handlers = handlers;
    this.#decoder = new FrameDecoder({ maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES });
    this.#frameTimeoutMs = options.frameTimeoutMs ?? DEFAULT_FRAME_TIMEOUT_MS;
    stream.on('data', this.#onData);
    stream.on('end', this.#onEnd);
    stream.on('close', this.#onEnd);
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** Stops delivering messages and reading bytes (backpressure towards the peer). */
  pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    this.#stream.pause();
    this.#clearTimer();
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#drainQueue();
    if (!this.#paused) {
      this.#stream.resume();
      this.#armTimer();
    }
  }

  dispose(): void {
    this.#clearTimer();
    this.#queue = [];
    this.#stream.off('data', this.#onData);
    this.#stream.off('end', this.#onEnd);
    this.#stream.off('close', this.#onEnd);
  }

  #onData = (chunk: Buffer): void => {
    const frames = this.#decoder.push(chunk);
    if (frames.length > 0) {
      if (this.#queue.length === 0) this.#queue = frames;
      else this.#queue.push(...frames);
      this.#drainQueue();
    }
    this.#armTimer();
  };

  #onEnd = (): void => {
    if (this.#ended) return;
    this.#ended = true;
    this.#clearTimer();
    this.#handlers.end();
  };

  #drainQueue(): void {
    const queue = this.#queue;
    let next = 0;
    while (!this.#paused && next < queue.length) {
      const frame = queue[next++]!;
      if ('error' in frame) {
        this.#queue = [];
        this.#clearTimer();
        this.#handlers.error(frame.error);
        return;
      }
      this.#handlers.message(frame.message);
    }
    // A handler may have replaced the queue (dispose); keep only what is still undelivered.
    if (this.#queue === queue) this.#queue = next < queue.length ? queue.slice(next) : [];
  }

  #armTimer(): void {
    if (this.#timer) this.#clearTimer();
    if (this.#frameTimeoutMs <= 0 || this.#paused || this.#decoder.failed) return;
    if (!this.#decoder.hasPartialFrame) return;
    this.#timer = setTimeout(() => {
      this.#handlers.error(new DindexError('FRAME_TIMEOUT',
        `partial frame stalled for ${this.#frameTimeoutMs} ms`, { frame_timeout_ms: this.#frameTimeoutMs }));
    }, this.#frameTimeoutMs);
    this.#timer.unref();
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

/**
 * Writes frames; `write` returns false when the peer is not keeping up (see `drained`).
 * The first frame of a tick goes out at once (lowest latency); any further frames of the same
 * tick are corked and leave together in one system call (highest throughput).
 */
export class FrameWriter {
  readonly #stream: Writable;
  #wroteThisTick = false;
  #corked = false;
  #drained: Promise<void> | null = null;
  readonly #endTick = (): void => {
    this.#wroteThisTick = false;
    if (this.#corked) {
      this.#corked = false;
      this.#stream.uncork();
    }
  };

  constructor(stream: Writable) {
    this.#stream = stream;
  }

  /** A message, or a frame already encoded (which is written as it is). */
  write(message: unknown): boolean {
    if (this.#stream.destroyed || this.#stream.writableEnded) return false;
    if (!this.#wroteThisTick) {
      this.#wroteThisTick = true;
      process.nextTick(this.#endTick);
    } else if (!this.#corked) {
      this.#corked = true;
      this.#stream.cork();
    }
    return this.#stream.write(message instanceof EncodedFrame ? message.bytes : encodeFrame(message));
  }

  /** Bytes accepted but not yet handed to the operating system. */
  get bufferedBytes(): number {
    return this.#stream.writableLength;
  }

  get needsDrain(): boolean {
    return this.#stream.writableNeedDrain;
  }

  /** Resolves once buffered bytes are flushed (or the stream closes); one shared wait. */
  drained(): Promise<void> {
    if (!this.#stream.writableNeedDrain || this.#stream.destroyed) return Promise.resolve();
    this.#drained ??= new Promise<void>((resolve) => {
      const done = (): void => {
        this.#stream.off('drain', done);
        this.#stream.off('close', done);
        this.#drained = null;
        resolve();
      };
      this.#stream.on('drain', done);
      this.#stream.on('close', done);
    });
    return this.#drained;
  }
}
