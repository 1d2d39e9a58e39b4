import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DaemonClient, type Document } from '@dindex/client';
import { inspectIndex } from './helpers/database.js';
import { makeTestEnv, siblingEnv, type TestEnv } from './helpers/env.js';
import { spawnDaemon, stopDaemon, waitFor, withDaemon } from './helpers/processes.js';

let t: TestEnv;
beforeAll(() => {
  t = makeTestEnv();
});
afterAll(() => t.cleanup());

/** Small, frequent commits: FTS5 leaves the index in many segments. */
const MANY_COMMITS = ['--set', 'index.batch_size=20', '--set', 'index.commit_interval_ms=5'];
const QUERIES = ['granite quarry', 'harbour lighthouse keeper', 'quarry 17'];

function corpus(count: number, from = 0): Document[] {
  const words = ['granite', 'quarry', 'harbour', 'lighthouse', 'keeper', 'tide', 'basalt', 'ferry'];
  return Array.from({ length: count }, (_, j) => {
    const i = from + j;
    return { id: `m${i}`, source: `/merge/${i}`, text: `Note ${i}: ${words[i % 8]} ${words[(i * 3) % 8]} ${words[(i * 5 + 1) % 8]} and ${i % 50}.` };
  });
}

async function indexInStreams(client: DaemonClient, docs: Document[]): Promise<void> {
  for (let i = 0; i < docs.length; i += 100) await client.index(docs.slice(i, i + 100), { batchDocuments: 20 });
}

async function rankings(client: DaemonClient): Promise<unknown[]> {
  return Promise.all(QUERIES.map(async (q) => (await client.search(q, { k: 20 })).results.map((r) => [r.chunk_id, r.score])));
}

describe('segment merging', () => {
  it('merges the index into one segment once the writer is idle and a tenth of it has changed, ranking exactly as before', async () => {
    await withDaemon(siblingEnv(t, 'idle'), [...MANY_COMMITS, '--set', 'index.merge_idle_ms=1500'], {}, async (client, daemon) => {
      await indexInStreams(client, corpus(800));
      const before = await client.stats();
      expect(before.index_segments).toBeGreaterThan(1);
      const ranked = await rankings(client);
      await waitFor(async () => (await client.stats()).index_segments === 1, 20_000, 'one segment');
      // Logged once the step after the last finds nothing left to merge.
      await waitFor(() => daemon.output().includes('"merged the index segments into one"'), 10_000, 'the merge logged');
      expect(await rankings(client)).toEqual(ranked);
      // A trickle of writes does not have the whole index rewritten at every pause...
      await client.index(corpus(20, 800));
      const trickled = (await client.stats()).index_segments;
      expect(trickled).toBeGreaterThan(1);
      await new Promise((r) => setTimeout(r, 2500));
      expect((await client.stats()).index_segments).toBe(trickled);
      // ...but once a tenth of the index has changed since the merge, it is merged again.
      await indexInStreams(client, corpus(180, 820));
      expect((await client.search('granite', { k: 1000 })).results).toHaveLength(250);
      await waitFor(async () => (await client.stats()).index_segments === 1, 20_000, 'one segment again');
    });
  });

  it('does not merge when merge_idle_ms is 0', async () => {
    await withDaemon(siblingEnv(t, 'never'), [...MANY_COMMITS, '--set', 'index.merge_idle_ms=0'], {}, async (client) => {
      await indexInStreams(client, corpus(400));
      const segments = (await client.stats()).index_segments;
      expect(segments).toBeGreaterThan(1);
      await new Promise((r) => setTimeout(r, 2000));
      expect((await client.stats()).index_segments).toBe(segments);
    });
  });

  it('loses nothing when killed while merging, and merges after the restart', async () => {
    const env = siblingEnv(t, 'killed');
    await withDaemon(env, [...MANY_COMMITS, '--set', 'index.merge_idle_ms=0'], {}, (client) => indexInStreams(client, corpus(3000)));
    for (let round = 0; round < 4; round++) {
      // The merge starts a millisecond after the start; the kill lands somewhere in it.
      const daemon = await spawnDaemon(env, ['--set', 'index.merge_idle_ms=1']);
      await new Promise((r) => setTimeout(r, 10 + round * 40));
      process.kill(daemon.pid, 'SIGKILL');
      await daemon.exited;
    }
    const report = inspectIndex(env.home);
    expect(report).toMatchObject({ sqlite: 'ok', fts: 'ok', documents: 3000, torn: 0, countersAgree: true });
    const daemon = await spawnDaemon(env, ['--set', 'index.merge_idle_ms=1']);
    const client = await DaemonClient.connect({ socket: env.socket });
    try {
      await waitFor(async () => (await client.stats()).index_segments === 1, 20_000, 'one segment');
      for (const i of [0, 777, 1500, 2999]) expect((await client.search(`${i}`, { k: 5 })).results[0]?.doc_id).toBe(`m${i}`);
      expect((await client.stats()).documents).toBe(3000);
    } finally {
      client.close();
      await stopDaemon(daemon);
    }
    expect(inspectIndex(env.home)).toMatchObject({ sqlite: 'ok', fts: 'ok', documents: 3000 });
  });

  it('folds the WAL into the database file once the writer is quiet, after commits and after a merge', async () => {
    const env = siblingEnv(t, 'folded');
    const wal = path.join(env.home, 'index.db-wal');
    const walBytes = (): number => (fs.existsSync(wal) ? fs.statSync(wal).size : 0);
    await withDaemon(env, [...MANY_COMMITS, '--set', 'index.merge_idle_ms=0'], {}, async (client) => {
      // Far fewer pages than the 1000 at which SQLite checkpoints by itself.
      await client.index(corpus(50));
      expect(walBytes()).toBeGreaterThan(0);
      await waitFor(() => walBytes() === 0, 10_000, 'the WAL folded in');
      expect((await client.search('granite', { k: 100 })).results.length).toBeGreaterThan(0);
      await client.index(corpus(10, 50));
      expect(walBytes()).toBeGreaterThan(0);
      await waitFor(() => walBytes() === 0, 10_000, 'the WAL folded in again');
      expect((await client.search('50', { k: 1 })).results[0]?.doc_id).toBe('m50');
    });
    // The merge's own transactions are folded in once it is done.
    await withDaemon(env, ['--set', 'index.merge_idle_ms=1'], {}, async (client) => {
      await waitFor(async () => (await client.stats()).index_segments === 1, 20_000, 'one segment');
      await waitFor(() => walBytes() === 0, 10_000, 'the merge folded in');
      expect((await client.stats()).documents).toBe(60);
    });
  });
});
