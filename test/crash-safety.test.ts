import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DaemonClient, type Document } from '@dindex/client';
import { inspectIndex } from './helpers/database.js';
import { makeTestEnv, type TestEnv } from './helpers/env.js';
import { isRunning, spawnDaemon, waitFor } from './helpers/processes.js';

let t: TestEnv;
beforeAll(() => {
  t = makeTestEnv();
});
afterAll(() => t.cleanup());

// Frequent, sizeable commits, so that a kill often lands in the middle of one.
const DAEMON_ARGS = ['--set', 'index.commit_interval_ms=5', '--set', 'index.batch_size=40', '--set', 'index.chunk_size=200', '--set', 'index.chunk_overlap=20'];
const ROUNDS = 12;

function makeDoc(round: number, i: number): Document {
  const token = `tok${round}x${i}`;
  // Several chunks per document: a torn commit would show as a partial document.
  const text = Array.from({ length: 6 }, (_, s) => `Sentence ${s} of ${token} about crash safety and durable commits.`).join(' ').repeat(3);
  return { id: `r${round}-d${i}`, source: `/crash/${round}/${i}`, title: `Doc ${token}`, text };
}

describe('crash safety', () => {
  it(`keeps every acknowledged document through ${ROUNDS} kill -9 rounds`, async () => {
    const acknowledged = new Set<string>();
    for (let round = 0; round < ROUNDS; round++) {
      const daemon = await spawnDaemon(t, DAEMON_ARGS);
      const client = await DaemonClient.connect({ socket: t.socket });
      let stop = false;
      const producer = (async () => {
        for (let stream = 0; !stop; stream++) {
          const docs = Array.from({ length: 15 }, (_, i) => makeDoc(round, stream * 15 + i));
          const writer = await client.beginIndex({ batchDocuments: 5 });
          for (const d of docs) await writer.add(d);
          const ending = writer.end();
          // Every other round the kill comes right after index.end: a commit is then under way.
          if (round % 2 === 1 && stream === 2) {
            process.kill(daemon.pid, 'SIGKILL');
            await ending.catch(() => {});
            return;
          }
          await ending;
          for (const d of docs) acknowledged.add(d.id!);
        }
      })().catch(() => {});
      if (round % 2 === 0) {
        await new Promise((r) => setTimeout(r, 50 + Math.random() * 400));
        process.kill(daemon.pid, 'SIGKILL');
      }
      await daemon.exited;
      stop = true;
      await producer;
      client.close();
      expect(isRunning(daemon.pid)).toBe(false);

      const report = inspectIndex(t.home);
      expect(report.sqlite).toBe('ok');
      expect(report.fts).toBe('ok');
      expect(report.torn).toBe(0);
      for (const id of acknowledged) expect(report.ids.has(id), `acknowledged ${id} lost in round ${round}`).toBe(true);
    }
    expect(acknowledged.size).toBeGreaterThan(ROUNDS * 15);

    // After the last restart the daemon serves every acknowledged document, each once.
    const daemon = await spawnDaemon(t, DAEMON_ARGS);
    const client = await DaemonClient.connect({ socket: t.socket });
    const sample = [...acknowledged].sort(() => Math.random() - 0.5).slice(0, 60);
    for (const id of sample) {
      const [, round, i] = /^r(\d+)-d(\d+)$/.exec(id)!;
      const results = (await client.search(`tok${round}x${i}`, { k: 100 })).results;
      expect(new Set(results.map((r) => r.doc_id))).toEqual(new Set([id]));
      expect(results.length).toBe(new Set(results.map((r) => r.chunk_id)).size);
    }
    const stats = await client.stats();
    const report = inspectIndex(t.home);
    expect(stats.documents).toBe(report.documents);
    expect(stats.chunks).toBe(report.chunks);
    client.close();
    daemon.child.kill('SIGTERM');
    await waitFor(() => !isRunning(daemon.pid), 10_000, 'the daemon to stop');
  }, 180_000);
});
