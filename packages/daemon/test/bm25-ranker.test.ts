import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Bm25Ranker } from '../src/index/postings/bm25-ranker.js';
import { DoclistReader } from '../src/index/postings/doclist-reader.js';
import { Fts5Records } from '../src/index/postings/fts5-structure.js';
import { IndexTokenizer } from '../src/index/index-tokenizer.js';
import { QueryTermAnalyzer } from '../src/index/query-terms.js';
import { emptyIndex } from './helpers/empty-index.js';

const WEIGHTS = [2, 1.5, 1] as const;

/** FTS5's own ranking of the query's distinct terms, the reference. */
function fts5Top(db: Database.Database, query: string[], k: number): Array<{ rowid: number; score: number }> {
  const terms = new QueryTermAnalyzer(db, new IndexTokenizer(db)).analyze(query.join(' '));
  if (terms.length === 0) return [];
  return db.prepare(`SELECT rowid, -bm25(chunks_fts, ${WEIGHTS.join(', ')}) AS score FROM chunks_fts WHERE chunks_fts MATCH ?
    ORDER BY score DESC, rowid LIMIT ?`).all(terms.map((t) => t.phrase).join(' OR '), k) as Array<{ rowid: number; score: number }>;
}

/**
 * `actual` is the top `k`, `expected` FTS5's ranking, which may hold one hit more so that a tie
 * across the cut is seen: FTS5 orders equal scores by rowid only when it summed them to the
 * same last bit.
 */
function expectSameRanking(actual: Array<{ rowid: number; score: number }>, expected: Array<{ rowid: number; score: number }>, k = expected.length): void {
  expect(actual.map((h) => h.score)).toHaveLength(Math.min(k, expected.length));
  actual.forEach((hit, i) => {
    expect(hit.score).toBeCloseTo(expected[i]!.score, 9);
    // Scores summed in another order may differ in the last bits: a tie may then swap.
    if (Math.abs(hit.score - (expected[i + 1]?.score ?? -1)) > 1e-9 && Math.abs(hit.score - (expected[i - 1]?.score ?? -1)) > 1e-9) {
      expect(hit.rowid).toBe(expected[i]!.rowid);
    }
  });
}

const VOCABULARY = ['alpha', 'beta', 'gamma', 'delta', 'retrieving', 'retrieval', 'café', 'naïve', 'x\u20DDy', 'the', 'of', 'zeta'];
const text = fc.array(fc.constantFrom(...VOCABULARY), { minLength: 0, maxLength: 30 }).map((words) => words.join(' '));

describe('BM25 from the doclists', () => {
  it('ranks as FTS5 does, through inserts, replacements, deletes and segment merges', () => {
    const operation = fc.record({
      id: fc.integer({ min: 0, max: 40 }).map((n) => `d${n}`),
      chunks: fc.array(text, { minLength: 0, maxLength: 3 }),
      remove: fc.boolean(),
    });
    fc.assert(fc.property(fc.array(fc.array(operation, { minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 14 }),
      fc.array(fc.subarray(VOCABULARY, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 4 }), (commits, queries) => {
        const { db, commit } = emptyIndex();
        const ranker = new Bm25Ranker(db, WEIGHTS);
        const analyzer = new QueryTermAnalyzer(db, new IndexTokenizer(db));
        for (const ops of commits) {
          const seq = commit(ops.filter((o) => !o.remove).map((o) => [o.id, o.chunks]), ops.filter((o) => o.remove).map((o) => o.id));
          // The same ranker across commits: what it holds in memory must follow them.
          for (const query of queries) {
            expectSameRanking(ranker.top(analyzer.analyze(query.join(' ')), 20, seq), fts5Top(db, query, 21), 20);
          }
        }
      }), { numRuns: 40 });
  });

  it('reads doclists and position lists that run over many pages', () => {
    const { db, commit } = emptyIndex();
    const ranker = new Bm25Ranker(db, WEIGHTS);
    const analyzer = new QueryTermAnalyzer(db, new IndexTokenizer(db));
    const docs: Array<[string, string[]]> = Array.from({ length: 3000 }, (_, i) => [`d${i}`, [`common ${i % 3 ? 'often' : 'seldom'} word${i % 50} ${'common '.repeat(i % 7)}`]]);
    docs.push(['long', [Array.from({ length: 20_000 }, (_, i) => (i % 3 ? 'common' : 'often')).join(' ')]]);
    let seq = commit(docs);
    const pages = db.prepare('SELECT count(*) FROM chunks_fts_data').pluck().get() as number;
    expect(pages).toBeGreaterThan(20);
    for (const query of [['common'], ['often', 'seldom'], ['word7', 'common', 'often']]) {
      expectSameRanking(ranker.top(analyzer.analyze(query.join(' ')), 50, seq), fts5Top(db, query, 51), 50);
    }
    // The newest document's rowids are reused after it is deleted: its lengths must be the new ones.
    seq = commit([], ['long']);
    seq = commit([['short', ['often often']]]);
    expectSameRanking(ranker.top(analyzer.analyze('often'), 50, seq), fts5Top(db, ['often'], 51), 50);
  });

  it('sums scores window by window over rowids far apart, at and across the windows\' edges', () => {
    const { db, commit } = emptyIndex();
    const ranker = new Bm25Ranker(db, WEIGHTS);
    const analyzer = new QueryTermAnalyzer(db, new IndexTokenizer(db));
    // Chunk n is rowid n + 1; the windows span 32,768 rowids.
    const edges = new Set([32_766, 32_767, 32_768, 65_535, 65_536, 90_000]);
    const texts = Array.from({ length: 100_000 }, (_, n) => [
      n % 3 === 0 ? 'alpha' : 'filler',
      n > 70_000 && n % 11 === 0 ? 'beta beta' : '',
      edges.has(n + 1) ? 'gamma' : '',
      n % 7 === 0 ? 'alpha delta' : '',
    ].join(' '));
    const seq = commit([['big', texts]]);
    for (const query of [['gamma'], ['beta'], ['gamma', 'beta', 'alpha'], ['delta', 'alpha'], ['gamma', 'delta']]) {
      expectSameRanking(ranker.top(analyzer.analyze(query.join(' ')), 30, seq), fts5Top(db, query, 31), 30);
    }
    expect(ranker.top(analyzer.analyze('gamma'), 10, seq).map((h) => h.rowid).sort((a, b) => a - b)).toEqual([...edges]);
  });

  it('keeps to a filter, finding matches far down the ranking', () => {
    const { db, commit } = emptyIndex();
    const ranker = new Bm25Ranker(db, WEIGHTS);
    const analyzer = new QueryTermAnalyzer(db, new IndexTokenizer(db));
    const seq = commit(Array.from({ length: 2000 }, (_, i) => [`d${i}`, [`${'match '.repeat(1 + (i % 5))} filler`]]));
    const wanted = new Set([7, 1999, 1500].map((i) => i + 1));
    const hits = ranker.top(analyzer.analyze('match'), 3, seq, (ids) => ids.filter((id) => wanted.has(id)));
    const expected = fts5Top(db, ['match'], 2000).filter((h) => wanted.has(h.rowid));
    expectSameRanking(hits, expected);
  });

  it('counts the chunks a term is in from a few pages of each segment: exactly when short, within a few percent when long', () => {
    const { db, commit } = emptyIndex();
    for (let c = 0; c < 8; c++) {
      commit(Array.from({ length: 1500 }, (_, i) => {
        const n = c * 1500 + i;
        // Poslists of varying length, so that pages hold varying numbers of entries.
        return [`d${n}`, [`${'common '.repeat(1 + (n % 9))}${n % 7 === 0 ? 'seventh ' : ''}${n % 4000 === 5 ? 'rare' : ''} filler${n % 3}`]];
      }));
    }
    const segments = Fts5Records.of(db).segments();
    expect(segments.length).toBeGreaterThan(1);
    const reader = new DoclistReader(db, []);
    const fts5Count = (term: string): number => db.prepare('SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ?').pluck().get(term) as number;
    expect(reader.count('rare', segments)).toEqual({ matches: 3, counted: true });
    expect(reader.count('absent', segments)).toEqual({ matches: 0, counted: true });
    expect(reader.count('common', segments).counted).toBe(false);
    for (const term of ['common', 'seventh', 'filler0']) {
      expect(Math.abs(reader.count(term, segments).matches - fts5Count(term)) / fts5Count(term)).toBeLessThan(0.03);
    }
  });

  it('finds nothing, without failing, for terms the index does not hold and in an empty index', () => {
    const { db, commit } = emptyIndex();
    const ranker = new Bm25Ranker(db, WEIGHTS);
    const analyzer = new QueryTermAnalyzer(db, new IndexTokenizer(db));
    expect(ranker.top(analyzer.analyze('anything'), 10, 0)).toEqual([]);
    const seq = commit([['a', ['some text']]]);
    expect(ranker.top(analyzer.analyze('absent words'), 10, seq)).toEqual([]);
  });
});
