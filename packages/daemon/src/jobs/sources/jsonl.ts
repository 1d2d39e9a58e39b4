import fs from 'node:fs';
import { z } from 'zod';
import { DocumentSchema, MetadataSchema, type Document } from '@dindex/protocol';
import type { Source, SourceItem } from './source.js';

/** A line of a JSONL import; other fields are ignored. */
const LineSchema = z.object({
  id: z.union([z.string().min(1), z.number()]).optional(),
  title: z.string().optional(),
  text: z.string(),
  source: z.string().min(1).optional(),
  metadata: MetadataSchema.optional(),
});

/** A longer line is skipped (and reported) without being held in memory. */
export const MAX_LINE_BYTES = 32 * 1024 * 1024;

const CheckpointSchema = z.object({ offset: z.number().int().nonnegative(), line: z.number().int().nonnegative() });
type Checkpoint = z.infer<typeof CheckpointSchema>;

/**
 * One document per line. A line that is not JSON or not a document is reported with its
 * number and the rest goes on. Resumes at the byte offset after the last committed line.
 */
export function jsonlSource(file: string): Source {
  return async function* (ctx): AsyncIterable<SourceItem> {
    const start: Checkpoint = ctx.checkpoint ? CheckpointSchema.parse(ctx.checkpoint) : { offset: 0, line: 0 };
    const total = fs.statSync(file).size;
    let offset = start.offset;
    let line = start.line;
    let carry: Buffer = Buffer.alloc(0);
    /** Bytes of an over-long line dropped so far; -1 while not inside one. */
    let dropping = -1;
    const stream = fs.createReadStream(file, { start: start.offset, highWaterMark: 256 * 1024, signal: ctx.signal });
    const skipLong = (length: number): SourceItem => {
      line++;
      offset += length + 1;
      ctx.error(`line ${line}`, `longer than ${MAX_LINE_BYTES} bytes (${length}); skipped`);
      return { document: null, checkpoint: { offset, line } };
    };
    const parse = (bytes: Buffer): SourceItem => {
      line++;
      offset += bytes.length + 1;
      const checkpoint: Checkpoint = { offset, line };
      // Windows tools may start the file with a byte-order mark and end lines with CR.
      const text = bytes.toString('utf8').replace(/^\uFEFF/, '').trim();
      if (text === '') return { document: null, checkpoint };
      const document = toDocument(text, file, line);
      if (typeof document === 'string') {
        ctx.error(`line ${line}`, document);
        return { document: null, checkpoint };
      }
      return { document, checkpoint };
    };
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let data = carry.length ? Buffer.concat([carry, chunk]) : chunk;
      let newline: number;
      while ((newline = data.indexOf(0x0a)) !== -1) {
        if (dropping >= 0) {
          yield skipLong(dropping + newline);
          dropping = -1;
        } else yield parse(data.subarray(0, newline));
        data = data.subarray(newline + 1);
      }
      if (dropping >= 0 || data.length > MAX_LINE_BYTES) {
        dropping = Math.max(dropping, 0) + data.length;
        data = Buffer.alloc(0);
      }
      carry = Buffer.from(data);
      ctx.progress(offset + Math.max(dropping, 0) + carry.length, total);
    }
    if (dropping >= 0) {
      const item = skipLong(dropping);
      item.checkpoint = { offset: total, line };
      yield item;
    }
    if (carry.length > 0) {
      const item = parse(carry);
      item.checkpoint = { offset: total, line };
      yield item;
    }
    ctx.progress(total, total);
  };
}

/** The line's document, or why it is not one. */
function toDocument(text: string, file: string, line: number): Document | string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return `not JSON: ${(err as Error).message}`;
  }
  const parsed = LineSchema.safeParse(json);
  if (!parsed.success) return `not a document: ${z.prettifyError(parsed.error).replaceAll('\n', ' ')}`;
  const { id, title, text: body, source, metadata } = parsed.data;
  const where = `${file}:${line}`;
  const document = DocumentSchema.safeParse({
    id: id === undefined ? where : String(id),
    source: source ?? where,
    ...(title === undefined ? {} : { title }),
    text: body,
    ...(metadata === undefined ? {} : { metadata }),
  });
  return document.success ? document.data : `not a valid document: ${z.prettifyError(document.error).replaceAll('\n', ' ')}`;
}
