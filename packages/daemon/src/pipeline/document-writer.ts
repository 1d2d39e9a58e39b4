import type Database from 'better-sqlite3';
import type { PreparedDocument } from './prepare-document.js';
import type { BatchOutcome } from './writer-messages.js';

/** A pending write, in arrival order. */
export type PendingWrite =
  | { kind: 'document'; batch: number; doc: PreparedDocument }
  | { kind: 'delete'; batch: number; ids: string[] }
  | { kind: 'marker'; batch: number };

/**
 * Applies pending writes to SQLite, all in one transaction per commit. Replacing a document
 * deletes its old chunks (triggers keep FTS5 in step) and inserts the new ones; a document whose
 * content hash is unchanged is skipped.
 */
export class DocumentWriter {
  readonly #db: Database.Database;
  readonly #select: Database.Statement<[string], { rowid: number; content_hash: string }>;
  readonly #deleteById: Database.Statement<[string]>;
  readonly #selectChunkCount: Database.Statement<[string], { chunk_count: number }>;
  readonly #insertDocument: Database.Statement;
  readonly #insertChunk: Database.Statement;
  readonly #readMeta: Database.Statement<[string], { value: number }>;
  readonly #writeMeta: Database.Statement<[string, number]>;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#select = db.prepare('SELECT rowid, content_hash FROM documents WHERE id = ?');
    this.#deleteById = db.prepare('DELETE FROM documents WHERE id = ?');
    this.#selectChunkCount = db.prepare('SELECT chunk_count FROM documents WHERE id = ?');
    this.#insertDocument = db.prepare(`INSERT INTO documents (id, source, title, content_hash, metadata, chunk_count, commit_seq, indexed_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    this.#insertChunk = db.prepare('INSERT INTO chunks (doc_rowid, position, title, heading, text) VALUES (?, ?, ?, ?, ?)');
    this.#readMeta = db.prepare('SELECT value FROM meta WHERE key = ?');
    this.#writeMeta = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  }

  get lastCommitSeq(): number {
    return this.#readMeta.get('last_commit_seq')?.value ?? 0;
  }

  /** One transaction: every pending write, the counters and the new commit sequence. */
  commit(writes: PendingWrite[]): { seq: number; outcomes: BatchOutcome[] } {
    const outcomes = new Map<number, BatchOutcome>();
    const outcome = (batch: number): BatchOutcome => {
      let o = outcomes.get(batch);
      if (!o) outcomes.set(batch, (o = { batch, documents: 0, chunks: 0, skipped: 0, deleted: 0 }));
      return o;
    };
    const run = this.#db.transaction(() => {
      const seq = this.lastCommitSeq + 1;
      const now = Date.now();
      let documentDelta = 0;
      let chunkDelta = 0;
      for (const write of writes) {
        const o = outcome(write.batch);
        if (write.kind === 'marker') continue;
        if (write.kind === 'delete') {
          for (const id of write.ids) {
            const removed = this.#removeDocument(id);
            if (removed !== null) {
              o.deleted++;
              documentDelta--;
              chunkDelta -= removed;
            }
          }
          continue;
        }
        const doc = write.doc;
        const existing = this.#select.get(doc.id);
        if (existing && existing.content_hash === doc.hash) {
          o.skipped++;
          continue;
        }
        const chunks = doc.chunks;
        if (existing) {
          chunkDelta -= this.#removeDocument(doc.id) ?? 0;
          documentDelta--;
        }
        const { lastInsertRowid } = this.#insertDocument.run(doc.id, doc.source, doc.title, doc.hash, doc.metadata, chunks.length, seq, now);
        chunks.forEach((chunk, position) => {
          this.#insertChunk.run(lastInsertRowid, position, doc.title, chunk.heading, chunk.text);
        });
        documentDelta++;
        chunkDelta += chunks.length;
        o.documents++;
        o.chunks += chunks.length;
      }
      this.#writeMeta.run('last_commit_seq', seq);
      this.#writeMeta.run('documents', this.#counter('documents') + documentDelta);
      this.#writeMeta.run('chunks', this.#counter('chunks') + chunkDelta);
      return seq;
    });
    const seq = run.immediate();
    return { seq, outcomes: [...outcomes.values()] };
  }

  /** Deletes a document and (by cascade and trigger) its chunks and index entries. */
  #removeDocument(id: string): number | null {
    const row = this.#selectChunkCount.get(id);
    if (!row) return null;
    this.#deleteById.run(id);
    return row.chunk_count;
  }

  #counter(key: string): number {
    return this.#readMeta.get(key)?.value ?? 0;
  }
}
