import type Database from 'better-sqlite3';
import { readVarint, sumVarints, varintEnd } from './varint.js';

/** One FTS5 segment: its id and the range of its leaf pages. */
export interface Segment {
  id: number;
  firstPage: number;
  lastPage: number;
}

/** The `%_data` row of FTS5's structure record, and of its averages record. */
const STRUCTURE_ROWID = 10;
const AVERAGES_ROWID = 1;

const perConnection = new WeakMap<Database.Database, Fts5Records>();

/**
 * FTS5's records in `chunks_fts_data`, read in the caller's snapshot: the two about the whole
 * index, and leaf pages. One per connection (`of`), shared by the readers of a search thread.
 */
export class Fts5Records {
  readonly #record: Database.Statement<[number], Uint8Array | undefined>;

  private constructor(db: Database.Database) {
    this.#record = db.prepare<[number], Uint8Array>('SELECT block FROM chunks_fts_data WHERE id = ?').pluck();
  }

  static of(db: Database.Database): Fts5Records {
    let records = perConnection.get(db);
    if (!records) {
      records = new Fts5Records(db);
      perConnection.set(db, records);
    }
    return records;
  }

  /** The record of `%_data` rowid `id` (a leaf page: FTS5_SEGMENT_ROWID), if there is one. */
  block(id: number): Uint8Array | undefined {
    return this.#record.get(id);
  }

  segments(): Segment[] {
    return readSegments(this.block(STRUCTURE_ROWID) ?? new Uint8Array(0));
  }

  averages(): { rows: number; tokens: number } {
    return readAverages(this.block(AVERAGES_ROWID));
  }
}

/**
 * The segments of FTS5's index from its structure record, newest first: level 0 holds the
 * newest segments, and each level lists its segments oldest first. Where one rowid has entries
 * in several segments (a row deleted or replaced), the newest entry is the one that counts.
 *
 * The record (fts5_index.c): a 4-byte cookie; in the V2 format of contentless_delete tables the
 * bytes FF 00 00 01; then varints: levels, segments, write counter, and per level the segments in
 * an ongoing merge and the segment count, then per segment its id and first and last leaf pages
 * (V2 adds three counters). A table with prefix indexes or contentless deletes is refused: its
 * postings are not all under the main prefix, or deletes live in tombstone pages.
 */
function readSegments(record: Uint8Array): Segment[] {
  if (record.length < 5) throw new Fts5FormatError('the structure record is too short');
  if (record[4] === 0xff) throw new Fts5FormatError('a V2 structure record (contentless_delete) is not supported');
  let offset = 4;
  const next = (): number => {
    if (offset >= record.length) throw new Fts5FormatError('the structure record ends early');
    const value = readVarint(record, offset);
    offset = varintEnd;
    return value;
  };
  const levels = next();
  next();
  next();
  const byLevel: Segment[][] = [];
  for (let level = 0; level < levels; level++) {
    next();
    const count = next();
    const segments: Segment[] = [];
    for (let i = 0; i < count; i++) segments.push({ id: next(), firstPage: next(), lastPage: next() });
    byLevel.push(segments.reverse());
  }
  return byLevel.flat();
}

/** The index's rows and tokens per column, from FTS5's averages record. */
function readAverages(record: Uint8Array | undefined): { rows: number; tokens: number } {
  if (!record || record.length === 0) return { rows: 0, tokens: 0 };
  const rows = readVarint(record, 0);
  return { rows, tokens: sumVarints(record, varintEnd) };
}

/** FTS5's data is not in a shape this reader knows: a damaged index, or a format newer than this dindex. */
export class Fts5FormatError extends Error {
  override readonly name = 'Fts5FormatError';
}
