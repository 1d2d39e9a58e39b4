import type Database from 'better-sqlite3';
import { B, K1, MIN_IDF, rawIdf } from './bm25.js';
import { NON_ASCII, type IndexTokenizer } from './index-tokenizer.js';
import { Fts5Records } from './postings/fts5-structure.js';

/** A query term scored only on candidates: its indexed form(s) and how many chunks contain it. */
export interface LateTerm {
  stems: string[];
  df: number;
}

export interface Scored {
  rowid: number;
  score: number;
}

interface CandidateRow {
  rowid: number;
  title: string | null;
  heading: string | null;
  text: string;
}

/**
 * Adds to candidates' scores what the common terms of a query would have added, had FTS5
 * scored them: the same bm25() (k1 1.2, b 0.75, column weights, IDF floor), with the term
 * frequencies counted in the candidates' own text by the index's tokenizer, the row lengths and
 * the average from FTS5's own tables. The cost is in the candidates (a hundred chunks by
 * default), not in the common terms' posting lists, which FTS5 would walk whole. Terms in more
 * than half the chunks are at FTS5's IDF floor (1e-6): they could add at most 2.2e-6 and are
 * left out.
 */
export class LateTermScorer {
  readonly #tokenizer: IndexTokenizer;
  readonly #weights: readonly number[];
  readonly #rows: Database.Statement<[string], CandidateRow>;
  readonly #records: Fts5Records;

  /** `weights`: of the title, heading and text columns, as given to bm25(). */
  constructor(db: Database.Database, tokenizer: IndexTokenizer, weights: readonly [number, number, number]) {
    this.#tokenizer = tokenizer;
    this.#weights = weights;
    this.#rows = db.prepare('SELECT rowid, title, heading, text FROM chunks WHERE rowid IN (SELECT value FROM json_each(?))');
    this.#records = Fts5Records.of(db);
  }

  /**
   * `candidates` with the terms' contributions added, in the same order. `lengths`: every
   * chunk's length in tokens by rowid, as the ranker holds them (reading them again from FTS5's
   * table took 0.3-0.9 ms a search at a million chunks).
   */
  add(candidates: Scored[], terms: LateTerm[], lengths: Float32Array): Scored[] {
    const { rows, tokens } = this.#records.averages();
    const weighed = terms
      .map((term) => ({ term, idf: rawIdf(rows, term.df) }))
      .filter((t) => t.idf > MIN_IDF);
    if (candidates.length === 0 || weighed.length === 0) return candidates;
    const averageLength = tokens / rows;
    const counter = new TermCounter(weighed.map((t) => t.term.stems), this.#tokenizer);
    const ids = JSON.stringify(candidates.map((c) => c.rowid));
    const found = new Map(this.#rows.all(ids).map((r) => [r.rowid, r]));
    // One FTS5 round trip for the words that need it; no copy of every text when none do.
    const foreign = [...found.values()].filter((r) => columnsOf(r).some((column) => column && NON_ASCII.test(column)));
    if (foreign.length > 0) this.#tokenizer.learn(foreign.map((r) => columnsOf(r).map((column) => column ?? '').join(' ')).join(' '));
    return candidates.map((candidate) => {
      const row = found.get(candidate.rowid);
      if (!row) return candidate;
      const length = lengths[candidate.rowid]!;
      const frequency = new Float64Array(weighed.length);
      columnsOf(row).forEach((column, c) => {
        if (column) counter.count(column, this.#weights[c]!, frequency);
      });
      const norm = K1 * (1 - B + (B * length) / averageLength);
      let added = 0;
      for (let i = 0; i < weighed.length; i++) {
        const f = frequency[i]!;
        if (f > 0) added += (weighed[i]!.idf * f * (K1 + 1)) / (f + norm);
      }
      return { rowid: candidate.rowid, score: candidate.score + added };
    });
  }
}

/** A candidate's columns in the order of the bm25() weights. */
function columnsOf(row: CandidateRow): Array<string | null> {
  return [row.title, row.heading, row.text];
}

/**
 * Counts the instances of a query's terms in texts. In ASCII text, a Porter stem less its last
 * letter begins every word it stems from ("happi": "happy", "happiness"), so only the words
 * starting with one of those prefixes are found (one regular expression) and stemmed. Other
 * text, or a term of several tokens (a phrase), is tokenised whole.
 */
class TermCounter {
  readonly #terms: string[][];
  readonly #tokenizer: IndexTokenizer;
  /** For terms of one token each: the term's index by stem, and the words that may stem to one. */
  readonly #single: { index: Map<string, number>; words: RegExp } | null = null;

  constructor(terms: string[][], tokenizer: IndexTokenizer) {
    this.#terms = terms;
    this.#tokenizer = tokenizer;
    if (terms.every((stems) => stems.length === 1)) {
      const prefixes = [...new Set(terms.map(([stem]) => stem!.slice(0, -1)))].map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      this.#single = {
        index: new Map(terms.map(([stem], i) => [stem!, i])),
        // Case-blind rather than run on a lower-cased copy of each text: `asciiTerm` folds case.
        words: new RegExp(`(?<![a-z0-9])(?:${prefixes.join('|')})[a-z0-9]*`, 'gi'),
      };
    }
  }

  /** Adds `weight` to `frequency[i]` for each instance of term `i` in `text`. */
  count(text: string, weight: number, frequency: Float64Array): void {
    if (this.#single && !NON_ASCII.test(text)) {
      for (const word of text.match(this.#single.words) ?? []) {
        const i = this.#single.index.get(this.#tokenizer.asciiTerm(word));
        if (i !== undefined) frequency[i] = frequency[i]! + weight;
      }
      return;
    }
    const tokens = this.#tokenizer.terms(text);
    this.#terms.forEach((stems, i) => {
      for (let p = 0; p + stems.length <= tokens.length; p++) {
        if (stems.every((stem, n) => tokens[p + n] === stem)) frequency[i] = frequency[i]! + weight;
      }
    });
  }
}
