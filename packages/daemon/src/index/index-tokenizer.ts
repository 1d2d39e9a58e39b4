import type Database from 'better-sqlite3';
import { stemmer } from 'stemmer';

/** Runs of word characters; FTS5 may split a run with other than ASCII letters and digits further. */
export const WORD = /[\p{L}\p{N}\p{M}\p{Co}]+/gu;
export const NON_ASCII = /[^\x00-\x7f]/;
const ASCII_WORD = /^[A-Za-z0-9]+$/;
/** FTS5's porter stems tokens of 3 to 64 bytes; others pass as they are. */
const STEMMED_LENGTH = { min: 3, max: 64 };
const MAX_CACHED_WORDS = 200_000;

/**
 * The index's tokenizer, `porter unicode61 remove_diacritics 2`: the terms FTS5 stores for a
 * text. Words of ASCII letters and digits, nearly all of them in most text, are folded and
 * stemmed here — Porter's algorithm with the two departures SQLite's porter also makes (the
 * `stemmer` package); a test holds this to FTS5's own output on a real vocabulary. Any other
 * word goes through FTS5 itself (a temporary table), since SQLite folds, strips diacritics and
 * stems such words by its own Unicode tables and byte lengths. Every word's terms are cached.
 */
export class IndexTokenizer {
  readonly #asciiTerms = new Map<string, string>();
  readonly #otherTerms = new Map<string, string[]>();
  readonly #clear: Database.Statement;
  readonly #insert: Database.Statement<[number, string]>;
  readonly #read: Database.Statement<[], { term: string; doc: number }>;

  constructor(db: Database.Database) {
    db.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS temp.tokenized USING fts5 (t, tokenize = 'porter unicode61 remove_diacritics 2');
      CREATE VIRTUAL TABLE IF NOT EXISTS temp.tokenized_terms USING fts5vocab (temp, tokenized, instance);`);
    this.#clear = db.prepare('DELETE FROM temp.tokenized');
    this.#insert = db.prepare('INSERT INTO temp.tokenized (rowid, t) VALUES (?, ?)');
    this.#read = db.prepare('SELECT term, doc FROM temp.tokenized_terms ORDER BY doc, offset');
  }

  /** The indexed terms of `text`, in order. */
  terms(text: string): string[] {
    const words = text.match(WORD) ?? [];
    this.#learn(words);
    const terms: string[] = [];
    for (const word of words) {
      if (ASCII_WORD.test(word)) terms.push(this.asciiTerm(word));
      else terms.push(...this.#otherTerms.get(word)!);
    }
    return terms;
  }

  /** The term of a word of ASCII letters and digits. */
  asciiTerm(word: string): string {
    let term = this.#asciiTerms.get(word);
    if (term === undefined) {
      const lower = word.toLowerCase();
      term = lower.length < STEMMED_LENGTH.min || lower.length > STEMMED_LENGTH.max ? lower : stemmer(lower);
      if (this.#asciiTerms.size >= MAX_CACHED_WORDS) this.#asciiTerms.clear();
      this.#asciiTerms.set(word, term);
    }
    return term;
  }

  /**
   * Learns the terms of every word of `text` that needs FTS5, in one round trip: call it before
   * asking for the words one at a time (a snippet, a query's words), which would take one each.
   */
  learn(text: string): void {
    if (NON_ASCII.test(text)) this.#learn(text.match(WORD) ?? []);
  }

  /** Has FTS5 tokenize the words not yet known that need it, all in one statement's worth of rows. */
  #learn(words: string[]): void {
    // Cleared before, never while, a text's words are looked up.
    if (this.#otherTerms.size > MAX_CACHED_WORDS) this.#otherTerms.clear();
    const distinct = [...new Set(words.filter((word) => !ASCII_WORD.test(word) && !this.#otherTerms.has(word)))];
    if (distinct.length === 0) return;
    this.#clear.run();
    distinct.forEach((word, i) => this.#insert.run(i, word));
    const terms = distinct.map((): string[] => []);
    for (const row of this.#read.all()) terms[row.doc]!.push(row.term);
    distinct.forEach((word, i) => this.#otherTerms.set(word, terms[i]!));
  }
}
