import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { JobTable } from '../src/index/job-table.js';
import { migrate } from '../src/index/schema.js';

describe('job checkpoints', () => {
  it('move only from the checkpoint they continue, so a batch after a failed one cannot skip its documents', () => {
    const db = new Database(':memory:');
    migrate(db);
    const jobs = new JobTable(db);
    jobs.saveState({ id: 'j', spec: '{}', state: 'running', created_at: 1, started_at: 1, finished_at: null, error: null });
    const added = { documents: 10, chunks: 20, skipped: 1 };
    expect(jobs.saveCheckpoint({ id: 'j', after: null, checkpoint: 'c1', report: 'r1' }, added)).toBe(true);
    // Batch 2 (c1 → c2) failed to commit; batch 3 (c2 → c3) must not move the checkpoint.
    expect(jobs.saveCheckpoint({ id: 'j', after: 'c2', checkpoint: 'c3', report: 'r3' }, added)).toBe(false);
    expect(jobs.all()[0]).toMatchObject({ checkpoint: 'c1', report: 'r1', documents: 10, chunks: 20, skipped: 1 });
    // The resumed run continues from c1.
    expect(jobs.saveCheckpoint({ id: 'j', after: 'c1', checkpoint: 'c2', report: 'r2' }, added)).toBe(true);
    expect(jobs.all()[0]).toMatchObject({ checkpoint: 'c2', documents: 20 });
    // A state change leaves the checkpoint and counters alone, except that a finished job drops its checkpoint.
    jobs.saveState({ id: 'j', spec: '{}', state: 'interrupted', created_at: 1, started_at: 1, finished_at: 2, error: 'stopped' });
    expect(jobs.all()[0]).toMatchObject({ state: 'interrupted', checkpoint: 'c2', documents: 20 });
    jobs.saveState({ id: 'j', spec: '{}', state: 'done', created_at: 1, started_at: 1, finished_at: 2, error: null });
    expect(jobs.all()[0]).toMatchObject({ state: 'done', checkpoint: null, documents: 20, finished_at: 2 });
  });
});
