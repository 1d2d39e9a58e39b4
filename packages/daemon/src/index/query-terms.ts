import type Database from 'better-sqlite3';
import { WORD, type IndexTokenizer } from './index-tokenizer.js';

/** A distinct query term: how to ask FTS5 for it, and how many chunks contain it. */
export interface QueryTerm {
  /** An FTS5 phrase built from the user's own word, so FTS5 applies its own tokenizer. */
  phrase: string;
  /** The indexed form(s), e.g. "retriev" for "retrieving". */
  stems: string[];
}

const MAX_QUERY_TERMS = 64;
const MAX_CACHED_TERMS = 50_000;
/** A cached estimate is scaled with the index until it has grown or shrunk by this fraction, then made again. */
const CACHE_DRIFT = 0.25;
/** Terms with up to this many matches are counted; more are estimated. */
const COUNTED_EXACTLY = 1024;
/** Where in the rowid space the estimate samples, besides the start (fractions of the last rowid). */
const SAMPLE_AT = [1 / 3, 2 / 3];

/**
 * Turns free text into FTS5 phrases. Users type quotes, hyphens, colons, stars and parentheses;
 * none of that reaches FTS5 as syntax: the text is cut into words, each word is quoted as a
 * phrase, and the phrases are OR-ed. Each word's indexed forms come from the index's tokenizer,
 * so that "retrieving" and "retrieval" are one term.
 *
 * Document frequencies: FTS5 has no cheap count (fts5vocab walks a term's whole posting list),
 * so a term's matches are counted, in rowid order, up to a limit. A term with more is
 * estimated: the stretch of rowids those first matches spanned gives a density, checked in
 * two stretches of half that width spread over the index (FTS5 seeks to a rowid range through
 * its doclist index), a few thousand matches visited however common the term. An exact count is
 * trusted until the next commit (a rare term may just have appeared); an estimate is scaled with
 * the index's size until that drifts by a quarter, since a common term does not become rare by
 * growth: searches during a large import do not estimate their terms again at every commit.
 */
export class QueryTermAnalyzer {
  readonly #tokenizer: IndexTokenizer;
  readonly #countFirst: Database.Statement<[string, number], { n: number; last: number | null }>;
  readonly #countRange: Database.Statement<[string, number, number, number], { n: number }>;
  readonly #lastRowid: Database.Statement<[], number | null>;
  readonly #cache = new Map<string, { df: number; exact: boolean; seq: number; size: number }>();

  constructor(db: Database.Database, tokenizer: IndexTokenizer) {
    this.#tokenizer = tokenizer;
    this.#countFirst = db.prepare('SELECT count(*) AS n, max(rowid) AS last FROM (SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ? LIMIT ?)');
    // Rowid bounds reach FTS5 only as integers; a bound REAL is ignored and the whole list walked.
    this.#countRange = db.prepare(`SELECT count(*) AS n FROM (SELECT 1 FROM chunks_fts WHERE chunks_fts MATCH ?
      AND rowid BETWEEN CAST(? AS INTEGER) AND CAST(? AS INTEGER) LIMIT ?)`);
    this.#lastRowid = db.prepare<[], number | null>('SELECT max(rowid) FROM chunks').pluck();
  }

  /** Distinct terms of the query, in the order typed. */
  analyze(query: string): QueryTerm[] {
    const words = [...new Set(query.match(WORD) ?? [])].slice(0, MAX_QUERY_TERMS);
    this.#tokenizer.learn(words.join(' '));
    const terms = new Map<string, QueryTerm>();
    for (const word of words) {
      const stems = this.#tokenizer.terms(word);
      const key = stems.join(' ');
      if (stems.length > 0 && !terms.has(key)) terms.set(key, { phrase: `"${word}"`, stems });
    }
    return [...terms.values()];
  }

  /** How many chunks contain the term: exact up to a thousand, estimated beyond. */
  documentFrequency(term: QueryTerm, index: { size: number; seq: number }): number {
    const key = term.stems.join(' ');
    const cached = this.#cache.get(key);
    if (cached?.exact && cached.seq === index.seq) return cached.df;
    if (cached && !cached.exact && Math.abs(index.size - cached.size) <= CACHE_DRIFT * cached.size) {
      return Math.max(COUNTED_EXACTLY + 1, Math.round((cached.df * index.size) / cached.size));
    }
    const first = this.#countFirst.get(term.phrase, COUNTED_EXACTLY + 1) ?? { n: 0, last: null };
    const exact = first.n <= COUNTED_EXACTLY;
    const df = exact ? first.n : this.#estimate(term.phrase, first.n, first.last ?? 1);
    if (this.#cache.size >= MAX_CACHED_TERMS) this.#cache.clear();
    this.#cache.set(key, { df, exact, seq: index.seq, size: index.size });
    return df;
  }

  /** From `matches` in rowids 1..`span`, and the matches in stretches further on. */
  #estimate(phrase: string, matches: number, span: number): number {
    const last = this.#lastRowid.get() ?? span;
    const width = Math.max(1, Math.ceil(span / 2));
    let found = matches;
    let covered = span;
    let end = span;
    for (const at of SAMPLE_AT) {
      const from = Math.max(end + 1, Math.floor(last * at));
      const to = Math.min(last, from + width - 1);
      if (to < from) break;
      found += this.#countRange.get(phrase, from, to, 4 * COUNTED_EXACTLY)?.n ?? 0;
      covered += to - from + 1;
      end = to;
    }
    return Math.max(COUNTED_EXACTLY + 1, Math.round((found * last) / covered));
  }
}
