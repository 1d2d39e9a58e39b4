import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { IndexTokenizer } from '../src/index/index-tokenizer.js';
import { QueryTermAnalyzer, type QueryTerm } from '../src/index/query-terms.js';
import { migrate } from '../src/index/schema.js';

/** An index of `count` chunks whose text is `textOf(rowid)`. */
function indexOf(count: number, textOf: (rowid: number) => string): Database.Database {
  const db = new Database(':memory:');
  migrate(db);
  db.prepare(`INSERT INTO documents (rowid, id, source, content_hash, chunk_count, commit_seq, indexed_at) VALUES (1, 'd', 'd', 'h', ?, 1, 0)`).run(count);
  const insert = db.prepare('INSERT INTO chunks (rowid, doc_rowid, position, text) VALUES (?, 1, ?, ?)');
  db.transaction(() => {
    for (let rowid = 1; rowid <= count; rowid++) insert.run(rowid, rowid, textOf(rowid));
  })();
  return db;
}

/** One term's document frequency. */
function frequency(analyzer: QueryTermAnalyzer, term: QueryTerm, index: { size: number; seq: number }): number {
  return analyzer.documentFrequencies([term], index)[0]!;
}

describe('query terms', () => {
  const db = indexOf(6000, (rowid) => [
    'filler',
    rowid % 3 === 0 ? 'common' : '',
    rowid > 4000 ? 'recent' : '',
    rowid % 120 === 0 ? 'rare' : '',
  ].join(' '));
  const analyzer = new QueryTermAnalyzer(db, new IndexTokenizer(db));
  const term = (word: string) => analyzer.analyze(word)[0]!;

  it('are the words of the query in their indexed forms, FTS5 syntax taken as text', () => {
    expect(analyzer.analyze('Retrieving "retrieval" NEAR(x* -y:) AND')).toEqual([
      { phrase: '"Retrieving"', stems: ['retriev'] },
      { phrase: '"NEAR"', stems: ['near'] },
      { phrase: '"x"', stems: ['x'] },
      { phrase: '"y"', stems: ['y'] },
      { phrase: '"AND"', stems: ['and'] },
    ]);
  });

  it('are counted exactly when rare and estimated within a few percent when common, wherever their chunks lie', () => {
    const index = { size: 6000, seq: 1 };
    expect(frequency(analyzer, term('rare'), index)).toBe(50);
    expect(frequency(analyzer, term('filler'), index)).toBeGreaterThan(6000 * 0.95);
    expect(Math.abs(frequency(analyzer, term('common'), index) - 2000)).toBeLessThan(100);
    expect(Math.abs(frequency(analyzer, term('recent'), index) - 2000)).toBeLessThan(100);
    expect(frequency(analyzer, term('absent'), index)).toBe(0);
  });

  it('recounts an exact count after a commit', () => {
    const index = { size: 6000, seq: 1 };
    expect(frequency(analyzer, term('rare'), index)).toBe(50);
    const insert = db.prepare(`INSERT INTO chunks (rowid, doc_rowid, position, text) VALUES (?, 1, ?, 'rare')`);
    for (let rowid = 6001; rowid <= 6010; rowid++) insert.run(rowid, rowid);
    expect(frequency(analyzer, term('rare'), index)).toBe(50);
    expect(frequency(analyzer, term('rare'), { ...index, seq: 2 })).toBe(60);
  });

  it('scale an estimate with the index while it grows by up to a quarter, then estimate again', () => {
    const growing = indexOf(6000, (rowid) => (rowid % 3 === 0 ? 'common filler' : 'filler'));
    const counter = new QueryTermAnalyzer(growing, new IndexTokenizer(growing));
    const common = counter.analyze('common')[0]!;
    expect(Math.abs(frequency(counter, common, { size: 6000, seq: 1 }) - 2000)).toBeLessThan(100);
    const insert = growing.prepare(`INSERT INTO chunks (rowid, doc_rowid, position, text) VALUES (?, 1, ?, 'common filler')`);
    for (let rowid = 6001; rowid <= 7600; rowid++) insert.run(rowid, rowid);
    // Scaled, not counted: the estimate does not see that every new chunk holds the term.
    expect(frequency(counter, common, { size: 7000, seq: 2 })).toBe(Math.round((frequency(counter, common, { size: 6000, seq: 2 }) * 7000) / 6000));
    // Past a quarter's growth it is estimated again, and sees them (scaled it would be about 2,533).
    expect(frequency(counter, common, { size: 7600, seq: 3 })).toBeGreaterThan(2800);
  });
});
