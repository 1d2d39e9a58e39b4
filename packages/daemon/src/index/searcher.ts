import fs from 'node:fs';
import type Database from 'better-sqlite3';
import type { Metadata, ResponseBody, SearchFilter, SearchResult } from '@dindex/protocol';
import type { Config } from '../config/schema.js';
import { QueryTermAnalyzer, type QueryTerm } from './query-terms.js';
import { LateTermScorer, type Scored } from './late-terms.js';
import { IndexTokenizer, WORD } from './index-tokenizer.js';
import { excerpt, termMarker } from './excerpt.js';
import { SCHEMA_VERSION } from './schema.js';
import { Bm25Ranker } from './postings/bm25-ranker.js';
import { Fts5Records } from './postings/fts5-structure.js';

/** The `[search]` section of the configuration. */
export type SearchSettings = Config['search'];

export interface SearchRequest {
  query: string;
  k: number;
  filter?: SearchFilter | undefined;
  exact?: boolean | undefined;
}

/** The index's statistics: the `stats` answer, less what the pipeline adds. */
export type IndexStats = Omit<ResponseBody<'stats'>, 'queued_documents'>;

export interface SearchOutcome {
  results: SearchResult[];
  lateTerms: string[];
}

/**
 * BM25 search over the FTS5 index, on a read-only connection that never waits for the writer.
 *
 * The ranking is FTS5's bm25(), computed from FTS5's stored doclists (see Bm25Ranker), at some
 * tens of nanoseconds per matching chunk. A query full of common words still matches most of
 * a large index, so once its terms match more than `max_scored_rows` chunks it is answered in
 * two steps: the rarest terms that fit that budget are ranked over every chunk they match, and
 * the best `late_scored_candidates` are then scored with the common terms as well, from their
 * own text (see LateTermScorer), with the same bm25(). The final ranking is exact among the
 * candidates; a chunk only common terms would have found is missed, and the benchmarks measure
 * what that costs. `exact: true` ranks every term over every chunk.
 */
export class Searcher {
  readonly #db: Database.Database;
  readonly #file: string;
  readonly #settings: SearchSettings;
  readonly #tokenizer: IndexTokenizer;
  readonly #analyzer: QueryTermAnalyzer;
  readonly #lateTerms: LateTermScorer;
  readonly #ranker: Bm25Ranker;
  readonly #chunks: Database.Statement<[string], Omit<DetailRow, 'snippet'>>;
  readonly #meta: Database.Statement<[], { key: string; value: number | string | null }>;
  readonly #refused: Database.Statement;
  readonly #sample: Database.Statement<[number], string>;
  readonly #lastRowid: Database.Statement<[], number | null>;
  readonly #records: Fts5Records;
  readonly #prepared = new Map<string, Database.Statement>();
  /** Chunks in the index at the last warm-up. */
  #warmedAt = 0;

  constructor(db: Database.Database, file: string, settings: SearchSettings) {
    this.#db = db;
    this.#file = file;
    this.#settings = settings;
    this.#tokenizer = new IndexTokenizer(db);
    this.#analyzer = new QueryTermAnalyzer(db, this.#tokenizer);
    this.#lateTerms = new LateTermScorer(db, this.#tokenizer, [settings.title_weight, settings.heading_weight, settings.text_weight]);
    this.#ranker = new Bm25Ranker(db, [settings.title_weight, settings.heading_weight, settings.text_weight]);
    this.#chunks = db.prepare(`SELECT c.rowid AS chunk_id, c.text, c.heading, d.id AS doc_id, d.source, d.title, d.metadata
      FROM chunks c JOIN documents d ON d.rowid = c.doc_rowid WHERE c.rowid IN (SELECT value FROM json_each(?))`);
    this.#meta = db.prepare('SELECT key, value FROM meta');
    // Answered from a partial index: cheap even while a re-embed keeps every chunk pending.
    this.#refused = db.prepare('SELECT count(*) FROM vectors_pending WHERE refused IS NOT NULL').pluck();
    this.#sample = db.prepare<[number], string>('SELECT text FROM chunks WHERE rowid >= ? ORDER BY rowid LIMIT 1').pluck();
    this.#lastRowid = db.prepare<[], number | null>('SELECT max(rowid) FROM chunks').pluck();
    this.#records = Fts5Records.of(db);
  }

  search(request: SearchRequest): SearchOutcome {
    return this.snapshot(() => {
      const ranked = this.rank(request);
      return {
        results: this.resolve(ranked.hits.slice(0, request.k), ranked.terms),
        lateTerms: ranked.lateTerms,
      };
    });
  }

  /**
   * Brings what ranking holds in memory (chunk lengths) up to the last commit, so that a search
   * need not; returns that commit's sequence.
   */
  refresh(): number {
    return this.snapshot(() => {
      const seq = this.#readMeta().last_commit_seq;
      this.#ranker.lengths(seq);
      return seq;
    });
  }

  /**
   * As `refresh`, by at most about `rows` rows of work (see RowLengths.advance), for a reader
   * that must not stop for all of it; true once at the last commit.
   */
  advance(rows: number): boolean {
    return this.snapshot(() => this.#ranker.advanceLengths(this.#readMeta().last_commit_seq, rows));
  }

  /** The commit what ranking holds in memory is at; -1 before it is loaded. */
  get currentSeq(): number {
    return this.#ranker.lengthsSeq;
  }

  /**
   * `count` queries of words of chunks spread over the index, for a search thread to warm up on:
   * the first real searches then find the ranking code compiled and the commonest words
   * counted. None until the index has doubled since the last: counts go stale with growth.
   */
  warmUpQueries(count: number): string[] {
    const { chunks } = this.#readMeta();
    if (chunks === 0 || chunks < 2 * this.#warmedAt) return [];
    this.#warmedAt = chunks;
    const last = this.#lastRowid.get() ?? 0;
    const queries: string[] = [];
    for (let i = 0; i < count; i++) {
      const words = this.#sample.get(Math.ceil((last * (i + 0.5)) / count))?.match(WORD)?.slice(0, 12).join(' ');
      if (words) queries.push(words);
    }
    return queries;
  }

  /** Runs `read` in one read transaction: every statement in it sees the same committed snapshot. */
  snapshot<T>(read: () => T): T {
    return this.#db.transaction(read)();
  }

  /** The BM25 top `k`, best first, the query's indexed terms (for snippets), and its late terms. */
  rank(request: SearchRequest): { hits: Scored[]; terms: string[]; lateTerms: string[] } {
    const terms = this.#analyzer.analyze(request.query);
    const stems = terms.flatMap((t) => t.stems);
    if (terms.length === 0) return { hits: [], terms: stems, lateTerms: [] };
    const meta = this.#readMeta();
    const index = { size: meta.chunks, seq: meta.last_commit_seq };
    if (request.exact) return { hits: this.#scoreTop(terms, request.k, request.filter, index.seq), terms: stems, lateTerms: [] };
    const { early, late } = this.#split(terms, index);
    if (early.length === 0) return { hits: [], terms: stems, lateTerms: [] };
    if (late.length === 0) return { hits: this.#scoreTop(early, request.k, request.filter, index.seq), terms: stems, lateTerms: [] };
    const candidates = this.#scoreTop(early, Math.max(request.k, this.#settings.late_scored_candidates), request.filter, index.seq);
    const hits = this.#lateTerms.add(candidates, late, this.#ranker.lengths(index.seq)).sort((a, b) => b.score - a.score || a.rowid - b.rowid).slice(0, request.k);
    return { hits, terms: stems, lateTerms: late.map((t) => t.stems.join(' ')) };
  }

  /** The query's indexed terms ("retriev" for "retrieving"). */
  queryTerms(query: string): string[] {
    return this.#analyzer.analyze(query).flatMap((t) => t.stems);
  }

  /** Of `chunkIds`, those that exist in this snapshot and pass the filter, in the given order. */
  present(chunkIds: number[], filter: SearchFilter | undefined): number[] {
    if (chunkIds.length === 0) return [];
    const { sql, params } = filterClause(filter);
    const rows = this.#statement(`SELECT c.rowid AS rowid FROM chunks c JOIN documents d ON d.rowid = c.doc_rowid
      WHERE c.rowid IN (SELECT value FROM json_each(?)) ${sql}`).pluck().all(JSON.stringify(chunkIds), ...params) as number[];
    const found = new Set(rows);
    return chunkIds.filter((id) => found.has(id));
  }

  /**
   * Full results for scored chunks, in one lookup, each with a snippet: the passage with the
   * most words filed under the query's `terms`, marked. FTS5's own snippet() was 20x slower:
   * it seeks every marked term's postings for every row.
   */
  resolve(hits: Scored[], terms: string[]): SearchResult[] {
    if (hits.length === 0) return [];
    const rows = new Map(this.#chunks.all(JSON.stringify(hits.map((h) => h.rowid))).map((row) => [row.chunk_id, row]));
    this.#tokenizer.learn([...rows.values()].map((row) => row.text).join(' '));
    const marked = termMarker(this.#tokenizer, terms);
    return hits.flatMap(({ rowid, score }) => {
      const row = rows.get(rowid);
      return row ? [toResult({ ...row, snippet: excerpt(row.text, marked) }, score)] : [];
    });
  }

  /** Vectors counted in the table, not taken from the counters (the doctor checks those). */
  countVectors(): number {
    return this.#db.prepare('SELECT count(*) FROM vectors').pluck().get() as number;
  }

  stats(): IndexStats {
    return this.snapshot(() => ({
      ...this.#readMeta(),
      database_bytes: fileSize(this.#file) + fileSize(`${this.#file}-wal`),
      index_segments: this.#records.segments().length,
      schema_version: SCHEMA_VERSION,
    }));
  }

  /** The counters the writer keeps in `meta`, updated in every commit. */
  #readMeta(): Omit<IndexStats, 'database_bytes' | 'index_segments' | 'schema_version'> {
    const meta = new Map(this.#meta.all().map((r) => [r.key, r.value]));
    const number = (key: string): number => Number(meta.get(key) ?? 0);
    const dimensions = meta.get('embedding_dimensions');
    return {
      documents: number('documents'),
      chunks: number('chunks'),
      vectors: number('vectors'),
      vectors_pending: number('vectors_pending'),
      vectors_refused: this.#refused.get() as number,
      embedding_model: (meta.get('embedding_model') as string | null | undefined) ?? null,
      embedding_dimensions: dimensions === null || dimensions === undefined ? null : Number(dimensions),
      last_commit_seq: number('last_commit_seq'),
      vectors_seq: number('vectors_seq'),
    };
  }

  /**
   * The terms ranked over every chunk they match: rarest first while their matches fit the
   * budget (at least the rarest); the others are scored late. Terms no chunk contains are dropped.
   */
  #split(terms: QueryTerm[], index: { size: number; seq: number }): { early: QueryTerm[]; late: Array<QueryTerm & { df: number }> } {
    const frequencies = this.#analyzer.documentFrequencies(terms, index);
    const counted = terms
      .map((term, i) => ({ ...term, df: frequencies[i]! }))
      .filter((t) => t.df > 0)
      .sort((a, b) => a.df - b.df);
    let left = this.#settings.max_scored_rows;
    let early = 0;
    while (early < counted.length && (early === 0 || counted[early]!.df <= left)) left -= counted[early++]!.df;
    return { early: counted.slice(0, early), late: counted.slice(early) };
  }

  /** The best `limit` for `terms` as of commit `seq`; a filter is checked only when it has a clause. */
  #scoreTop(terms: QueryTerm[], limit: number, filter: SearchFilter | undefined, seq: number): Scored[] {
    const accept = filterClause(filter).sql ? (ids: number[]) => this.present(ids, filter) : undefined;
    return this.#ranker.top(terms, limit, seq, accept);
  }

  /** Statements whose SQL depends on the filters, prepared once per shape. */
  #statement(sql: string): Database.Statement {
    let statement = this.#prepared.get(sql);
    if (!statement) this.#prepared.set(sql, (statement = this.#db.prepare(sql)));
    return statement;
  }
}

interface DetailRow {
  chunk_id: number;
  text: string;
  heading: string | null;
  doc_id: string;
  source: string;
  title: string | null;
  metadata: string | null;
  snippet: string;
}

function toResult(row: DetailRow, score: number): SearchResult {
  return {
    doc_id: row.doc_id,
    chunk_id: row.chunk_id,
    source: row.source,
    title: row.title,
    heading: row.heading,
    score: Math.round(score * 1_000_000) / 1_000_000,
    snippet: row.snippet,
    text: row.text,
    metadata: row.metadata ? (JSON.parse(row.metadata) as Metadata) : null,
  };
}

/** SQL for the filters, against documents `d`; values are bound, never spliced. */
function filterClause(filter: SearchFilter | undefined): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  if (filter?.source_prefix) {
    parts.push('AND instr(d.source, ?) = 1');
    params.push(filter.source_prefix);
  }
  for (const [key, value] of Object.entries(filter?.metadata ?? {})) {
    parts.push('AND EXISTS (SELECT 1 FROM json_each(d.metadata) WHERE json_each.key = ? AND json_each.value IS ?)');
    params.push(key, typeof value === 'boolean' ? Number(value) : value);
  }
  return { sql: parts.join(' '), params };
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}
