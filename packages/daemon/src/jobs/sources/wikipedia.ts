import { StringDecoder } from 'node:string_decoder';
import { Parser } from 'htmlparser2';
import { z } from 'zod';
import type { Document } from '@dindex/protocol';
import { openCounted } from './byte-counter.js';
import type { Source, SourceItem } from './source.js';
import { wikitextToText } from './wikitext.js';

interface Page {
  title: string;
  ns: string;
  id: string;
  redirect: boolean;
  text: string[];
}

const CheckpointSchema = z.object({ pages: z.number().int().nonnegative() });

/**
 * A MediaWiki XML dump, plain or bzip2, parsed as a stream (constant memory: one page at a
 * time): articles (namespace 0) become documents, redirects and other namespaces are skipped.
 * A page's source is its URL on the wiki (from the dump's `<base>`). Resumes by skipping the
 * pages already committed (counted, not converted): a compressed stream cannot be seeked.
 */
export function wikipediaSource(file: string): Source {
  return async function* (ctx): AsyncIterable<SourceItem> {
    const done = ctx.checkpoint ? CheckpointSchema.parse(ctx.checkpoint).pages : 0;
    const input = openCounted(file, ctx.signal);
    const pages: Page[] = [];
    let pageCount = 0;
    let base: string | null = null;
    let page: Page | null = null;
    const path: string[] = [];
    let text = '';
    const parser = new Parser({
      onopentag(name) {
        path.push(name);
        text = '';
        if (name === 'page') page = { title: '', ns: '', id: '', redirect: false, text: [] };
        else if (name === 'redirect' && page) page.redirect = true;
        // A history dump holds every revision of a page: the last one is the article.
        else if (name === 'revision' && page) page.text = [];
      },
      ontext(data) {
        const parent = path.at(-2);
        const name = path.at(-1);
        if (page && name === 'text' && parent === 'revision') page.text.push(data);
        else text += data;
      },
      onclosetag(name) {
        const parent = path.at(-2);
        path.pop();
        if (name === 'base' && parent === 'siteinfo') base = text.trim();
        else if (page && parent === 'page') {
          if (name === 'title') page.title = text.trim();
          else if (name === 'ns') page.ns = text.trim();
          else if (name === 'id') page.id = text.trim();
        }
        if (name === 'page' && page) {
          pages.push(page);
          page = null;
        }
        text = '';
      },
    }, { xmlMode: true, decodeEntities: true });

    const toItem = (p: Page): SourceItem => {
      pageCount++;
      const checkpoint = { pages: pageCount };
      if (pageCount <= done) return { document: null, checkpoint };
      if (p.ns !== '0' || p.redirect) {
        ctx.reject();
        return { document: null, checkpoint };
      }
      let body: string;
      try {
        body = wikitextToText(p.text.join(''));
      } catch (err) {
        ctx.error(`page "${p.title}"`, `wikitext could not be converted: ${(err as Error).message}`);
        return { document: null, checkpoint };
      }
      if (body === '' || p.title === '') {
        ctx.reject(`page "${p.title}"`, 'no text');
        return { document: null, checkpoint };
      }
      const source = pageUrl(base, p.title) ?? `${file}#${p.title}`;
      const document: Document = { id: source, source, title: p.title, text: body, metadata: { type: 'wikipedia', page_id: p.id } };
      return { document, checkpoint };
    };

    // A chunk may end inside a multi-byte character.
    const utf8 = new StringDecoder('utf8');
    for await (const chunk of input.content) {
      parser.write(utf8.write(chunk));
      for (const p of pages.splice(0)) yield toItem(p);
      ctx.progress(input.bytesRead(), input.size);
    }
    parser.end(utf8.end());
    for (const p of pages.splice(0)) yield toItem(p);
    ctx.progress(input.size, input.size);
  };
}

/** `https://en.wikipedia.org/wiki/Main_Page` + "Ada Lovelace" → `https://en.wikipedia.org/wiki/Ada_Lovelace`. */
function pageUrl(base: string | null, title: string): string | null {
  if (!base) return null;
  try {
    const url = new URL(base);
    const prefix = url.pathname.slice(0, url.pathname.lastIndexOf('/') + 1);
    return `${url.origin}${prefix}${encodeURIComponent(title.replaceAll(' ', '_')).replaceAll('%2F', '/').replaceAll('%3A', ':')}`;
  } catch {
    return null;
  }
}
