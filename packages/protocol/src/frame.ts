import { Packr, Unpackr } from 'msgpackr';
import { DindexError } from './errors.js';
import { DEFAULT_MAX_FRAME_BYTES } from './version.js';

/**
 * Frame codec: a 4-byte big-endian payload length, then a MessagePack payload. Records are off
 * so that any MessagePack implementation can speak to us.
 */
export const FRAME_HEADER_BYTES = 4;

const packr = new Packr({ useRecords: false, moreTypes: false });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });

export function encodeFrame(message: unknown): Buffer {
  const payload = packr.pack(message);
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  frame.writeUInt32BE(payload.length, 0);
  payload.copy(frame, FRAME_HEADER_BYTES);
  return frame;
}

export type DecodedFrame = { message: unknown } | { error: DindexError };

export interface FrameDecoderOptions {
  /** Largest payload accepted; a larger declared length is FRAME_TOO_LARGE. */
  maxFrameBytes?: number;
}

/**
 * Streaming decoder: feed it chunks as they arrive, in any split. After the first error it
 * is failed for good, because the byte stream can no longer be trusted to be in step.
 */
export class FrameDecoder {
  readonly #maxFrameBytes: number;
  #chunks: Buffer[] = [];
  #head = 0;
  #buffered = 0;
  #expected: number | null = null;
  #failed = false;

  constructor(options: FrameDecoderOptions = {}) {
    this.#maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  }

  /** True while part of a frame is buffered and waiting for more bytes. */
  get hasPartialFrame(): boolean {
    return this.#buffered > 0 || this.#expected !== null;
  }

  get failed(): boolean {
    return this.#failed;
  }

  push(chunk: Buffer): DecodedFrame[] {
    if (this.#failed) return [];
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    const out: DecodedFrame[] = [];
    for (;;) {
      if (this.#expected === null) {
        if (this.#buffered < FRAME_HEADER_BYTES) break;
        const length = this.#take(FRAME_HEADER_BYTES).readUInt32BE(0);
        if (length > this.#maxFrameBytes) {
          out.push(this.#fail(new DindexError('FRAME_TOO_LARGE',
            `frame of ${length} bytes exceeds max_frame_bytes (${this.#maxFrameBytes})`,
            { length, max_frame_bytes: this.#maxFrameBytes })));
          break;
        }
        this.#expected = length;
      }
      if (this.#buffered < this.#expected) break;
      const payload = this.#take(this.#expected);
      this.#expected = null;
      try {
        out.push({ message: unpackr.unpack(payload) });
      } catch (err) {
        out.push(this.#fail(new DindexError('BAD_FRAME',
          `frame payload is not valid MessagePack: ${(err as Error).message}`)));
        break;
      }
    }
    return out;
  }

  #fail(error: DindexError): DecodedFrame {
    this.#failed = true;
    this.#chunks = [];
    this.#head = 0;
    this.#buffered = 0;
    this.#expected = null;
    return { error };
  }

  /** Removes `n` bytes from the front; copies only when they span chunks. */
  #take(n: number): Buffer {
    this.#buffered -= n;
    const first = this.#chunks[this.#head];
    if (first && first.length >= n) {
      this.#advance(first, n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.#chunks[this.#head]!;
      const used = Math.min(chunk.length, n - filled);
      chunk.copy(out, filled, 0, used);
      filled += used;
      this.#advance(chunk, used);
    }
    return out;
  }

  /** Consumes `used` bytes of the head chunk; a head index keeps this O(1) for many small chunks. */
  #advance(chunk: Buffer, used: number): void {
    if (used < chunk.length) {
      this.#chunks[this.#head] = chunk.subarray(used);
      return;
    }
    this.#head++;
    if (this.#head === this.#chunks.length) {
      this.#chunks = [];
      this.#head = 0;
    } else if (this.#head > 1024) {
      this.#chunks = this.#chunks.slice(this.#head);
      this.#head = 0;
    }
  }
}
