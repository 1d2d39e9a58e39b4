import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { LENGTHS_SINCE_SQL, RowLengths } from '../src/index/postings/row-lengths.js';
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

  it('finds the documents of recent commits through their index, not by scanning every chunk', () => {
    const { db } = emptyIndex();
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${LENGTHS_SINCE_SQL}`).all(0) as Array<{ detail: string }>).map((row) => row.detail);
    expect(plan[0]).toMatch(/^SEARCH d USING (COVERING )?INDEX documents_commit_seq/);
    expect(plan.some((step) => step.startsWith('SCAN'))).toBe(false);
  });
});
