import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type Database from 'better-sqlite3';
import { BUSY_TIMEOUT_MS, openReader, openWriter } from '../src/index/database.js';
import { IdleCheckpoint } from '../src/index/idle-checkpoint.js';
import { DocumentWriter } from '../src/pipeline/document-writer.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** The writer's connection to a new index, committing one single-chunk document per call. */
function index(): { file: string; db: Database.Database; commit: (id: string) => void; walBytes: () => number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dx-ckpt-'));
  dirs.push(dir);
  const file = path.join(dir, 'index.db');
  const db = openWriter(file);
  const writer = new DocumentWriter(db, false);
  const commit = (id: string): void => {
    writer.commit([{ kind: 'document', batch: 1, doc: { id, source: id, title: null, metadata: null, hash: id, chunks: [{ text: `words of ${id}`, heading: null }] } }]);
  };
  return { file, db, commit, walBytes: () => fs.statSync(`${file}-wal`).size };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('IdleCheckpoint', () => {
  it('folds the WAL into the database once nothing was written for the quiet time', async () => {
    const { file, db, commit, walBytes } = index();
    const checkpoint = new IdleCheckpoint(db, { quietMs: 30, failed: (err) => { throw err; } });
    commit('a');
    checkpoint.wrote();
    await sleep(10);
    commit('b');
    checkpoint.wrote();
    expect(walBytes()).toBeGreaterThan(0);
    await sleep(15);
    // Restarted by the second write: not yet.
    expect(walBytes()).toBeGreaterThan(0);
    await sleep(100);
    expect(walBytes()).toBe(0);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(BUSY_TIMEOUT_MS);
    expect(openReader(file).prepare('SELECT count(*) FROM documents').pluck().get()).toBe(2);
  });

  it('never waits for a reader: what its snapshot still needs is folded in after it is done', async () => {
    const { file, db, commit, walBytes } = index();
    const reader = openReader(file);
    reader.prepare('BEGIN').run();
    expect(reader.prepare('SELECT count(*) FROM documents').pluck().get()).toBe(0);
    commit('a');
    // Were the checkpoint to wait for the reader with the connection's busy timeout, it would
    // block for two minutes, past the test's timeout (one minute).
    db.pragma('busy_timeout = 120000');
    const checkpoint = new IdleCheckpoint(db, { quietMs: 20, failed: (err) => { throw err; } });
    checkpoint.wrote();
    await sleep(200);
    expect(walBytes()).toBeGreaterThan(0);
    expect(reader.prepare('SELECT count(*) FROM documents').pluck().get()).toBe(0);
    reader.prepare('COMMIT').run();
    await sleep(200);
    expect(walBytes()).toBe(0);
    expect(reader.prepare('SELECT count(*) FROM documents').pluck().get()).toBe(1);
    checkpoint.stop();
  });
});
