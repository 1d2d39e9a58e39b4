import type Database from 'better-sqlite3';
import { JobTable, type JobCheckpoint, type JobStateRow } from '../index/job-table.js';
import type { BatchOutcome, EmbeddedDocument, PendingChunkRef, VectorUpdate } from './writer-messages.js';

/** A pending write, in arrival order. */
export type PendingWrite =
  | { kind: 'document'; batch: number; doc: EmbeddedDocument }
  | { kind: 'delete'; batch: number; ids: string[] }
  | { kind: 'vectors'; chunks: PendingChunkRef[]; vectors: Float32Array }
  | { kind: 'refused'; chunks: PendingChunkRef[]; reason: string }
  | { kind: 'reembed'; batch: number; model: string }
  | { kind: 'job'; batch: number; row: JobStateRow }
  | { kind: 'job-checkpoint'; batch: number; job: JobCheckpoint }
  | { kind: 'marker'; batch: number };

export interface CommitResult {
  seq: number;
  outcomes: BatchOutcome[];
  /** The vectors this commit changed, or null when it changed none. */
  vectorUpdate: VectorUpdate | null;
}

type MetaKey = 'last_commit_seq' | 'documents' | 'chunks' | 'vectors' | 'vectors_pending' | 'vectors_seq' | 'embedding_model' | 'embedding_dimensions';

/**
 * Applies pending writes to SQLite, all in one transaction per commit. Replacing a document
 * deletes its old chunks (cascades and triggers take their FTS5 entries and vectors along) and
 * inserts the new ones; a document whose content hash is unchanged is skipped. With an embedder
 * configured, a chunk gets its vector in the same transaction, or is listed as pending.
 */
export class DocumentWriter {
  readonly #db: Database.Database;
  readonly #embeddings: boolean;
  readonly #select: Database.Statement<[string], { rowid: number; content_hash: string }>;
  readonly #deleteById: Database.Statement<[string]>;
  readonly #documentChunks: Database.Statement<[number], { chunk_id: number; has_vector: number; pending: number }>;
  readonly #insertDocument: Database.Statement;
  readonly #insertChunk: Database.Statement;
  readonly #insertVector: Database.Statement<[number, Buffer]>;
  readonly #insertPending: Database.Statement<[number, number]>;
  readonly #deletePending: Database.Statement<[number, number]>;
  readonly #refusePending: Database.Statement<[string, number, number]>;
  readonly #readMeta: Database.Statement<[string], { value: number | string | null }>;
  readonly #writeMeta: Database.Statement<[string, number | string | null]>;
  readonly jobs: JobTable;

  constructor(db: Database.Database, embeddings: boolean) {
    this.#db = db;
    this.#embeddings = embeddings;
    this.#select = db.prepare('SELECT rowid, content_hash FROM documents WHERE id = ?');
    this.#deleteById = db.prepare('DELETE FROM documents WHERE id = ?');
    this.#documentChunks = db.prepare(`SELECT c.rowid AS chunk_id, v.chunk_id IS NOT NULL AS has_vector, p.chunk_id IS NOT NULL AS pending
      FROM chunks c LEFT JOIN vectors v ON v.chunk_id = c.rowid LEFT JOIN vectors_pending p ON p.chunk_id = c.rowid
      WHERE c.doc_rowid = ?`);
    this.#insertDocument = db.prepare(`INSERT INTO documents (id, source, title, content_hash, metadata, chunk_count, commit_seq, indexed_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    this.#insertChunk = db.prepare('INSERT INTO chunks (doc_rowid, position, title, heading, text) VALUES (?, ?, ?, ?, ?)');
    this.#insertVector = db.prepare('INSERT OR REPLACE INTO vectors (chunk_id, vector) VALUES (?, ?)');
    this.#insertPending = db.prepare('INSERT OR IGNORE INTO vectors_pending (chunk_id, since_seq) VALUES (?, ?)');
    this.#deletePending = db.prepare('DELETE FROM vectors_pending WHERE chunk_id = ? AND since_seq = ?');
    this.#refusePending = db.prepare('UPDATE vectors_pending SET refused = ? WHERE chunk_id = ? AND since_seq = ?');
    this.#readMeta = db.prepare('SELECT value FROM meta WHERE key = ?');
    this.jobs = new JobTable(db);
    this.#writeMeta = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  }

  get lastCommitSeq(): number {
    return this.#number('last_commit_seq');
  }

  /**
   * Embeddings switched on over an index that never had a model: the configured one becomes
   * the index's model, and the chunks already there are queued for vectors.
   */
  adoptModel(model: string): void {
    this.#db.transaction(() => {
      if (this.#meta('embedding_model') !== null) return;
      const { changes } = this.#db.prepare('INSERT OR IGNORE INTO vectors_pending (chunk_id, since_seq) SELECT rowid, ? FROM chunks').run(this.lastCommitSeq);
      this.#writeMeta.run('embedding_model', model);
      this.#writeMeta.run('vectors_pending', this.#number('vectors_pending') + changes);
    }).immediate();
  }

  /** One transaction: every pending write, the counters and the new commit sequence. */
  commit(writes: PendingWrite[]): CommitResult {
    const outcomes = new Map<number, BatchOutcome>();
    const outcome = (batch: number): BatchOutcome => {
      let o = outcomes.get(batch);
      if (!o) outcomes.set(batch, (o = { batch, documents: 0, chunks: 0, skipped: 0, deleted: 0 }));
      return o;
    };
    const run = this.#db.transaction((): CommitResult => {
      const seq = this.lastCommitSeq + 1;
      const now = Date.now();
      const delta = { documents: 0, chunks: 0, vectors: 0, pending: 0 };
      const update: VectorUpdate = { op: 'update', seq, reset: false, removed: [], addedIds: [], added: new Float32Array(0) };
      const added: Float32Array[] = [];
      const removeDocument = (id: string, rowid = this.#select.get(id)?.rowid): number | null => {
        if (rowid === undefined) return null;
        const chunks = this.#documentChunks.all(rowid);
        if (!this.#deleteById.run(id).changes) return null;
        for (const chunk of chunks) {
          if (chunk.has_vector) {
            update.removed.push(chunk.chunk_id);
            delta.vectors--;
          }
          if (chunk.pending) delta.pending--;
        }
        delta.documents--;
        delta.chunks -= chunks.length;
        return chunks.length;
      };
      const addVector = (chunkId: number, vector: Float32Array): void => {
        this.#insertVector.run(chunkId, Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength));
        update.addedIds.push(chunkId);
        added.push(vector);
        delta.vectors++;
      };

      for (const write of writes) {
        switch (write.kind) {
          case 'marker':
            outcome(write.batch);
            break;
          case 'delete':
            for (const id of write.ids) if (removeDocument(id) !== null) outcome(write.batch).deleted++;
            outcome(write.batch);
            break;
          case 'reembed': {
            this.#db.exec('DELETE FROM vectors; DELETE FROM vectors_pending');
            const { changes } = this.#db.prepare('INSERT INTO vectors_pending (chunk_id, since_seq) SELECT rowid, ? FROM chunks').run(seq);
            this.#writeMeta.run('embedding_model', write.model);
            this.#writeMeta.run('embedding_dimensions', null);
            Object.assign(update, { reset: true, removed: [], addedIds: [] });
            added.length = 0;
            delta.vectors = -this.#number('vectors');
            delta.pending = changes - this.#number('vectors_pending');
            outcome(write.batch).chunks = changes;
            break;
          }
          case 'vectors': {
            const dimensions = write.vectors.length / write.chunks.length;
            this.#recordDimensions(dimensions);
            write.chunks.forEach(({ chunkId, sinceSeq }, i) => {
              // Only the very chunk still waiting: it may have been deleted, replaced or re-embedded meanwhile.
              if (this.#deletePending.run(chunkId, sinceSeq).changes === 0) return;
              delta.pending--;
              addVector(chunkId, write.vectors.subarray(i * dimensions, (i + 1) * dimensions));
            });
            break;
          }
          case 'job':
            this.jobs.saveState(write.row);
            outcome(write.batch);
            break;
          case 'job-checkpoint':
            // The batch's documents were applied just before: its outcome is what they committed.
            outcome(write.batch).checkpointed = this.jobs.saveCheckpoint(write.job, outcome(write.batch));
            break;
          case 'refused':
            for (const { chunkId, sinceSeq } of write.chunks) this.#refusePending.run(write.reason, chunkId, sinceSeq);
            break;
          case 'document': {
            const o = outcome(write.batch);
            const doc = write.doc;
            const existing = this.#select.get(doc.id);
            if (existing && existing.content_hash === doc.hash) {
              o.skipped++;
              break;
            }
            if (existing) removeDocument(doc.id, existing.rowid);
            const { chunks, vectors } = doc;
            const { lastInsertRowid } = this.#insertDocument.run(doc.id, doc.source, doc.title, doc.hash, doc.metadata, chunks.length, seq, now);
            const dimensions = vectors && chunks.length > 0 ? vectors.length / chunks.length : 0;
            if (dimensions > 0) this.#recordDimensions(dimensions);
            chunks.forEach((chunk, position) => {
              const chunkId = Number(this.#insertChunk.run(lastInsertRowid, position, doc.title, chunk.heading, chunk.text).lastInsertRowid);
              if (vectors) addVector(chunkId, vectors.subarray(position * dimensions, (position + 1) * dimensions));
              else if (this.#embeddings) {
                this.#insertPending.run(chunkId, seq);
                delta.pending++;
              }
            });
            delta.documents++;
            delta.chunks += chunks.length;
            o.documents++;
            o.chunks += chunks.length;
            break;
          }
        }
      }
      const vectorsChanged = update.reset || update.removed.length > 0 || update.addedIds.length > 0;
      this.#writeMeta.run('last_commit_seq', seq);
      this.#writeMeta.run('documents', this.#number('documents') + delta.documents);
      this.#writeMeta.run('chunks', this.#number('chunks') + delta.chunks);
      if (vectorsChanged || delta.pending !== 0) {
        this.#writeMeta.run('vectors', this.#number('vectors') + delta.vectors);
        this.#writeMeta.run('vectors_pending', this.#number('vectors_pending') + delta.pending);
      }
      if (!vectorsChanged) return { seq, outcomes: [...outcomes.values()], vectorUpdate: null };
      this.#writeMeta.run('vectors_seq', seq);
      update.added = concat(added);
      return { seq, outcomes: [...outcomes.values()], vectorUpdate: update };
    });
    return run.immediate();
  }

  /** The first vectors fix the index's dimension; the embedding thread checks every later one against it. */
  #recordDimensions(dimensions: number): void {
    if (this.#meta('embedding_dimensions') === null) this.#writeMeta.run('embedding_dimensions', dimensions);
  }

  #meta(key: MetaKey): number | string | null {
    return this.#readMeta.get(key)?.value ?? null;
  }

  #number(key: MetaKey): number {
    return Number(this.#meta(key) ?? 0);
  }
}

function concat(parts: Float32Array[]): Float32Array<ArrayBuffer> {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
