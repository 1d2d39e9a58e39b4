import type Database from 'better-sqlite3';

/** A distinct query term: how to ask FTS5 for it, and how many chunks contain it. */
export interface QueryTerm {
  /** An FTS5 phrase built from the user's own word, so FTS5 applies its own tokenizer. */
  phrase: string;
  /** The indexed form(s), e.g. "retriev" for "retrieving". */
  stems: string[];
  /** Chunks containing the term (for a multi-stem phrase, an upper bound). */
  df: number;
}

const MAX_QUERY_TERMS = 64;

/**
 * Turns free text into FTS5 phrases. Users type quotes, hyphens, colons, stars and parentheses;
 * none of that reaches FTS5 as syntax: the text is cut into words, each word is quoted as a
 * phrase, and the phrases are OR-ed. To know each word's indexed form (for document
 * frequencies), the words are run through the index's own tokenizer in a temporary table.
 */
export class QueryTermAnalyzer {
  readonly #clear: Database.Statement;
  readonly #insert: Database.Statement<[number, string]>;
  readonly #read: Database.Statement<[], { term: string; doc: number; offset: number }>;
  readonly #df: Database.Statement<[string], { doc: number }>;

  constructor(db: Database.Database) {
    db.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS temp.query_tokens USING fts5 (t, tokenize = 'porter unicode61 remove_diacritics 2');
      CREATE VIRTUAL TABLE IF NOT EXISTS temp.query_tokens_vocab USING fts5vocab (temp, query_tokens, instance);`);
    this.#clear = db.prepare('DELETE FROM temp.query_tokens');
    this.#insert = db.prepare('INSERT INTO temp.query_tokens (rowid, t) VALUES (?, ?)');
    this.#read = db.prepare('SELECT term, doc, offset FROM temp.query_tokens_vocab ORDER BY doc, offset');
    this.#df = db.prepare('SELECT doc FROM chunks_vocab WHERE term = ?');
  }

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
      if (terms.has(key)) continue;
      const df = Math.min(...stems.map((stem) => this.#df.get(stem)?.doc ?? 0));
      terms.set(key, { phrase: `"${words[index]!.replaceAll('"', '""')}"`, stems, df });
    }
    return [...terms.values()];
  }
}

export function matchExpression(terms: QueryTerm[]): string {
  return terms.map((t) => t.phrase).join(' OR ');
}
