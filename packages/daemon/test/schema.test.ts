import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, SCHEMA_VERSION } from '../src/index/schema.js';
import { emptyIndex } from './helpers/empty-index.js';

const indexes = (db: Database.Database): string[] =>
  db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'documents' AND sql IS NOT NULL ORDER BY name").pluck().all() as string[];

describe('schema migrations', () => {
  it('bring a version 4 database up to date: its documents stay, the unused source index goes', () => {
    const { db, commit } = emptyIndex();
    commit([['a', ['one two']], ['b', ['three four']]]);
    // Version 4 as it was: the same tables, plus the index on sources.
    db.exec('CREATE INDEX documents_source ON documents (source)');
    db.pragma('user_version = 4');
    expect(SCHEMA_VERSION).toBe(5);

    migrate(db);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(indexes(db)).toEqual(['documents_commit_seq']);
    expect(db.prepare('SELECT id FROM documents ORDER BY id').pluck().all()).toEqual(['a', 'b']);
    commit([['c', ['five']]]);
    expect(db.prepare("SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH 'five'").pluck().get()).toBe(1);
  });

  it('refuse a database made by a newer dindex, and leave it as it is', () => {
    const db = new Database(':memory:');
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    expect(() => migrate(db)).toThrow(`the database has schema version ${SCHEMA_VERSION + 1}, newer than this dindex (${SCHEMA_VERSION}); upgrade dindex`);
    expect(db.prepare("SELECT count(*) FROM sqlite_schema").pluck().get()).toBe(0);
  });
});
