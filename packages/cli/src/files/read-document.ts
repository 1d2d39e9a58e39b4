import fs from 'node:fs';
import path from 'node:path';
import type { Document } from '@dindex/client';

export type ReadOutcome =
  | { kind: 'document'; document: Document }
  | { kind: 'binary' }
  | { kind: 'too-large'; bytes: number };

const HTML = new Set(['.html', '.htm', '.xhtml']);
const MARKDOWN = new Set(['.md', '.markdown', '.mdx']);
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads one file as a document: text as is, Markdown as is (the daemon's chunker follows its
 * headings), HTML converted to text. Binary files (a NUL byte, or not UTF-8) are refused.
 * Read synchronously: files come one at a time anyway, and each of fs/promises' four calls per
 * file (open, stat, read, close) costs a trip through the thread pool — for a folder of small
 * files, most of the CPU an import took here, on a machine the daemon shares.
 */
export async function readDocument(file: string, maxBytes: number): Promise<ReadOutcome> {
  const fd = fs.openSync(file, 'r');
  let bytes: Buffer;
  try {
    const { size } = fs.fstatSync(fd);
    if (size > maxBytes) return { kind: 'too-large', bytes: size };
    bytes = fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  const text = decodeText(bytes);
  if (text === null) return { kind: 'binary' };
  return { kind: 'document', document: await toDocument(file, text) };
}

export async function toDocument(source: string, text: string): Promise<Document> {
  const ext = path.extname(source).toLowerCase();
  if (HTML.has(ext)) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1]?.trim();
    return { id: source, source, title: title || path.basename(source), text: (await htmlConverter())(text), metadata: { type: 'html' } };
  }
  const markdown = MARKDOWN.has(ext);
  const title = markdown ? /^#\s+(.+)$/m.exec(text)?.[1]?.trim() : undefined;
  return { id: source, source, title: title ?? path.basename(source), text, metadata: { type: markdown ? 'markdown' : 'text' } };
}

export function decodeText(bytes: Buffer): string | null {
  if (bytes.subarray(0, 8192).includes(0)) return null;
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

let converter: ((html: string) => string) | null = null;

/** html-to-text, loaded on the first HTML file (start-up stays lean) and set up once. */
async function htmlConverter(): Promise<(html: string) => string> {
  if (!converter) {
    const { compile } = await import('html-to-text');
    converter = compile({
      wordwrap: false,
      selectors: [
        { selector: 'a', options: { ignoreHref: true } },
        { selector: 'img', format: 'skip' },
        { selector: 'nav', format: 'skip' },
      ],
    });
  }
  return converter;
}
