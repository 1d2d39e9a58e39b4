import type Database from 'better-sqlite3';
import { sumVarints } from './varint.js';

/**
 * The lengths of the chunks of documents written after a commit. CROSS JOIN keeps documents the
 * outer loop, found through documents_commit_seq: left to itself SQLite scanned every chunk
 * (30-48 ms at 215k chunks, for each commit a search thread caught up with, against 2 ms).
 */
export const LENGTHS_SINCE_SQL = `SELECT s.id, s.sz FROM documents d
  CROSS JOIN chunks c ON c.doc_rowid = d.rowid CROSS JOIN chunks_fts_docsize s ON s.id = c.rowid
  WHERE d.commit_seq > ?`;

/** Rows of the docsize table per statement in a whole load. */
export const LOAD_BATCH_ROWS = 65_536;
/**
 * A batch of the whole load: the rowids and the sizes' byte lengths as JSON arrays, and all the
 * sizes as one hex string. A row at a time, better-sqlite3 made a buffer for every row's sizes,
 * and loading a million chunks took 1.8–2.1 s of a search thread's start, against 0.4 s this way.
 */
const BATCH_SQL = `SELECT max(id), json_group_array(id), json_group_array(length(sz)), group_concat(hex(sz), '') FROM
  (SELECT id, sz FROM chunks_fts_docsize WHERE id > ? ORDER BY id LIMIT ?)`;

/**
 * Every chunk's length in tokens (all columns), by rowid, as bm25() reads it from FTS5's
 * docsize table, held in memory: a search scores hundreds of thousands of rows and cannot look
 * each up. Loaded whole once, then brought up to a snapshot's commit by reading only the chunks
 * of documents written since (a reused rowid belongs to such a document, so it is refreshed too;
 * a deleted chunk's stale length is never read, since FTS5 no longer lists the chunk).
 *
 * The whole load can also be made in slices, each in its own read transaction (see `advance`):
 * it then counts as of the commit seen at its first slice, and the documents written after that
 * commit are read again at the end, like any later commit's.
 */
export class RowLengths {
  readonly #batch: Database.Statement<[number, number], [number | null, string, string, string | null]>;
  readonly #since: Database.Statement<[number], [number, Uint8Array]>;
  #lengths = new Float32Array(0);
  /** The commit the lengths are at; -1 while a whole load is due or under way. */
  #seq = -1;
  /** A whole load under way: the commit its first slice saw, and the last rowid it has read. */
  #load: { seq: number; after: number } | null = null;

  constructor(db: Database.Database) {
    this.#batch = db.prepare<[number, number], [number | null, string, string, string | null]>(BATCH_SQL).raw();
    this.#since = db.prepare<[number], [number, Uint8Array]>(LENGTHS_SINCE_SQL).raw();
  }

  /** The commit the lengths are at, -1 before they are loaded. */
  get seq(): number {
    return this.#seq;
  }

  /** The lengths as of commit `seq`; call it in the read transaction of the snapshot it is for. */
  at(seq: number): Float32Array {
    while (this.#seq < 0) this.#loadSlice(seq, LOAD_BATCH_ROWS);
    if (seq !== this.#seq) this.#catchUp(seq, Infinity);
    return this.#lengths;
  }

  /**
   * Brings the lengths toward commit `seq` by at most about `rows` rows of work, for a reader
   * that must not stop for the whole of it: the chunks written since the lengths' commit when
   * there are no more than that, else a slice of a whole load (after a large import, loading
   * everything again in slices costs no more than catching up in one piece). True once at `seq`.
   * Call it in the read transaction of the snapshot `seq` is from.
   */
  advance(seq: number, rows: number): boolean {
    if (this.#seq >= 0 && this.#seq !== seq && !this.#catchUp(seq, rows)) {
      this.#seq = -1;
      this.#load = null;
    }
    if (this.#seq < 0) this.#loadSlice(seq, rows);
    return this.#seq === seq;
  }

  /** Reads the chunks written after the lengths' commit, unless there are more than `limit`. */
  #catchUp(seq: number, limit: number): boolean {
    let read = 0;
    for (const [rowid, sizes] of this.#since.iterate(this.#seq)) {
      if (++read > limit) return false;
      this.#set(rowid, sumVarints(sizes));
    }
    this.#seq = seq;
    return true;
  }

  /**
   * Up to `rows` rows of a whole load, begun at commit `seq` unless one is under way. Once
   * nothing is left to read, the lengths are at the commit the load began at.
   */
  #loadSlice(seq: number, rows: number): void {
    const load = (this.#load ??= { seq, after: 0 });
    const [last, rowidsJson, byteLengthsJson, hex] = this.#batch.get(load.after, rows)!;
    if (last === null) {
      this.#seq = load.seq;
      this.#load = null;
      return;
    }
    load.after = last;
    const rowids = JSON.parse(rowidsJson) as number[];
    const byteLengths = JSON.parse(byteLengthsJson) as number[];
    const sizes = Buffer.from(hex ?? '', 'hex');
    let offset = 0;
    for (let r = 0; r < rowids.length; r++) {
      const end = offset + byteLengths[r]!;
      this.#set(rowids[r]!, sumVarints(sizes, offset, end));
      offset = end;
    }
  }

  #set(rowid: number, tokens: number): void {
    if (rowid >= this.#lengths.length) this.#grow(rowid);
    this.#lengths[rowid] = tokens;
  }

  #grow(rowid: number): void {
    const lengths = new Float32Array(Math.max(rowid + 1, Math.ceil(this.#lengths.length * 1.5), 1024));
    lengths.set(this.#lengths);
    this.#lengths = lengths;
  }
}
