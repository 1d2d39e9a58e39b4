import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../src/config/schema.js';
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
    await expect(pool.run(job)).rejects.toMatchObject({ code: expect.stringMatching(/STORAGE_ERROR|INTERNAL/) });
    await pool.close();
  });
});
