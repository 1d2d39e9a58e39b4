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

/**
 * A whole frame encoded ahead, for instance an answer made and encoded by the thread that
 * computed it: the thread that sends it only hands its bytes to the socket. The answer is
 * sent right after that thread wakes, when its caches are cold, so encoding the envelope and
 * copying the body there cost a tenth of a millisecond per search.
 */
export class EncodedFrame {
  constructor(readonly bytes: Uint8Array) {}
}

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

const NO_FRAMES: DecodedFrame[] = [];

/**
 * Streaming decoder: feed it chunks as they arrive, in any split. Whole frames are decoded in
 * place from the chunk; only an incomplete tail is kept, and a frame spread over many chunks
 * is joined once, when its last byte arrives. After the first error the decoder is failed for
 * good, because the byte stream can no longer be trusted to be in step.
 */
export class FrameDecoder {
  readonly #maxFrameBytes: number;
  /** Bytes of an incomplete frame, waiting for `#needed` bytes in all. */
  #parts: Buffer[] = [];
  #partsBytes = 0;
  #needed = FRAME_HEADER_BYTES;
  #failed = false;

  constructor(options: FrameDecoderOptions = {}) {
    this.#maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  }

  /** True while part of a frame is buffered and waiting for more bytes. */
  get hasPartialFrame(): boolean {
    return this.#partsBytes > 0;
  }

  get failed(): boolean {
    return this.#failed;
  }

  push(chunk: Buffer): DecodedFrame[] {
    if (this.#failed || chunk.length === 0) return NO_FRAMES;
    let buffer = chunk;
    if (this.#partsBytes > 0) {
      this.#parts.push(chunk);
      this.#partsBytes += chunk.length;
      if (this.#partsBytes < this.#needed) return NO_FRAMES;
      buffer = Buffer.concat(this.#parts, this.#partsBytes);
      this.#parts = [];
      this.#partsBytes = 0;
    }
    let out = NO_FRAMES;
    let offset = 0;
    for (;;) {
      const remaining = buffer.length - offset;
      if (remaining < FRAME_HEADER_BYTES) {
        this.#needed = FRAME_HEADER_BYTES;
        break;
      }
      const length = buffer.readUInt32BE(offset);
      if (length > this.#maxFrameBytes) {
        return [...out, this.#fail(new DindexError('FRAME_TOO_LARGE',
          `frame of ${length} bytes exceeds max_frame_bytes (${this.#maxFrameBytes})`,
          { length, max_frame_bytes: this.#maxFrameBytes }))];
      }
      if (remaining < FRAME_HEADER_BYTES + length) {
        this.#needed = FRAME_HEADER_BYTES + length;
        break;
      }
      const start = offset + FRAME_HEADER_BYTES;
      offset = start + length;
      let message: unknown;
      try {
        if (length === 0) throw new Error('empty payload');
        message = unpackr.unpack(buffer.subarray(start, offset));
      } catch (err) {
        return [...out, this.#fail(new DindexError('BAD_FRAME', `frame payload is not valid MessagePack: ${(err as Error).message}`))];
      }
      if (out === NO_FRAMES) out = [];
      out.push({ message });
    }
    if (offset < buffer.length) {
      this.#parts = [buffer.subarray(offset)];
      this.#partsBytes = buffer.length - offset;
    }
    return out;
  }

  #fail(error: DindexError): DecodedFrame {
    this.#failed = true;
    this.#parts = [];
    this.#partsBytes = 0;
    return { error };
  }
}
