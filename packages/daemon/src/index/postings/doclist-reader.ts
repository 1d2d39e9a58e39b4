import type Database from 'better-sqlite3';
import { Fts5FormatError, Fts5Records, type Segment } from './fts5-structure.js';
import { readVarint, varintEnd } from './varint.js';

/** Postings of a term: chunk rowids and weighted term frequencies. */
export class PostingList {
  rowids = new Float64Array(1024);
  frequencies = new Float64Array(1024);
  length = 0;

  clear(): void {
    this.length = 0;
  }

  push(rowid: number, frequency: number): void {
    if (this.length === this.rowids.length) this.reserve(this.length * 2);
    this.rowids[this.length] = rowid;
    this.frequencies[this.length++] = frequency;
  }

  /** Appends `other`'s entries. */
  append(other: PostingList): void {
    this.reserve(this.length + other.length);
    this.rowids.set(other.rowids.subarray(0, other.length), this.length);
    this.frequencies.set(other.frequencies.subarray(0, other.length), this.length);
    this.length += other.length;
  }

  /** Room for `size` entries. */
  reserve(size: number): void {
    if (size <= this.rowids.length) return;
    const rowids = new Float64Array(size);
    rowids.set(this.rowids.subarray(0, this.length));
    this.rowids = rowids;
    const frequencies = new Float64Array(size);
    frequencies.set(this.frequencies.subarray(0, this.length));
    this.frequencies = frequencies;
  }
}

/** `%_data` rowid of a segment's leaf page (fts5_index.c: FTS5_SEGMENT_ROWID). */
const SEGMENT_ROWID_UNIT = 2 ** 37;
/** The frequency of an entry that hides older ones: a delete marker, or an empty poslist. */
const DELETED = -1;
/** Key prefix of the main index's terms (prefix indexes use others). */
const MAIN_INDEX_PREFIX = 0x30;

/**
 * Reads a term's doclists straight from FTS5's segment pages, at a few nanoseconds a posting:
 * FTS5's own bm25() costs about a microsecond per matching row, and most of a long query's
 * matches are in a few common terms. The format is FTS5's (fts5_index.c, "Segment leaves"):
 *
 * - a leaf page starts with two big-endian u16s: the offset of the first rowid that begins on
 *   the page (0 if none before its first term) and the offset of its footer, a varint per term
 *   on the page giving the term offsets, delta-encoded;
 * - terms are prefix-compressed against the previous term of the page; each is followed by its
 *   doclist: the first rowid, then rowid deltas, each with a poslist: a varint of its size
 *   times two plus a delete flag, then positions (varints, offset + 2), a 0x01 byte and a
 *   column number before each column after the first;
 * - a doclist, and a poslist within it, may run on over following pages, where the first rowid
 *   beginning on a page is written whole, not as a delta.
 *
 * Entries of one rowid in several segments are resolved newest first, as FTS5 does: a delete
 * marker (or an empty poslist) hides the older entries.
 */
export class DoclistReader {
  readonly #findPage: Database.Statement<[number, Uint8Array], number>;
  /** `%_idx` holds, per leaf page on which a term starts, that term (shortened) and the page number times two. */
  readonly #nextTermPage: Database.Statement<[number, Uint8Array], number>;
  readonly #records: Fts5Records;
  readonly #weights: Float64Array;
  /** A list per segment, reused from term to term. */
  readonly #lists: PostingList[] = [];
  /** The two lists a merge of several segments' lists goes back and forth between. */
  readonly #merging = [new PostingList(), new PostingList()] as const;

  /** `weights`: of each column, as given to bm25(). */
  constructor(db: Database.Database, weights: readonly number[]) {
    this.#findPage = db.prepare<[number, Uint8Array], number>(
      'SELECT pgno FROM chunks_fts_idx WHERE segid = ? AND term <= ? ORDER BY term DESC LIMIT 1').pluck();
    this.#nextTermPage = db.prepare<[number, Uint8Array], number>(
      'SELECT pgno FROM chunks_fts_idx WHERE segid = ? AND term > ? ORDER BY term LIMIT 1').pluck();
    this.#records = Fts5Records.of(db);
    this.#weights = Float64Array.from(weights);
  }

  /** Into `out`, the live postings of `term` (an indexed token) over `segments` (newest first), in rowid order. */
  read(term: string, segments: Segment[], out: PostingList): void {
    const key = termKey(term);
    const lists: PostingList[] = [];
    for (const segment of segments) {
      while (this.#lists.length <= lists.length) this.#lists.push(new PostingList());
      const list = this.#lists[lists.length]!;
      list.clear();
      if (this.#readSegment(segment, key, list) && list.length > 0) lists.push(list);
    }
    out.clear();
    if (disjoint(lists)) for (const list of lists.sort((a, b) => a.rowids[0]! - b.rowids[0]!)) out.append(list);
    else this.#mergeNewestFirst(lists, out);
    keepLive(out);
  }

  /**
   * How many chunks `term` is in, without reading all its postings: the entries on the first,
   * second and last pages of its doclist are counted, and each page between them (a doclist's
   * last page is found in `%_idx`, which lists the pages on which terms start) is taken to hold
   * as many as the second. A row in several segments (replaced, not yet merged) is counted in
   * each. `counted`: no page was estimated.
   */
  count(term: string, segments: Segment[]): { matches: number; counted: boolean } {
    const key = termKey(term);
    let matches = 0;
    let counted = true;
    for (const segment of segments) {
      const first = this.#firstPage(segment, key);
      if (!first) continue;
      const { pageNo, page, footer, start } = first;
      matches += countEntries(page, start.offset, Math.min(start.end, footer));
      if (start.end <= footer) continue;
      const second = this.#nextPage(segment, pageNo + 1, false);
      if (!second) continue;
      const perPage = entriesRunningOn(second);
      matches += perPage.entries;
      if (perPage.ends) continue;
      const nextTerm = this.#nextTermPage.get(segment.id, key);
      const last = nextTerm === undefined ? segment.lastPage : Math.floor(nextTerm / 2);
      if (last <= pageNo + 1) continue;
      matches += entriesRunningOn(this.#nextPage(segment, last, true)!).entries;
      const between = last - pageNo - 2;
      matches += perPage.entries * between;
      if (between > 0) counted = false;
    }
    return { matches, counted };
  }

  /**
   * Merges `lists` (newest first, each in rowid order) into `out` in rowid order, one older list
   * at a time; where several hold a rowid, the newest entry is kept, as FTS5 reads them.
   */
  #mergeNewestFirst(lists: PostingList[], out: PostingList): void {
    let merged = lists[0]!;
    for (let n = 1; n < lists.length; n++) {
      const into = n === lists.length - 1 ? out : merged === this.#merging[0] ? this.#merging[1] : this.#merging[0];
      mergeTwo(merged, lists[n]!, into);
      merged = into;
    }
  }

  /** Appends the term's entries in one segment (DELETED for a delete marker); false if it has none. */
  #readSegment(segment: Segment, key: Uint8Array, out: PostingList): boolean {
    const first = this.#firstPage(segment, key);
    if (!first) return false;
    let { pageNo, page, footer } = first;
    const { start } = first;
    let offset = start.offset;
    let end = start.end;
    const weights = this.#weights;
    // Locals only in this loop (a closure over them would keep them on the heap).
    let rowid = readVarint(page, offset);
    offset = varintEnd;
    for (;;) {
      let b = page[offset]!;
      let size: number;
      if (b < 0x80) {
        size = b;
        offset++;
      } else {
        size = readVarint(page, offset);
        offset = varintEnd;
      }
      let left = size >> 1;
      let frequency = 0;
      let weight = weights[0]!;
      if (offset + left <= footer) {
        // The whole poslist on this page, as nearly all are.
        const stop = offset + left;
        left = 0;
        while (offset < stop) {
          b = page[offset++]!;
          if (b === 0x01) {
            const column = readVarint(page, offset);
            offset = varintEnd;
            weight = weights[column] ?? 0;
          } else {
            frequency += weight;
            while (b >= 0x80) b = page[offset++]!;
          }
        }
      }
      while (left > 0) {
        if (offset >= footer) {
          page = this.#nextPage(segment, ++pageNo, true)!;
          footer = u16(page, 2);
          end = endOfDoclist(page, footer);
          offset = 4;
        }
        b = page[offset++]!;
        left--;
        if (b === 0x01) {
          if (offset >= footer) {
            page = this.#nextPage(segment, ++pageNo, true)!;
            footer = u16(page, 2);
            end = endOfDoclist(page, footer);
            offset = 4;
          }
          const column = readVarint(page, offset);
          left -= varintEnd - offset;
          offset = varintEnd;
          weight = weights[column] ?? 0;
        } else {
          frequency += weight;
          while (b >= 0x80) {
            b = page[offset++]!;
            left--;
          }
        }
      }
      out.push(rowid, size < 2 ? DELETED : frequency);

      if (offset < footer) {
        if (offset >= end) return true;
        if (offset === u16(page, 0)) {
          rowid = readVarint(page, offset);
          offset = varintEnd;
        } else {
          b = page[offset]!;
          if (b < 0x80) {
            rowid += b;
            offset++;
          } else {
            rowid += readVarint(page, offset);
            offset = varintEnd;
          }
        }
        continue;
      }
      // The next entry begins on a later page, at that page's first rowid, unless a term comes first.
      for (;;) {
        const next = this.#nextPage(segment, ++pageNo, false);
        if (!next) return true;
        page = next;
        footer = u16(page, 2);
        end = endOfDoclist(page, footer);
        const first = u16(page, 0);
        if (first !== 0 && first < footer) {
          rowid = readVarint(page, first);
          offset = varintEnd;
          break;
        }
        if (footer < page.length) return true;
      }
    }
  }

  /** The leaf page of the segment on which `key`'s doclist starts, and where on it; null if the segment lacks the term. */
  #firstPage(segment: Segment, key: Uint8Array): { pageNo: number; page: Uint8Array; footer: number; start: { offset: number; end: number } } | null {
    const indexed = this.#findPage.get(segment.id, key);
    const pageNo = indexed === undefined ? segment.firstPage : Math.max(segment.firstPage, Math.floor(indexed / 2));
    const page = this.#records.block(segment.id * SEGMENT_ROWID_UNIT + pageNo);
    if (!page) return null;
    const footer = u16(page, 2);
    const start = findTerm(page, footer, key);
    return start && { pageNo, page, footer, start };
  }

  /** Leaf page `pageNo` of the segment; past its last page, null, or an error where data must go on. */
  #nextPage(segment: Segment, pageNo: number, required: boolean): Uint8Array | null {
    const page = pageNo <= segment.lastPage ? this.#records.block(segment.id * SEGMENT_ROWID_UNIT + pageNo) : undefined;
    if (!page && (required || pageNo <= segment.lastPage)) {
      throw new Fts5FormatError(`segment ${segment.id}: leaf page ${pageNo} is missing, and a doclist runs on to it`);
    }
    return page ?? null;
  }
}

function termKey(term: string): Buffer {
  return Buffer.concat([Buffer.of(MAIN_INDEX_PREFIX), Buffer.from(term, 'utf8')]);
}

/** The entries beginning on a page that a doclist runs on to, and whether the doclist ends there. */
function entriesRunningOn(page: Uint8Array): { entries: number; ends: boolean } {
  const footer = u16(page, 2);
  const end = Math.min(endOfDoclist(page, footer), footer);
  const first = u16(page, 0);
  return { entries: first === 0 ? 0 : countEntries(page, first, end), ends: end < footer };
}

/** The live entries of a doclist from `offset` on `page` up to `stop`, its end there or the page's footer. */
function countEntries(page: Uint8Array, offset: number, stop: number): number {
  let entries = 0;
  while (offset < stop) {
    readVarint(page, offset);
    const size = readVarint(page, varintEnd);
    offset = varintEnd + (size >> 1);
    if (size >= 2) entries++;
  }
  return entries;
}

/** Where the doclist running on to `page` ends there: its first term, or past the page. */
function endOfDoclist(page: Uint8Array, footer: number): number {
  return footer < page.length ? readVarint(page, footer) : page.length + 1;
}

/** Where `key`'s doclist starts on `page` and where it ends there (past the page: it runs on), or null. */
function findTerm(page: Uint8Array, footer: number, key: Uint8Array): { offset: number; end: number } | null {
  const size = page.length;
  if (footer >= size) return null;
  let termOffset = readVarint(page, footer);
  let footerOffset = varintEnd;
  let offset = termOffset;
  let kept = 0;
  let matched = 0;
  for (;;) {
    const added = readVarint(page, offset);
    offset = varintEnd;
    if (kept < matched) return null;
    if (kept === matched) {
      const compared = Math.min(added, key.length - matched);
      let i = 0;
      while (i < compared && page[offset + i] === key[matched + i]) i++;
      matched += i;
      if (matched === key.length) {
        if (i !== added) return null;
        offset += added;
        const end = footerOffset >= size ? size + 1 : termOffset + readVarint(page, footerOffset);
        return { offset, end };
      }
      if (i < added && page[offset + i]! > key[matched]!) return null;
    }
    if (footerOffset >= size) return null;
    termOffset += readVarint(page, footerOffset);
    footerOffset = varintEnd;
    offset = termOffset;
    kept = readVarint(page, offset);
    offset = varintEnd;
  }
}

/** Into `out`, `newer` and `older` (each in rowid order) in rowid order; on a rowid both hold, `newer`'s entry. */
function mergeTwo(newer: PostingList, older: PostingList, out: PostingList): void {
  out.clear();
  out.reserve(newer.length + older.length);
  let i = 0;
  let j = 0;
  while (i < newer.length || j < older.length) {
    if (j === older.length || (i < newer.length && newer.rowids[i]! <= older.rowids[j]!)) {
      if (j < older.length && newer.rowids[i] === older.rowids[j]) j++;
      out.push(newer.rowids[i]!, newer.frequencies[i]!);
      i++;
    } else {
      out.push(older.rowids[j]!, older.frequencies[j]!);
      j++;
    }
  }
}

/**
 * Whether no two lists (each in rowid order) share a rowid range: then no entry can hide
 * another, the common case, since new rows get new rowids.
 */
function disjoint(lists: PostingList[]): boolean {
  const ranges = lists.map((l) => [l.rowids[0]!, l.rowids[l.length - 1]!] as const).sort((a, b) => a[0] - b[0]);
  return ranges.every((range, i) => i === 0 || range[0] > ranges[i - 1]![1]);
}

/** Drops the entries that hide older ones. */
function keepLive(list: PostingList): void {
  let kept = 0;
  for (let i = 0; i < list.length; i++) {
    if (list.frequencies[i]! !== DELETED) {
      list.rowids[kept] = list.rowids[i]!;
      list.frequencies[kept++] = list.frequencies[i]!;
    }
  }
  list.length = kept;
}

function u16(page: Uint8Array, offset: number): number {
  return (page[offset]! << 8) | page[offset + 1]!;
}
