import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { LENGTHS_SINCE_SQL, LOAD_BATCH_ROWS, RowLengths } from '../src/index/postings/row-lengths.js';
import { sumVarints } from '../src/index/postings/varint.js';
import { emptyIndex } from './helpers/empty-index.js';

/** What a fresh load reads: every chunk's length in tokens, all columns. */
function loadedWhole(db: Database.Database, seq: number): number[] {
  return [...new RowLengths(db).at(seq)];
}

describe('chunk lengths held by a search thread', () => {
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

  it('finds the documents of recent commits through their index, not by scanning every chunk', () => {
    const { db } = emptyIndex();
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${LENGTHS_SINCE_SQL}`).all(0) as Array<{ detail: string }>).map((row) => row.detail);
    expect(plan[0]).toMatch(/^SEARCH d USING (COVERING )?INDEX documents_commit_seq/);
    expect(plan.some((step) => step.startsWith('SCAN'))).toBe(false);
  });
});
