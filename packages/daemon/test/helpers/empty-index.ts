import Database from 'better-sqlite3';
import { migrate } from '../../src/index/schema.js';
import { DocumentWriter } from '../../src/pipeline/document-writer.js';

/** An index written the daemon's way: a DocumentWriter committing into a migrated database. */
export function emptyIndex(): { db: Database.Database; writer: DocumentWriter; commit: (docs: Array<[string, string[]]>, deletes?: string[]) => number } {
  const db = new Database(':memory:');
  migrate(db);
  const writer = new DocumentWriter(db, false);
  const commit = (docs: Array<[string, string[]]>, deletes: string[] = []): number => writer.commit([
    ...deletes.map((id) => ({ kind: 'delete' as const, batch: 1, ids: [id] })),
    ...docs.map(([id, chunks]) => ({
      kind: 'document' as const, batch: 1,
      doc: { id, source: `/${id}`, title: `title of ${id}`, metadata: JSON.stringify({ even: id.length % 2 === 0 }), hash: Math.random().toString(),
        chunks: chunks.map((text, i) => ({ text, heading: i % 2 ? `heading ${text.split(' ')[0]}` : null })) },
    })),
  ]).seq;
  return { db, writer, commit };
}
