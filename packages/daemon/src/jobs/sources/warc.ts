import { WARCParser } from 'warcio';
import { z } from 'zod';
import { readHtml } from '../web/html-text.js';
import { classifyContentType } from '../web/content-type.js';
import { openCounted } from './byte-counter.js';
import type { Source, SourceItem } from './source.js';

const CheckpointSchema = z.object({ records: z.number().int().nonnegative() });

/**
 * A web archive, `.warc` or `.warc.gz` (warcio reads both): every successful `response`
 * record of HTML or text becomes a document whose source is the record's target URL, HTML
 * reduced to its main content. Other records are skipped. Resumes by skipping the records
 * already committed.
 */
export function warcSource(file: string, maxBodyBytes: number): Source {
  return async function* (ctx): AsyncIterable<SourceItem> {
    const done = ctx.checkpoint ? CheckpointSchema.parse(ctx.checkpoint).records : 0;
    const input = openCounted(file, ctx.signal);
    let records = 0;
    for await (const record of new WARCParser(input.content)) {
      if (!record.warcHeaders.protocol?.startsWith('WARC/')) {
        throw new Error(`${file} is not a WARC file: record ${records + 1} starts with "${(record.warcHeaders.statusline ?? '').slice(0, 40)}"`);
      }
      records++;
      const checkpoint = { records };
      ctx.progress(input.bytesRead(), input.size);
      if (records <= done || record.warcType !== 'response') {
        yield { document: null, checkpoint };
        continue;
      }
      const url = record.warcTargetURI ?? '';
      const status = Number(record.httpHeaders?.statusCode ?? 0);
      const kind = classifyContentType(record.httpHeaders?.headers.get('content-type') ?? null);
      const length = Number(record.warcHeaders.headers.get('content-length') ?? 0);
      if (!/^https?:\/\//.test(url) || status < 200 || status > 299 || kind === null) {
        ctx.reject();
        yield { document: null, checkpoint };
        continue;
      }
      if (length > maxBodyBytes) {
        ctx.reject(url, `record of ${length} bytes is over scrape.max_body_bytes`);
        yield { document: null, checkpoint };
        continue;
      }
      let body: string;
      try {
        body = await record.contentText();
      } catch (err) {
        ctx.error(url, `record could not be read: ${(err as Error).message}`);
        yield { document: null, checkpoint };
        continue;
      }
      const page = kind === 'html' ? readHtml(body, url) : { title: '', text: body.trim() };
      if (page.text === '') {
        ctx.reject(url, 'no text');
        yield { document: null, checkpoint };
        continue;
      }
      const date = record.warcHeaders.headers.get('warc-date');
      yield {
        document: { id: url, source: url, title: page.title || url, text: page.text, metadata: { type: 'web', ...(date ? { fetched_at: date } : {}) } },
        checkpoint,
      };
    }
    ctx.progress(input.size, input.size);
  };
}
