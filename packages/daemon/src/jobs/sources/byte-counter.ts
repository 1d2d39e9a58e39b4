import fs from 'node:fs';
import { PassThrough, pipeline } from 'node:stream';
import bz2 from 'unbzip2-stream';

/** A file read as a stream, with the count of its bytes read so far (progress against its size). */
export interface CountedFile {
  readonly size: number;
  readonly bytesRead: () => number;
  /** The file's content, decompressed when it is bzip2 (by its magic bytes, not its name). */
  readonly content: AsyncIterable<Buffer>;
}

export function openCounted(file: string, signal: AbortSignal): CountedFile {
  const size = fs.statSync(file).size;
  const raw = fs.createReadStream(file, { highWaterMark: 256 * 1024, signal });
  let content: AsyncIterable<Buffer> = raw;
  if (isBzip2(file)) {
    // unbzip2-stream is a classic stream: pipeline() gives errors and the end a modern reader sees.
    const out = new PassThrough();
    pipeline(raw, bz2(), out, () => {});
    content = (async function* () {
      try {
        yield* out as AsyncIterable<Buffer>;
      } catch (err) {
        if (signal.aborted) throw err;
        throw new Error(`${file} is damaged or not bzip2: it could not be decompressed`);
      }
    })();
  }
  return { size, bytesRead: () => raw.bytesRead, content };
}

function isBzip2(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(3);
    fs.readSync(fd, head, 0, 3, 0);
    return head.toString('latin1') === 'BZh';
  } finally {
    fs.closeSync(fd);
  }
}
