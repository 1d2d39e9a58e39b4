import type Database from 'better-sqlite3';
import { B, K1, MIN_IDF, rawIdf } from '../bm25.js';
import type { Scored } from '../late-terms.js';
import type { QueryTerm } from '../query-terms.js';
import { DoclistReader, PostingList } from './doclist-reader.js';
import { Fts5FormatError, Fts5Records } from './fts5-structure.js';
import { RowLengths } from './row-lengths.js';

/** The `%_data` format this reader knows (the `version` in FTS5's config table). */
const FTS5_FORMAT = 4;
/** Candidates checked against a filter at first; four times as many each round after. */
const FIRST_FILTER_ROUND = 256;

/** Of candidate chunk ids, those a search's filter lets through. */
export type CandidateFilter = (chunkIds: number[]) => number[];

/**
 * Ranks chunks by FTS5's bm25() — k1 1.2, b 0.75, column weights, IDF from the rows matching
 * each term, lengths from FTS5's own counts — computed here from the doclists FTS5 stores,
 * term at a time into a score per rowid. The result equals `ORDER BY bm25(...)` (a test holds
 * it to FTS5 on random indexes with deletes and replacements) at a hundredth of the cost. A
 * term the index splits into several tokens (a phrase) is scored by FTS5 itself: it needs
 * positions, and such terms are rare. Call inside a read transaction.
 */
export class Bm25Ranker {
  readonly #reader: DoclistReader;
  readonly #lengths: RowLengths;
  readonly #records: Fts5Records;
  readonly #phrase: Database.Statement<[string], [number, number]>;
  readonly #list = new PostingList();
  #scores = new Float64Array(0);
  #touched = new Float64Array(1024);

  constructor(db: Database.Database, weights: readonly [number, number, number]) {
    const format = db.prepare("SELECT v FROM chunks_fts_config WHERE k = 'version'").pluck().get();
    if (format !== FTS5_FORMAT) throw new Fts5FormatError(`FTS5 format ${String(format)} is not the known ${FTS5_FORMAT}`);
    this.#reader = new DoclistReader(db, weights);
    this.#lengths = new RowLengths(db);
    this.#records = Fts5Records.of(db);
    this.#phrase = db.prepare<[string], [number, number]>(
      `SELECT rowid, -bm25(chunks_fts, ${weights.join(', ')}) FROM chunks_fts WHERE chunks_fts MATCH ?`).raw();
  }

  /** Brings what the ranker holds in memory (chunk lengths: a second for a million) up to commit `seq`. */
  refresh(seq: number): void {
    this.#lengths.at(seq);
  }

  /** The best `limit` chunks for `terms` as of commit `seq`, best first, ties by rowid. */
  top(terms: QueryTerm[], limit: number, seq: number, filter?: CandidateFilter): Scored[] {
    const touched = this.#score(terms, seq);
    try {
      return filter ? this.#selectFiltered(touched, limit, filter) : this.#select(0, touched, limit);
    } finally {
      for (let i = 0; i < touched; i++) this.#scores[this.#touched[i]!] = 0;
    }
  }

  /** Scores every chunk a term matches; returns how many were touched (in `#touched`). */
  #score(terms: QueryTerm[], seq: number): number {
    const segments = this.#records.segments();
    const { rows, tokens } = this.#records.averages();
    const lengths = this.#lengths.at(seq);
    const normBase = K1 * (1 - B);
    const normPerToken = rows > 0 ? (K1 * B * rows) / tokens : 0;
    let touched = 0;
    for (const term of terms) {
      const phrase = term.stems.length > 1;
      const lists = phrase ? this.#phraseScores(term.phrase) : this.#reader.read(term.stems[0]!, segments);
      const matches = lists.reduce((n, list) => n + list.length, 0);
      const idf = Math.max(MIN_IDF, rawIdf(rows, matches));
      for (const { rowids, frequencies, length } of lists) {
        this.#reserve(rowids, length, touched + length);
        const scores = this.#scores;
        const touchedRows = this.#touched;
        for (let i = 0; i < length; i++) {
          const rowid = rowids[i]!;
          const f = frequencies[i]!;
          // A match in columns of weight 0 adds nothing, and does not make a chunk a result.
          if (f === 0) continue;
          const before = scores[rowid]!;
          if (before === 0) touchedRows[touched++] = rowid;
          scores[rowid] = before + (phrase ? f : (idf * f * (K1 + 1)) / (f + normBase + normPerToken * (lengths[rowid] ?? 0)));
        }
      }
    }
    return touched;
  }

  /** A phrase's own bm25() per row, from FTS5, in place of frequencies. */
  #phraseScores(phrase: string): PostingList[] {
    const list = this.#list;
    list.clear();
    for (const [rowid, score] of this.#phrase.iterate(phrase)) list.push(rowid, score);
    return [list];
  }

  /** Room for rowids up to the largest in `rowids`, and for `touched` candidates. */
  #reserve(rowids: Float64Array, length: number, touched: number): void {
    let largest = 0;
    for (let i = 0; i < length; i++) if (rowids[i]! > largest) largest = rowids[i]!;
    if (largest >= this.#scores.length) this.#grow(largest);
    if (touched > this.#touched.length) this.#touched = growTo(this.#touched, Math.max(touched, this.#touched.length * 2));
  }

  /** Of `#touched[from..to)`, the best `limit`, best first. */
  #select(from: number, to: number, limit: number): Scored[] {
    const heap = new MinHeap(limit, this.#scores);
    const touched = this.#touched;
    const scores = this.#scores;
    for (let i = from; i < to; i++) {
      const rowid = touched[i]!;
      // Most candidates score below the worst kept one: skip them without a call.
      if (scores[rowid]! >= heap.floor) heap.offer(rowid);
    }
    return heap.drain();
  }

  /**
   * The best `limit` that pass the filter: the best candidates are checked in rounds growing
   * fourfold, each round's checked candidates moved to the front of `#touched`.
   */
  #selectFiltered(touched: number, limit: number, filter: CandidateFilter): Scored[] {
    const passed: Scored[] = [];
    let checked = 0;
    for (let round = Math.max(FIRST_FILTER_ROUND, limit); checked < touched && passed.length < limit; round *= 4) {
      const best = this.#select(checked, touched, round);
      const kept = new Set(filter(best.map((s) => s.rowid)));
      for (const hit of best) if (kept.has(hit.rowid) && passed.length < limit) passed.push(hit);
      this.#moveToFront(checked, touched, new Set(best.map((s) => s.rowid)));
      checked += best.length;
    }
    return passed;
  }

  #moveToFront(from: number, to: number, rowids: Set<number>): void {
    const touched = this.#touched;
    let front = from;
    for (let i = from; i < to; i++) {
      if (rowids.has(touched[i]!)) {
        const t = touched[front]!;
        touched[front++] = touched[i]!;
        touched[i] = t;
      }
    }
  }

  #grow(rowid: number): void {
    this.#scores = growTo(this.#scores, Math.max(rowid + 1, Math.ceil(this.#scores.length * 1.5), 1024));
  }
}

/** The `size` best rowids by score (ties: the lower rowid), kept as a min-heap of the worst first. */
class MinHeap {
  readonly #rowids: Float64Array;
  readonly #scores: Float64Array;
  readonly #size: number;
  #length = 0;

  constructor(size: number, scores: Float64Array) {
    this.#size = size;
    this.#scores = scores;
    this.#rowids = new Float64Array(size);
  }

  /** Scores below this cannot enter (ties are decided by `offer`). */
  get floor(): number {
    return this.#length < this.#size ? -Infinity : this.#scores[this.#rowids[0]!]!;
  }

  offer(rowid: number): void {
    if (this.#length < this.#size) {
      this.#rowids[this.#length] = rowid;
      this.#up(this.#length++);
    } else if (this.#size > 0 && this.#worse(this.#rowids[0]!, rowid)) {
      this.#rowids[0] = rowid;
      this.#down(0);
    }
  }

  /** Best first. */
  drain(): Scored[] {
    const out: Scored[] = [];
    for (let i = 0; i < this.#length; i++) out.push({ rowid: this.#rowids[i]!, score: this.#scores[this.#rowids[i]!]! });
    return out.sort((a, b) => b.score - a.score || a.rowid - b.rowid);
  }

  /** Whether `a` ranks below `b`. */
  #worse(a: number, b: number): boolean {
    const sa = this.#scores[a]!;
    const sb = this.#scores[b]!;
    return sa < sb || (sa === sb && a > b);
  }

  #up(i: number): void {
    const r = this.#rowids;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#worse(r[i]!, r[parent]!)) return;
      [r[i], r[parent]] = [r[parent]!, r[i]!];
      i = parent;
    }
  }

  #down(i: number): void {
    const r = this.#rowids;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let worst = i;
      if (left < this.#length && this.#worse(r[left]!, r[worst]!)) worst = left;
      if (right < this.#length && this.#worse(r[right]!, r[worst]!)) worst = right;
      if (worst === i) return;
      [r[i], r[worst]] = [r[worst]!, r[i]!];
      i = worst;
    }
  }
}

function growTo(array: Float64Array, size: number): Float64Array<ArrayBuffer> {
  const grown = new Float64Array(size);
  grown.set(array.subarray(0, Math.min(array.length, size)));
  return grown;
}
