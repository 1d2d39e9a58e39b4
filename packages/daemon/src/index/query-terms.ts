import type Database from 'better-sqlite3';
import { WORD, type IndexTokenizer } from './index-tokenizer.js';
import { DoclistReader } from './postings/doclist-reader.js';
import { Fts5Records, type Segment } from './postings/fts5-structure.js';

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
/** A phrase's matches are counted up to this many; past it, it is taken as common as its rarest word. */
const PHRASE_COUNTED = 1024;

/**
 * Turns free text into FTS5 phrases. Users type quotes, hyphens, colons, stars and parentheses;
 * none of that reaches FTS5 as syntax: the text is cut into words, each word is quoted as a
 * phrase, and the phrases are OR-ed. Each word's indexed forms come from the index's tokenizer,
 * so that "retrieving" and "retrieval" are one term.
 *
 * Document frequencies: FTS5 has no cheap count (fts5vocab walks a term's whole posting list),
 * so they are taken from the pages of FTS5's segments (DoclistReader.count): counted where a
 * term's doclist is a page or two, estimated from the pages it spans where it is longer, a
 * few page reads a segment however common the term. A count is trusted until the next commit
 * (a rare term may just have appeared); an estimate is scaled with the index's size until that
 * drifts by a quarter, since a common term does not become rare by growth: searches during a
 * large import do not estimate their terms again at every commit.
 */
export class QueryTermAnalyzer {
  readonly #tokenizer: IndexTokenizer;
  readonly #doclists: DoclistReader;
  readonly #records: Fts5Records;
  readonly #countPhrase: Database.Statement<[string, number], number>;
  readonly #cache = new Map<string, { df: number; counted: boolean; seq: number; size: number }>();

  constructor(db: Database.Database, tokenizer: IndexTokenizer) {
    this.#tokenizer = tokenizer;
    this.#doclists = new DoclistReader(db, []);
    this.#records = Fts5Records.of(db);
    this.#countPhrase = db.prepare<[string, number], number>('SELECT count(*) FROM (SELECT 1 FROM chunks_fts WHERE chunks_fts MATCH ? LIMIT ?)').pluck();
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

  /** How many chunks contain each term: counted when rare, estimated when common. */
  documentFrequencies(terms: QueryTerm[], index: { size: number; seq: number }): number[] {
    let segments: Segment[] | undefined;
    return terms.map((term) => {
      const key = term.stems.join(' ');
      const cached = this.#cache.get(key);
      if (cached?.counted && cached.seq === index.seq) return cached.df;
      if (cached && !cached.counted && Math.abs(index.size - cached.size) <= CACHE_DRIFT * cached.size) {
        return Math.round((cached.df * index.size) / cached.size);
      }
      segments ??= this.#records.segments();
      const { matches, counted } = this.#count(term, segments);
      if (this.#cache.size >= MAX_CACHED_TERMS) this.#cache.clear();
      this.#cache.set(key, { df: matches, counted, seq: index.seq, size: index.size });
      return matches;
    });
  }

  #count(term: QueryTerm, segments: Segment[]): { matches: number; counted: boolean } {
    if (term.stems.length === 1) return this.#doclists.count(term.stems[0]!, segments);
    const matches = this.#countPhrase.get(term.phrase, PHRASE_COUNTED + 1) ?? 0;
    if (matches <= PHRASE_COUNTED) return { matches, counted: true };
    return { matches: Math.min(...term.stems.map((stem) => this.#doclists.count(stem, segments).matches)), counted: false };
  }
}
