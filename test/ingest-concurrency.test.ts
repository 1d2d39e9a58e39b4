import { afterEach, describe, expect, it } from 'vitest';
import { DaemonClient, type Document } from '@dindex/client';
import { makeTestEnv, type TestEnv } from './helpers/env.js';
import { spawnDaemon, stopDaemon, type ForegroundDaemon } from './helpers/processes.js';

const CHUNKS_PER_DOC = 3;

function makeDoc(i: number): Document {
  // Three sections, hence three chunks, each naming the document's token.
  const text = Array.from({ length: CHUNKS_PER_DOC }, (_, s) => `# Part ${s}\n\nSection ${s} of token${i}, shared word ingestword.`).join('\n\n');
  return { id: `doc-${i}`, source: `/ingest/${i}`, text };
}

let t: TestEnv;
let daemon: ForegroundDaemon;
const clients: DaemonClient[] = [];

async function start(args: string[]): Promise<void> {
  t = makeTestEnv();
  daemon = await spawnDaemon(t, args);
}

async function connect(): Promise<DaemonClient> {
  const client = await DaemonClient.connect({ socket: t.socket });
  clients.push(client);
  return client;
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await stopDaemon(daemon);
  t.cleanup();
});

describe('searching while importing', () => {
  it('never fails a search, and never shows a document half-committed', async () => {
    await start(['--set', 'index.commit_interval_ms=20', '--set', 'index.batch_size=300']);
    const producer = await connect();
    const reader = await connect();
    const total = 3000;
    let done = false;
    let searches = 0;
    const ingest = (async () => {
      const writer = await producer.beginIndex({ batchDocuments: 50 });
      for (let i = 0; i < total; i++) {
        // However fast the import runs here, searches are made throughout it.
        while (i % 200 === 0 && searches < i / 100) await new Promise((r) => setTimeout(r, 2));
        await writer.add(makeDoc(i));
      }
      const summary = await writer.end();
      done = true;
      return summary;
    })();

    let lastVisible = 0;
    while (!done) {
      const i = Math.floor(Math.random() * total);
      const results = (await reader.search(`token${i}`, { k: 10 })).results.filter((r) => r.doc_id === `doc-${i}`);
      // Atomic commits: all of a document's chunks, or none of them.
      expect([0, CHUNKS_PER_DOC]).toContain(results.length);
      const { documents } = await reader.stats();
      expect(documents).toBeGreaterThanOrEqual(lastVisible);
      lastVisible = documents;
      searches++;
    }
    expect(await ingest).toMatchObject({ documents: total, chunks: total * CHUNKS_PER_DOC });
    expect(searches).toBeGreaterThan(10);
    expect((await reader.stats()).documents).toBe(total);
  });

  it('holds a producer faster than the writer within the queue bound', async () => {
    const capacity = 256 * 1024;
    // A slow commit trigger: the producer outruns the writer and meets the bound.
    await start(['--set', `index.queue_capacity_bytes=${capacity}`, '--set', 'index.commit_interval_ms=100', '--set', 'index.batch_size=100000']);
    const client = await connect();
    const observer = await connect();
    const big = (i: number): Document => ({ id: `big-${i}`, source: `/big/${i}`, text: `Entry ${i}. ${'filler text '.repeat(400)}` });
    let maxSeen = 0;
    let watching = true;
    const watch = (async () => {
      while (watching) {
        const { pipeline } = await observer.status();
        maxSeen = Math.max(maxSeen, pipeline.queued_bytes);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const summary = await client.index(Array.from({ length: 400 }, (_, i) => big(i)), { batchDocuments: 10, inflight: 8 });
    watching = false;
    await watch;
    expect(summary.documents).toBe(400);
    const { pipeline } = await observer.status();
    expect(pipeline.queue_capacity_bytes).toBe(capacity);
    expect(pipeline.max_queued_bytes_seen).toBeLessThanOrEqual(capacity);
    // It really was full at times: the bound, not luck, kept it there.
    expect(pipeline.max_queued_bytes_seen).toBeGreaterThan(capacity / 2);
    expect(maxSeen).toBeLessThanOrEqual(capacity);
  });

  it('commits on the interval: documents sent without index.end become visible', async () => {
    await start(['--set', 'index.commit_interval_ms=50', '--set', 'index.batch_size=100000']);
    const client = await connect();
    const { stream } = await client.request('index.begin', {});
    await client.request('index.docs', { stream, documents: [{ id: 'timed', source: '/t', text: 'interval commit of a lonely ocelot' }] });
    const deadline = Date.now() + 5000;
    while ((await client.search('ocelot')).results.length === 0) {
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect((await client.status()).pipeline.commits).toBeGreaterThanOrEqual(1);
  });

  it('commits on size: a full batch does not wait for the interval', async () => {
    await start(['--set', 'index.commit_interval_ms=600000', '--set', 'index.batch_size=10']);
    const client = await connect();
    const { stream } = await client.request('index.begin', {});
    const documents = Array.from({ length: 12 }, (_, i) => ({ id: `s${i}`, source: `/s/${i}`, text: `batch-size commit ${i} of tapirs` }));
    await client.request('index.docs', { stream, documents });
    const deadline = Date.now() + 5000;
    while ((await client.search('tapirs', { k: 20 })).results.length < 12) {
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((r) => setTimeout(r, 20));
    }
  });
});
