import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EncodedFrame, encodeFrame, FrameDecoder, FRAME_HEADER_BYTES } from '../src/frame.js';
import { FrameWriter } from '../src/stream.js';

// msgpackr renames "__proto__" keys on decoding (see the prototype test below).
const jsonValue = fc.jsonValue({ maxDepth: 4 }).filter((v) => !JSON.stringify(v).includes('"__proto__"'));

/** Cuts a buffer at the given (sorted, deduplicated) offsets. */
function split(buffer: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (buffer.length + 1)))].sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let start = 0;
  for (const p of points) {
    parts.push(buffer.subarray(start, p));
    start = p;
  }
  parts.push(buffer.subarray(start));
  return parts;
}

function decodeAll(decoder: FrameDecoder, chunks: Buffer[]): ReturnType<FrameDecoder['push']> {
  return chunks.flatMap((chunk) => decoder.push(chunk));
}

describe('FrameDecoder', () => {
  it('decodes any split of a stream of valid frames into the same messages', () => {
    fc.assert(
      fc.property(fc.array(jsonValue, { minLength: 1, maxLength: 20 }), fc.array(fc.nat(), { maxLength: 30 }), (messages, cuts) => {
        const stream = Buffer.concat(messages.map((m) => encodeFrame(m)));
        const decoded = decodeAll(new FrameDecoder(), split(stream, cuts));
        expect(decoded).toEqual(messages.map((m) => ({ message: JSON.parse(JSON.stringify(m)) as unknown })));
      }),
      { numRuns: 300 },
    );
  });

  it('decodes frames delivered one byte at a time', () => {
    const messages = [{ kind: 'req', id: 1, type: 'ping', body: {} }, 'x'.repeat(70_000), [1, 2, 3]];
    const stream = Buffer.concat(messages.map((m) => encodeFrame(m)));
    const decoder = new FrameDecoder();
    const decoded = [];
    for (let i = 0; i < stream.length; i++) decoded.push(...decoder.push(stream.subarray(i, i + 1)));
    expect(decoded).toEqual(messages.map((m) => ({ message: m })));
    expect(decoder.hasPartialFrame).toBe(false);
  });

  it('never throws on random garbage, and stops after the first error', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 10 }), (chunks) => {
        const decoder = new FrameDecoder({ maxFrameBytes: 1024 });
        const out = decodeAll(decoder, chunks.map((c) => Buffer.from(c)));
        const firstError = out.findIndex((f) => 'error' in f);
        if (firstError >= 0) {
          expect(firstError).toBe(out.length - 1);
          expect(decoder.failed).toBe(true);
          expect(['FRAME_TOO_LARGE', 'BAD_FRAME']).toContain((out[firstError] as { error: { code: string } }).error.code);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('rejects a declared length over the limit before buffering the payload', () => {
    const decoder = new FrameDecoder({ maxFrameBytes: 1000 });
    const header = Buffer.alloc(FRAME_HEADER_BYTES);
    header.writeUInt32BE(1001);
    const [result] = decoder.push(header);
    expect(result).toMatchObject({ error: { code: 'FRAME_TOO_LARGE', details: { length: 1001, max_frame_bytes: 1000 } } });
    expect(decoder.push(encodeFrame('later'))).toEqual([]);
  });

  it('reports a payload that is not MessagePack as BAD_FRAME', () => {
    const payload = Buffer.from([0x92, 0x01]); // an array of two elements holding only one
    const frame = Buffer.concat([Buffer.from([0, 0, 0, 2]), payload]);
    expect(new FrameDecoder().push(frame)).toMatchObject([{ error: { code: 'BAD_FRAME' } }]);
  });

  it('reports an empty payload as BAD_FRAME', () => {
    expect(new FrameDecoder().push(Buffer.from([0, 0, 0, 0]))).toMatchObject([{ error: { code: 'BAD_FRAME' } }]);
  });

  it('cannot be used to pollute prototypes through a "__proto__" key', () => {
    const frame = Buffer.concat([encodeFrame(JSON.parse('{"__proto__": {"polluted": true}}'))]);
    const [decoded] = new FrameDecoder().push(frame) as Array<{ message: Record<string, unknown> }>;
    expect(Object.getPrototypeOf(decoded!.message)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('uses a big-endian length prefix and plain MessagePack maps, no record extensions', () => {
    const frame = encodeFrame({ a: 1 });
    expect(frame.readUInt32BE(0)).toBe(frame.length - 4);
    const marker = frame[4]!;
    expect(marker >= 0x80 && marker <= 0x8f || marker === 0xde || marker === 0xdf).toBe(true);
    expect(frame.subarray(frame.length - 3)).toEqual(Buffer.from([0xa1, 0x61, 0x01]));
  });
});

describe('EncodedFrame', () => {
  it('is written as it is, in order among the frames the writer encodes itself', async () => {
    const stream = new PassThrough();
    const received: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => received.push(chunk));
    const writer = new FrameWriter(stream);
    const answer = { kind: 'res', id: 'req-7', ok: true, body: { results: [{ text: 'x'.repeat(300), score: 1.5 }] } };
    // As a search thread sends it: the bytes arrive as a plain Uint8Array, not a Buffer.
    const encoded = new EncodedFrame(new Uint8Array(encodeFrame(answer)));
    writer.write({ kind: 'event', sub: 1, type: 'a', body: 1 });
    writer.write(encoded);
    writer.write({ kind: 'event', sub: 1, type: 'b', body: 2 });
    await new Promise((resolve) => setImmediate(resolve));
    const messages = new FrameDecoder().push(Buffer.concat(received));
    expect(messages).toEqual([
      { message: { kind: 'event', sub: 1, type: 'a', body: 1 } },
      { message: answer },
      { message: { kind: 'event', sub: 1, type: 'b', body: 2 } },
    ]);
  });
});
