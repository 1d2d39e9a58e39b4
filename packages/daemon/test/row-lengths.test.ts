import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { LENGTHS_SINCE_SQL, LOAD_BATCH_ROWS, RowLengths } from '../src/index/postings/row-lengths.js';
import { sumVarints } from '../src/index/postings/varint.js';
import { emptyIndex } from './helpers/empty-index.js';

/** What a fresh load reads: every chunk's length in tokens, all columns. */
function loadedWhole(db: Database.Database, seq: number): number[] {
  return [...new RowLengths(db).at(seq)];
}

describe('chunk lengths held by a searcher', () => {
  it('brought up to each commit, equal a fresh load, through new documents and replacements', () => {
    const { db, commit } = emptyIndex();
    const lengths = new RowLengths(db);
    let seq = commit([['a', ['one two three', 'four']], ['b', ['five six']]]);
    expect([...lengths.at(seq)]).toEqual(loadedWhole(db, seq));
    for (let round = 0; round < 5; round++) {
      seq = commit([[`new${round}`, ['seven eight nine ten'.slice(0, 5 + round * 3)]], ['a', ['replaced '.repeat(round + 1)]]]);
      const held = [...lengths.at(seq)];
      const whole = loadedWhole(db, seq);
      // Rowids of replaced chunks are not listed by FTS5 any more; compare the live ones.
      const live = db.prepare('SELECT id FROM chunks_fts_docsize').pluck().all() as number[];
      expect(live.map((id) => held[id])).toEqual(live.map((id) => whole[id]));
    }
  });

  it('loads whole, over several batches, the lengths FTS5 stores for each chunk', () => {
    const { db, commit } = emptyIndex();
    // More chunks than a batch; some of more than 127 tokens (sizes of two varint bytes).
    const docs = Array.from({ length: Math.ceil((LOAD_BATCH_ROWS * 1.2) / 100) }, (_, d): [string, string[]] =>
      [`d${d}`, Array.from({ length: 100 }, (_, c) => 'word '.repeat(1 + ((d * 100 + c) % 7) + (c === 50 ? 300 : 0)))]);
    const seq = commit(docs, []);
    const stored = db.prepare('SELECT id, sz FROM chunks_fts_docsize').raw().all() as Array<[number, Uint8Array]>;
    expect(stored.length).toBeGreaterThan(LOAD_BATCH_ROWS);
    const loaded = new RowLengths(db).at(seq);
    expect(stored.map(([id]) => loaded[id])).toEqual(stored.map(([, sizes]) => sumVarints(sizes)));
    expect(stored.some(([, sizes]) => sumVarints(sizes) > 300)).toBe(true);
  });

  it('loaded in slices with commits landing between them, equal a fresh load at the last commit', () => {
    const { db, commit } = emptyIndex();
    let seq = commit(Array.from({ length: 30 }, (_, d): [string, string[]] => [`d${d}`, ['alpha beta', 'gamma delta epsilon', 'zeta '.repeat(d + 1)]]));
    const lengths = new RowLengths(db);
    let slices = 0;
    // 90 chunks, 10 a slice; every other slice a commit adds a document, replaces one and deletes one.
    while (!lengths.advance(seq, 10)) {
      if (++slices % 2 === 0) seq = commit([[`n${slices}`, ['new words here '.repeat(slices)]], [`d${slices}`, ['replaced '.repeat(slices + 2)]]], [`d${slices + 1}`]);
    }
    expect(slices).toBeGreaterThan(8);
    expect(lengths.seq).toBe(seq);
    const live = db.prepare('SELECT id FROM chunks_fts_docsize').pluck().all() as number[];
    const held = lengths.at(seq);
    const whole = loadedWhole(db, seq);
    expect(live.map((id) => held[id])).toEqual(live.map((id) => whole[id]));
  });

  it('loaded in slices, gives a chunk that took the rowid of one deleted behind the load its own length', () => {
    const { db, commit } = emptyIndex();
    let seq = commit([...Array.from({ length: 20 }, (_, d): [string, string[]] => [`d${d}`, ['short text']]), ['tail', ['a long chunk of many words at the end']]]);
    const rowidOf = (id: string): number => db.prepare('SELECT c.rowid FROM chunks c JOIN documents d ON d.rowid = c.doc_rowid WHERE d.id = ?').pluck().get(id) as number;
    const tail = rowidOf('tail');
    const before = loadedWhole(db, seq)[tail];
    const lengths = new RowLengths(db);
    for (let slice = 0; slice < 3; slice++) expect(lengths.advance(seq, 10)).toBe(false);
    // Every row read, the end not yet seen; SQLite gives the next chunk the highest rowid again.
    seq = commit([['other', ['x']]], ['tail']);
    expect(rowidOf('other')).toBe(tail);
    while (!lengths.advance(seq, 10));
    expect(lengths.at(seq)[tail]).toBe(loadedWhole(db, seq)[tail]);
    expect(lengths.at(seq)[tail]).not.toBe(before);
  });

  it('catches up with a commit of a slice or less in one step, and loads again in slices after a larger one', () => {
    const { db, commit } = emptyIndex();
    const lengths = new RowLengths(db);
    let seq = commit([['a', ['one two']]]);
    let steps = 0;
    while (!lengths.advance(seq, 10)) steps++;
    expect(steps).toBe(1);
    seq = commit([['b', Array.from({ length: 10 }, (_, i) => 'word '.repeat(i + 1))]]);
    expect(lengths.advance(seq, 10)).toBe(true);
    seq = commit([['c', Array.from({ length: 45 }, (_, i) => 'term '.repeat(i + 1))], ['a', ['one two three']]]);
    for (steps = 1; !lengths.advance(seq, 10); steps++) expect(lengths.seq).toBe(-1);
    // The catch-up given up after 10 rows, then 57 live chunks loaded again 10 at a time, and the end seen.
    expect(steps).toBe(7);
    const live = db.prepare('SELECT id FROM chunks_fts_docsize').pluck().all() as number[];
    const whole = loadedWhole(db, seq);
    expect(live.map((id) => lengths.at(seq)[id])).toEqual(live.map((id) => whole[id]));
  });

  it('finds the documents of recent commits through their index, not by scanning every chunk', () => {
    const { db } = emptyIndex();
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${LENGTHS_SINCE_SQL}`).all(0) as Array<{ detail: string }>).map((row) => row.detail);
    expect(plan[0]).toMatch(/^SEARCH d USING (COVERING )?INDEX documents_commit_seq/);
    expect(plan.some((step) => step.startsWith('SCAN'))).toBe(false);
  });
});
