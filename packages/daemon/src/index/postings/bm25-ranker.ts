import type Database from 'better-sqlite3';
import { B, K1, MIN_IDF, rawIdf } from '../bm25.js';
import type { Scored } from '../late-terms.js';
import type { QueryTerm } from '../query-terms.js';
import { DoclistReader, PostingList } from './doclist-reader.js';
import { Fts5FormatError, Fts5Records } from './fts5-structure.js';
import { RowLengths } from './row-lengths.js';

/** The `%_data` format this reader knows (the `version` in FTS5's config table). */
const FTS5_FORMAT = 4;
/** Rowids a window of summing spans: its scores (256 KB) stay in the cache. */
const WINDOW_ROWS = 1 << 15;
/** Candidates checked against a filter at first; four times as many each round after. */
const FIRST_FILTER_ROUND = 256;

/** Of candidate chunk ids, those a search's filter lets through. */
export type CandidateFilter = (chunkIds: number[]) => number[];

/**
 * Ranks chunks by FTS5's bm25() — k1 1.2, b 0.75, column weights, IDF from the rows matching
 * each term, lengths from FTS5's own counts — computed here from the doclists FTS5 stores.
 * The result equals `ORDER BY bm25(...)` (a test holds it to FTS5 on random indexes with deletes
 * and replacements) at a hundredth of the cost. A term the index splits into several tokens (a
 * phrase) is scored by FTS5 itself: it needs positions, and such terms are rare. Call inside a
 * read transaction.
 *
 * Scores are summed term at a time, one window of rowids after another: each term's postings in
 * the window are added into an array for the window, which then goes into a compact list of
 * scored chunks. An array for all rowids at once did the same arithmetic, but at a million
 * chunks it is larger than the caches, and every posting was a miss: search took 2.5 times as
 * long as at 100k for as many postings. Merging the lists a chunk at a time instead cost a
 * step per term for every chunk, 40% more at 100k.
 */
export class Bm25Ranker {
  readonly #reader: DoclistReader;
  readonly #lengths: RowLengths;
  readonly #records: Fts5Records;
  readonly #phrase: Database.Statement<[string], [number, number]>;
  /** A list per term of the search under way, in rowid order, reused from search to search. */
  readonly #termLists: PostingList[] = [];
  /** The chunks the terms match and their scores; reordered by selection. */
  #rowids = new Float64Array(1024);
  #scores = new Float64Array(1024);
  /** Scores being summed for a window of rowids, and the window's slots in use. */
  readonly #window = new Float64Array(WINDOW_ROWS);
  readonly #windowSlots = new Int32Array(WINDOW_ROWS);

  constructor(db: Database.Database, weights: readonly [number, number, number]) {
    const format = db.prepare("SELECT v FROM chunks_fts_config WHERE k = 'version'").pluck().get();
    if (format !== FTS5_FORMAT) throw new Fts5FormatError(`FTS5 format ${String(format)} is not the known ${FTS5_FORMAT}`);
    this.#reader = new DoclistReader(db, weights);
    this.#lengths = new RowLengths(db);
    this.#records = Fts5Records.of(db);
    this.#phrase = db.prepare<[string], [number, number]>(
      `SELECT rowid, -bm25(chunks_fts, ${weights.join(', ')}) FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY rowid`).raw();
  }

  /**
   * Every chunk's length in tokens by rowid, as of commit `seq`: what the ranker holds in memory
   * (half a second to load for a million chunks), brought up to that commit.
   */
  lengths(seq: number): Float32Array {
    return this.#lengths.at(seq);
  }

  /** The lengths in slices of about `rows` rows (see RowLengths.advance); true once at `seq`. */
  advanceLengths(seq: number, rows: number): boolean {
    return this.#lengths.advance(seq, rows);
  }

  /** The commit the lengths are at, -1 before they are loaded. */
  get lengthsSeq(): number {
    return this.#lengths.seq;
  }

  /** The best `limit` chunks for `terms` as of commit `seq`, best first, ties by rowid. */
  top(terms: QueryTerm[], limit: number, seq: number, filter?: CandidateFilter): Scored[] {
    const matched = this.#score(terms, seq);
    return filter ? this.#selectFiltered(matched, limit, filter) : this.#select(0, matched, limit);
  }

  /** Scores every chunk a term matches, into `#rowids` and `#scores`; returns how many. */
  #score(terms: QueryTerm[], seq: number): number {
    const segments = this.#records.segments();
    const { rows, tokens } = this.#records.averages();
    const lengths = this.#lengths.at(seq);
    const normBase = K1 * (1 - B);
    const normPerToken = rows > 0 ? (K1 * B * rows) / tokens : 0;
    const count = terms.length;
    const idfs = new Float64Array(count);
    const phrases = terms.map((term) => term.stems.length > 1);
    while (this.#termLists.length < count) this.#termLists.push(new PostingList());
    const lists = this.#termLists;
    let total = 0;
    let first = Infinity;
    for (let t = 0; t < count; t++) {
      const term = terms[t]!;
      const list = lists[t]!;
      if (phrases[t]) this.#phraseScores(term.phrase, list);
      else this.#reader.read(term.stems[0]!, segments, list);
      idfs[t] = Math.max(MIN_IDF, rawIdf(rows, list.length));
      total += list.length;
      if (list.length > 0) first = Math.min(first, list.rowids[0]!);
    }
    this.#reserve(total);
    const window = this.#window;
    const slots = this.#windowSlots;
    const next = new Int32Array(count);
    let base = windowOf(first);
    let matched = 0;
    while (base !== Infinity) {
      const end = base + WINDOW_ROWS;
      let touched = 0;
      let following = Infinity;
      for (let t = 0; t < count; t++) {
        const { rowids, frequencies, length } = lists[t]!;
        const phrase = phrases[t]!;
        const idf = idfs[t]!;
        let i = next[t]!;
        for (; i < length; i++) {
          const rowid = rowids[i]!;
          if (rowid >= end) break;
          const f = frequencies[i]!;
          // A match in columns of weight 0 adds nothing, and does not make a chunk a result.
          if (f === 0) continue;
          const slot = rowid - base;
          const before = window[slot]!;
          if (before === 0) slots[touched++] = slot;
          window[slot] = before + (phrase ? f : (idf * f * (K1 + 1)) / (f + normBase + normPerToken * (lengths[rowid] ?? 0)));
        }
        next[t] = i;
        if (i < length && rowids[i]! < following) following = rowids[i]!;
      }
      for (let j = 0; j < touched; j++) {
        const slot = slots[j]!;
        this.#rowids[matched] = base + slot;
        this.#scores[matched++] = window[slot]!;
        window[slot] = 0;
      }
      base = windowOf(following);
    }
    return matched;
  }

  /** Into `out`, a phrase's own bm25() per row, from FTS5, in place of frequencies, in rowid order. */
  #phraseScores(phrase: string, out: PostingList): void {
    out.clear();
    for (const [rowid, score] of this.#phrase.iterate(phrase)) out.push(rowid, score);
  }

  #reserve(size: number): void {
    if (size <= this.#rowids.length) return;
    const grown = Math.max(size, this.#rowids.length * 2);
    this.#rowids = new Float64Array(grown);
    this.#scores = new Float64Array(grown);
  }

  /** Of the scored chunks `[from, to)`, the best `limit`, best first. */
  #select(from: number, to: number, limit: number): Scored[] {
    const heap = new MinHeap(limit);
    const rowids = this.#rowids;
    const scores = this.#scores;
    for (let i = from; i < to; i++) {
      // Most candidates score below the worst kept one: skip them without a call.
      if (scores[i]! >= heap.floor) heap.offer(rowids[i]!, scores[i]!);
    }
    return heap.drain();
  }

  /**
   * The best `limit` that pass the filter: the best candidates are checked in rounds growing
   * fourfold, each round's checked candidates moved to the front of the scored chunks.
   */
  #selectFiltered(matched: number, limit: number, filter: CandidateFilter): Scored[] {
    const passed: Scored[] = [];
    let checked = 0;
    for (let round = Math.max(FIRST_FILTER_ROUND, limit); checked < matched && passed.length < limit; round *= 4) {
      const best = this.#select(checked, matched, round);
      const kept = new Set(filter(best.map((s) => s.rowid)));
      for (const hit of best) if (kept.has(hit.rowid) && passed.length < limit) passed.push(hit);
      this.#moveToFront(checked, matched, new Set(best.map((s) => s.rowid)));
      checked += best.length;
    }
    return passed;
  }

  #moveToFront(from: number, to: number, chosen: Set<number>): void {
    const rowids = this.#rowids;
    const scores = this.#scores;
    let front = from;
    for (let i = from; i < to; i++) {
      if (chosen.has(rowids[i]!)) swapEntries(rowids, scores, front++, i);
    }
  }
}

/** The `size` best chunks by score (ties: the lower rowid), kept as a min-heap of the worst first. */
class MinHeap {
  readonly #rowids: Float64Array;
  readonly #scores: Float64Array;
  readonly #size: number;
  #length = 0;

  constructor(size: number) {
    this.#size = size;
    this.#rowids = new Float64Array(size);
    this.#scores = new Float64Array(size);
  }

  /** Scores below this cannot enter (ties are decided by `offer`). */
  get floor(): number {
    return this.#length < this.#size ? -Infinity : this.#scores[0]!;
  }

  offer(rowid: number, score: number): void {
    if (this.#length < this.#size) {
      this.#rowids[this.#length] = rowid;
      this.#scores[this.#length] = score;
      this.#up(this.#length++);
    } else if (this.#size > 0 && this.#worse(0, rowid, score)) {
      this.#rowids[0] = rowid;
      this.#scores[0] = score;
      this.#down(0);
    }
  }

  /** Best first. */
  drain(): Scored[] {
    const out: Scored[] = [];
    for (let i = 0; i < this.#length; i++) out.push({ rowid: this.#rowids[i]!, score: this.#scores[i]! });
    return out.sort((a, b) => b.score - a.score || a.rowid - b.rowid);
  }

  /** Whether the entry at `i` ranks below a chunk `rowid` scoring `score`. */
  #worse(i: number, rowid: number, score: number): boolean {
    const s = this.#scores[i]!;
    return s < score || (s === score && this.#rowids[i]! > rowid);
  }

  #up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#worse(i, this.#rowids[parent]!, this.#scores[parent]!)) return;
      swapEntries(this.#rowids, this.#scores, i, parent);
      i = parent;
    }
  }

  #down(i: number): void {
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let worst = i;
      if (left < this.#length && this.#worse(left, this.#rowids[worst]!, this.#scores[worst]!)) worst = left;
      if (right < this.#length && this.#worse(right, this.#rowids[worst]!, this.#scores[worst]!)) worst = right;
      if (worst === i) return;
      swapEntries(this.#rowids, this.#scores, i, worst);
      i = worst;
    }
  }
}

/**
 * Swaps entries `a` and `b` of parallel rowid and score arrays, through locals: swapping by
 * destructuring allocated an array on every step of the heap (a tenth of a search's garbage).
 */
function swapEntries(rowids: Float64Array, scores: Float64Array, a: number, b: number): void {
  const rowid = rowids[a]!;
  const score = scores[a]!;
  rowids[a] = rowids[b]!;
  scores[a] = scores[b]!;
  rowids[b] = rowid;
  scores[b] = score;
}

/** The first rowid of the window that holds `rowid`; Infinity for none. */
function windowOf(rowid: number): number {
  return rowid === Infinity ? Infinity : rowid - (rowid % WINDOW_ROWS);
}
