import os from 'node:os';
import { connect, type GlobalOptions } from '../context.js';
import { CliError } from '../errors.js';
import { decodeText, readDocument, toDocument } from '../files/read-document.js';
import { walkFiles } from '../files/walk.js';
import { printJson } from '../output.js';
import { createProgress } from '../progress.js';
import { wholeNumber } from '../options.js';

export interface IndexOptions extends GlobalOptions {
  source?: string;
  maxFileBytes: string;
}

/**
 * `dindex index <path|->...`: reads files here, in the CLI (the daemon never opens paths for
 * it), and streams them to the daemon. Returns once every document is committed, so a search
 * right after sees all of them.
 */
export async function indexFiles(paths: string[], options: IndexOptions): Promise<void> {
  yieldToSearches();
  const maxBytes = wholeNumber(options.maxFileBytes, '--max-file-bytes', 1);
  const started = performance.now();
  const files: string[] = [];
  let readStdin = false;
  for (const p of paths) {
    if (p === '-') readStdin = true;
    else {
      try {
        for await (const file of walkFiles([p])) files.push(file);
      } catch (err) {
        throw new CliError(`cannot read ${p}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`);
      }
    }
  }

  const client = await connect(options);
  const progress = createProgress(files.length + (readStdin ? 1 : 0), options.json === true);
  let binary = 0;
  let tooLarge = 0;
  let unreadable = 0;
  try {
    const writer = await client.beginIndex();
    if (readStdin) {
      const text = decodeText(await readAll(process.stdin));
      if (text === null) binary++;
      else await writer.add({ ...(await toDocument(options.source ?? 'stdin', text)), id: options.source ?? 'stdin' });
      progress.tick();
    }
    for (const file of files) {
      try {
        const outcome = await readDocument(file, maxBytes);
        if (outcome.kind === 'document') await writer.add(outcome.document);
        else if (outcome.kind === 'binary') binary++;
        else tooLarge++;
      } catch {
        unreadable++;
      }
      progress.tick();
    }
    progress.stop();
    const summary = await writer.end();
    const result = {
      ...summary,
      files: files.length,
      binary_skipped: binary,
      too_large_skipped: tooLarge,
      unreadable,
      took_ms: Math.round(performance.now() - started),
    };
    if (options.json) printJson(result);
    else {
      const notes = [
        summary.skipped ? `${summary.skipped} unchanged` : '',
        binary ? `${binary} binary skipped` : '',
        tooLarge ? `${tooLarge} over ${maxBytes} bytes skipped` : '',
        unreadable ? `${unreadable} unreadable` : '',
      ].filter(Boolean);
      process.stderr.write(`indexed ${summary.documents} documents (${summary.chunks} chunks)${notes.length ? `, ${notes.join(', ')}` : ''} ` +
        `in ${(result.took_ms / 1000).toFixed(1)} s; commit ${summary.commit_seq}\n`);
    }
  } finally {
    progress.stop();
    client.close();
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/**
 * A bulk import is background work beside the daemon's searches: this process (its reading
 * thread) drops to niceness 5, as the daemon's own import threads do, so that on a busy
 * machine searches get the cores first. Alone, it runs as fast as before.
 */
function yieldToSearches(): void {
  try {
    os.setPriority(Math.min(19, os.getPriority() + 5));
  } catch {
    // Not permitted here (some containers): the import runs at the priority it has.
  }
}

