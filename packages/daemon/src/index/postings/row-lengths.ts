import type Database from 'better-sqlite3';
import { readVarint, varintEnd } from './varint.js';

/**
 * The lengths of the chunks of documents written after a commit. CROSS JOIN keeps documents the
 * outer loop, found through documents_commit_seq: left to itself SQLite scanned every chunk
 * (30-48 ms at 215k chunks, for each commit a search thread caught up with, against 2 ms).
 */
export const LENGTHS_SINCE_SQL = `SELECT s.id, s.sz FROM documents d
  CROSS JOIN chunks c ON c.doc_rowid = d.rowid CROSS JOIN chunks_fts_docsize s ON s.id = c.rowid
  WHERE d.commit_seq > ?`;

/**
 * Every chunk's length in tokens (all columns), by rowid, as bm25() reads it from FTS5's
 * docsize table, held in memory: a search scores hundreds of thousands of rows and cannot look
 * each up. Loaded whole once, then brought up to a snapshot's commit by reading only the chunks
 * of documents written since (a reused rowid belongs to such a document, so it is refreshed too;
 * a deleted chunk's stale length is never read, since FTS5 no longer lists the chunk).
 */
export class RowLengths {
  readonly #all: Database.Statement<[], [number, Uint8Array]>;
  readonly #since: Database.Statement<[number], [number, Uint8Array]>;
  #lengths = new Float32Array(0);
  #seq = -1;

  constructor(db: Database.Database) {
    this.#all = db.prepare<[], [number, Uint8Array]>('SELECT id, sz FROM chunks_fts_docsize').raw();
    this.#since = db.prepare<[number], [number, Uint8Array]>(LENGTHS_SINCE_SQL).raw();
  }

  /** The lengths as of commit `seq`; call it in the read transaction of the snapshot it is for. */
  at(seq: number): Float32Array {
    if (seq !== this.#seq) {
      for (const [rowid, sizes] of this.#seq < 0 ? this.#all.iterate() : this.#since.iterate(this.#seq)) {
        if (rowid >= this.#lengths.length) this.#grow(rowid);
        let tokens = 0;
        for (let offset = 0; offset < sizes.length; offset = varintEnd) tokens += readVarint(sizes, offset);
        this.#lengths[rowid] = tokens;
      }
      this.#seq = seq;
    }
    return this.#lengths;
  }

  #grow(rowid: number): void {
    const lengths = new Float32Array(Math.max(rowid + 1, Math.ceil(this.#lengths.length * 1.5), 1024));
    lengths.set(this.#lengths);
    this.#lengths = lengths;
  }
}
