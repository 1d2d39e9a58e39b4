import fs from 'node:fs';
import path from 'node:path';
import type { Document } from '@dindex/client';
import type { Collection } from './datasets.js';

/** Documents of all collections, replicated `copies` times under distinct ids. */
export function* replicated(collections: Collection[], copies: number, offset = 0): Generator<Document> {
  for (let copy = offset; copy < offset + copies; copy++) {
    for (const c of collections) {
      for (const d of c.docs) {
        yield { id: `${c.name}/${d.id}#${copy}`, source: `${c.name}/${d.id}#${copy}`, title: d.title, text: d.text, metadata: { copy } };
      }
    }
  }
}

/** The original document id of a replica id. */
export function originalId(id: string): string {
  return id.slice(id.indexOf('/') + 1, id.indexOf('#'));
}

/** Writes each document as a Markdown file (title as its heading), as a user's folder would hold them. */
export function writeFiles(dir: string, documents: Iterable<Document>): number {
  let count = 0;
  for (const d of documents) {
    const sub = path.join(dir, String(Math.floor(count / 1000)));
    if (count % 1000 === 0) fs.mkdirSync(sub, { recursive: true });
    fs.writeFileSync(path.join(sub, `${count}.md`), `# ${d.title}\n\n${d.text}\n`);
    count++;
  }
  return count;
}
