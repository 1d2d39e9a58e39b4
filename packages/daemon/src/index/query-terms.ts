import type Database from 'better-sqlite3';

/** A distinct query term: how to ask FTS5 for it, and how many chunks contain it. */
export interface QueryTerm {
  /** An FTS5 phrase built from the user's own word, so FTS5 applies its own tokenizer. */
  phrase: string;
  /** The indexed form(s), e.g. "retriev" for "retrieving". */
  stems: string[];
}

const MAX_QUERY_TERMS = 64;
const MAX_CACHED_TERMS = 50_000;
/** Cached counts are dropped once the index has grown or shrunk by this fraction. */
const CACHE_DRIFT = 0.05;

/**
 * Turns free text into FTS5 phrases. Users type quotes, hyphens, colons, stars and parentheses;
 * none of that reaches FTS5 as syntax: the text is cut into words, each word is quoted as a
 * phrase, and the phrases are OR-ed. The words are run through the index's own tokenizer (in a
 * temporary FTS5 table) to find their indexed forms, so that "retrieving" and "retrieval" are
 * one term.
 *
 * Document frequencies are counted by iterating a term's matches up to a limit (fts5vocab
 * walks a term's whole posting list, far too slow for common words). An exact count is trusted
 * only until the next commit (a rare term may just have appeared); "more than the limit" is
 * trusted until the index size drifts, since a common term does not become rare by growth.
 */
export class QueryTermAnalyzer {
  readonly #clear: Database.Statement;
  readonly #insert: Database.Statement<[number, string]>;
  readonly #read: Database.Statement<[], { term: string; doc: number }>;
  readonly #count: Database.Statement<[string, number], { n: number }>;
  readonly #cache = new Map<string, { df: number; limit: number; seq: number }>();
  #cachedAtSize = 0;

  constructor(db: Database.Database) {
    db.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS temp.query_tokens USING fts5 (t, tokenize = 'porter unicode61 remove_diacritics 2');
      CREATE VIRTUAL TABLE IF NOT EXISTS temp.query_tokens_vocab USING fts5vocab (temp, query_tokens, instance);`);
    this.#clear = db.prepare('DELETE FROM temp.query_tokens');
    this.#insert = db.prepare('INSERT INTO temp.query_tokens (rowid, t) VALUES (?, ?)');
    this.#read = db.prepare('SELECT term, doc FROM temp.query_tokens_vocab ORDER BY doc, offset');
    this.#count = db.prepare('SELECT count(*) AS n FROM (SELECT 1 FROM chunks_fts WHERE chunks_fts MATCH ? LIMIT ?)');
  }

  /** Distinct terms of the query, in the order typed. */
  analyze(query: string): QueryTerm[] {
    const words = [...new Set(query.match(/[\p{L}\p{N}\p{M}]+/gu) ?? [])].slice(0, MAX_QUERY_TERMS);
    if (words.length === 0) return [];
    this.#clear.run();
    words.forEach((word, i) => this.#insert.run(i, word));
    const stemsByWord = new Map<number, string[]>();
    for (const row of this.#read.all()) {
      const stems = stemsByWord.get(row.doc) ?? [];
      stems.push(row.term);
      stemsByWord.set(row.doc, stems);
    }
    const terms = new Map<string, QueryTerm>();
    for (const [index, stems] of stemsByWord) {
      const key = stems.join(' ');
      if (!terms.has(key)) terms.set(key, { phrase: `"${words[index]!.replaceAll('"', '""')}"`, stems });
    }
    return [...terms.values()];
  }

  /**
   * Chunks matching the term: exact when at most `limit`, otherwise `limit + 1` (meaning "more").
   * Costs about 0.2 µs per match counted, so callers keep `limit` small.
   */
  documentFrequency(term: QueryTerm, limit: number, index: { size: number; seq: number }): number {
    this.#checkDrift(index.size);
    const key = term.stems.join(' ');
    const cached = this.#cache.get(key);
    if (cached) {
      const exact = cached.df <= cached.limit;
      if (exact && cached.seq === index.seq) return Math.min(cached.df, limit + 1);
      if (!exact && cached.limit >= limit) return limit + 1;
    }
    const df = this.#count.get(term.phrase, limit + 1)?.n ?? 0;
    if (this.#cache.size >= MAX_CACHED_TERMS) this.#cache.clear();
    this.#cache.set(key, { df, limit, seq: index.seq });
    return df;
  }

  #checkDrift(indexSize: number): void {
    if (Math.abs(indexSize - this.#cachedAtSize) > CACHE_DRIFT * Math.max(this.#cachedAtSize, 1000)) {
      this.#cache.clear();
      this.#cachedAtSize = indexSize;
    }
  }
}

export function matchExpression(terms: QueryTerm[]): string {
  return terms.map((t) => t.phrase).join(' OR ');
}
