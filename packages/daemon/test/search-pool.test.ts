import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FrameDecoder } from '@dindex/protocol';
import { ConfigSchema } from '../src/config/schema.js';
import { openWriter } from '../src/index/database.js';
import { DocumentWriter } from '../src/pipeline/document-writer.js';
// The compiled pool: its threads load compiled modules.
import { SearchPool } from '../dist/search/search-pool.js';

describe('search pool', () => {
  it('does not turn threads that cannot start into a loop: restarts back off, and searches fail clearly', async () => {
    const errors: Array<{ retry_ms: number }> = [];
    const log = { error: (fields: { retry_ms: number }) => errors.push(fields), warn: () => {}, info: () => {} };
    const missing = path.join(os.tmpdir(), `dindex-no-such-dir-${process.pid}`, 'index.db');
    const pool = new SearchPool({ databaseFile: missing, settings: ConfigSchema.parse({}).search }, 2, log as never);
    const job = { query: { query: 'anything', k: 1 }, mode: 'bm25' as const, matches: null, warnings: [], startedAt: Date.now() };
    await new Promise((r) => setTimeout(r, 1500));
    // Two threads, each restarted after 200, 400, 800 ms…: a handful of starts, not thousands.
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(errors.length).toBeLessThanOrEqual(10);
    expect(errors.map((e) => e.retry_ms)).toContain(400);
    await expect(pool.run(job, 1)).rejects.toMatchObject({ code: expect.stringMatching(/STORAGE_ERROR|INTERNAL/) });
    await pool.close();
  });

  it('sends searches made one at a time to the first thread, and spreads those that overlap', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dindex-pool-'));
    const file = path.join(dir, 'index.db');
    const db = openWriter(file);
    new DocumentWriter(db, false).commit([{ kind: 'document', batch: 1, doc: {
      id: 'a', source: '/a', title: null, metadata: null, hash: 'h', chunks: [{ text: 'threads answer searches', heading: null }],
    } }]);
    db.close();
    const answered: number[] = [];
    const log = { error: () => {}, warn: () => {}, info: () => {} };
    const pool = new SearchPool({ databaseFile: file, settings: ConfigSchema.parse({}).search }, 2, log as never, (thread: number) => answered.push(thread));
    const job = (i: number) => ({ query: { query: `threads ${i}`, k: 1 }, mode: 'bm25' as const, matches: null, warnings: [], startedAt: Date.now() });
    try {
      for (let i = 0; i < 20; i++) await pool.run(job(i), i);
      expect(answered).toEqual(Array(20).fill(0));
      answered.length = 0;
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => pool.run(job(i), `req-${i}`)));
      expect(answered.filter((t) => t === 1)).toHaveLength(10);
      // Each answer is the whole frame for its own request id, whichever thread made it.
      answers.forEach(({ frame }, i) => {
        const [decoded] = new FrameDecoder().push(Buffer.from(frame.bytes));
        expect(decoded).toMatchObject({ message: { kind: 'res', id: `req-${i}`, ok: true, body: { query: `threads ${i}`, mode: 'bm25' } } });
      });
    } finally {
      await pool.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
