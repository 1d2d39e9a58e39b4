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
 * A value already encoded as MessagePack, for instance in the thread that computed it, so the
 * thread that sends it copies bytes instead of walking the object again. It may stand as the
 * `body` of an answer envelope.
 */
export class EncodedValue {
  constructor(readonly bytes: Uint8Array) {}

  /** Copied out of the encoder's reusable buffer, so it can be kept or transferred. */
  static of(value: unknown): EncodedValue {
    return new EncodedValue(new Uint8Array(packr.pack(value)));
  }
}

const BODY_KEY = new Uint8Array(packr.pack('body'));
/** MessagePack map headers (fixmap, or map16 as msgpackr writes objects): three keys become four. */
const FIXMAP_3 = 0x83;
const MAP16 = 0xde;

export function encodeFrame(message: unknown): Buffer {
  const body = (message as { body?: unknown } | null)?.body;
  if (body instanceof EncodedValue) return encodeWithEncodedBody(message as { body: EncodedValue }, body);
  const payload = packr.pack(message);
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  frame.writeUInt32BE(payload.length, 0);
  payload.copy(frame, FRAME_HEADER_BYTES);
  return frame;
}

/** The envelope's other three fields encoded as a map, widened to four with the body's bytes appended. */
function encodeWithEncodedBody(message: { body: EncodedValue }, body: EncodedValue): Buffer {
  const { body: _, ...rest } = message;
  const head = packr.pack(rest);
  const length = head.length + BODY_KEY.length + body.bytes.length;
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + length);
  frame.writeUInt32BE(length, 0);
  head.copy(frame, FRAME_HEADER_BYTES);
  if (head[0] === FIXMAP_3) frame[FRAME_HEADER_BYTES] = FIXMAP_3 + 1;
  else if (head[0] === MAP16 && head.readUInt16BE(1) === 3) frame.writeUInt16BE(4, FRAME_HEADER_BYTES + 1);
  else throw new Error('an encoded body needs an envelope of exactly three other fields');
  frame.set(BODY_KEY, FRAME_HEADER_BYTES + head.length);
  frame.set(body.bytes, FRAME_HEADER_BYTES + head.length + BODY_KEY.length);
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
