import fs from 'node:fs';
import path from 'node:path';
import type { Document } from '@dindex/client';
import type { Collection } from './datasets.js';

/**
 * Documents of all collections, replicated `copies` times: copy n under `copy<n>/`, as another
 * folder of the same files would be, so that the ids of one copy sort together.
 */
export function* replicated(collections: Collection[], copies: number, offset = 0): Generator<Document> {
  for (let copy = offset; copy < offset + copies; copy++) {
    for (const c of collections) {
      for (const d of c.docs) {
        const id = `copy${copy}/${c.name}/${d.id}`;
        yield { id, source: id, title: d.title, text: d.text, metadata: { copy } };
      }
    }
  }
}

/**
 * One more copy whose ids fall among those of the first `indexedCopies` copies, each beside a
 * different copy's documents (pages added all over a site already crawled), so that each insert
 * lands on another page of the id index. `round` makes each such copy's ids distinct; its
 * documents carry `copy: -1 - round`.
 */
export function* scattered(collections: Collection[], indexedCopies: number, round: number): Generator<Document> {
  let n = 0;
  for (const c of collections) {
    for (const d of c.docs) {
      const near = (n++ * 7919 + round * 104_729) % indexedCopies;
      const id = `copy${near}/${c.name}/${d.id}~${round}`;
      yield { id, source: id, title: d.title, text: d.text, metadata: { copy: -1 - round } };
    }
  }
}

/** The collection and original document id of a replica's id. */
export function originalOf(id: string): { collection: string; id: string } {
  const [, collection = '', rest = ''] = id.split('/');
  return { collection, id: rest.split('~')[0]! };
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
