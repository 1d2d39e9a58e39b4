import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DaemonClient, type Document } from '@dindex/client';
import { inspectIndex } from './helpers/database.js';
import { makeTestEnv, withTestEnv, type TestEnv } from './helpers/env.js';
import { runCli, spawnDaemon, stopDaemon, type ForegroundDaemon } from './helpers/processes.js';
import { vectorIndexSettled } from './helpers/vector-index.js';

const BUILTIN = { DINDEX_EMBEDDING_PROVIDER: 'builtin' };
const TOPICS = ['volcanic eruptions and lava flows', 'orbital mechanics of satellites', 'sourdough bread fermentation',
  'migratory birds and their routes', 'compiler optimisation passes', 'tidal energy turbines'];

/** One chunk per document, without a title, so the document's own text embeds to its vector. */
function topicDoc(i: number): Document {
  const topic = TOPICS[i % TOPICS.length]!;
  return { id: `t${i}`, source: `/topics/${i}`, text: `Notes number ${i} on ${topic}: item${i} ${topic.split(' ').reverse().join(' ')}.` };
}

/** Every document is its own nearest neighbour: the HNSW index holds each SQLite vector. */
async function expectEachFindsItself(client: DaemonClient, docs: Document[]): Promise<void> {
  for (const d of docs) {
    const { results } = await client.search(d.text, { mode: 'vector', k: 3 });
    expect(results[0]?.doc_id, d.id).toBe(d.id);
    expect(results[0]!.score).toBeGreaterThan(0.999);
  }
}

describe('vector and hybrid search with the builtin embedder', () => {
  let t: TestEnv;
  let daemon: ForegroundDaemon;
  let client: DaemonClient;
  const docs = Array.from({ length: 60 }, (_, i) => topicDoc(i));

  beforeAll(async () => {
    t = makeTestEnv();
    daemon = await spawnDaemon(t, [], BUILTIN);
    client = await DaemonClient.connect({ socket: t.socket });
    await client.index(docs);
  });
  afterAll(async () => {
    client.close();
    await stopDaemon(daemon);
    t.cleanup();
  });

  it('offers vector and hybrid search in its handshake', () => {
    expect(client.daemon.capabilities).toEqual(expect.arrayContaining(['search:bm25', 'search:vector', 'search:hybrid']));
  });

  it('embeds every chunk in the commit that stores it', async () => {
    const stats = await client.stats();
    expect(stats).toMatchObject({ chunks: 60, vectors: 60, vectors_pending: 0, embedding_model: 'builtin:hash-ngram-v1', embedding_dimensions: 384 });
    const status = await client.status();
    expect(status.embedding).toMatchObject({ provider: 'builtin', available: true, mismatch: null });
    await vectorIndexSettled(client);
  });

  it('finds what was just indexed: a vector search waits for the HNSW thread to apply that commit', async () => {
    for (let round = 0; round < 3; round++) {
      const batch = Array.from({ length: 200 }, (_, i) => ({ id: `fresh${round}-${i}`, source: `/fresh/${round}/${i}`, text: `Fresh note ${round}x${i} on quasarwaves${i} and pulsarbeams${round}.` }));
      await client.index(batch);
      // The last of the commit's vectors is the last the HNSW thread adds.
      const last = batch.at(-1)!;
      expect((await client.search(last.text, { mode: 'vector', k: 1 })).results[0]?.doc_id).toBe(last.id);
    }
    await client.delete(Array.from({ length: 3 }, (_, round) => Array.from({ length: 200 }, (_, i) => `fresh${round}-${i}`)).flat());
    await vectorIndexSettled(client);
  });

  it('finds documents that share vocabulary (and word parts) with the query', async () => {
    const { results, mode } = await client.search('eruption of a volcano', { mode: 'vector', k: 10 });
    expect(mode).toBe('vector');
    const topics = results.map((r) => Number(r.doc_id.slice(1)) % TOPICS.length);
    expect(topics.slice(0, 5).every((topic) => topic === 0)).toBe(true);
    // Without the exact word "volcanic", BM25 alone finds nothing for the stemmed "volcano".
    expect((await client.search('volcano', { mode: 'bm25' })).results).toHaveLength(0);
    expect((await client.search('volcano', { mode: 'vector', k: 1 })).results[0]!.snippet).toContain('volcanic');
  });

  it('fuses bm25 and vector ranks by RRF and explains every result', async () => {
    const answer = await client.search('item7 satellites', { mode: 'hybrid', k: 5, explain: true });
    expect(answer.mode).toBe('hybrid');
    const [top] = answer.results;
    expect(top!.doc_id).toBe('t7');
    expect(top!.explain!.bm25!.rank).toBe(1);
    expect(top!.explain!.vector).not.toBeNull();
    for (const r of answer.results) {
      const e = r.explain!;
      const expected = (e.bm25 ? 1 / (60 + e.bm25.rank) : 0) + (e.vector ? 1 / (60 + e.vector.rank) : 0);
      expect(e.fused).toBeCloseTo(expected, 9);
      expect(r.score).toBeCloseTo(expected, 5);
    }
    const scores = answer.results.map((r) => r.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it('keeps bm25 the default mode with the builtin embedder, and filters vector results', async () => {
    expect((await client.search('satellites')).mode).toBe('bm25');
    const filtered = await client.search('orbital satellites', { mode: 'vector', k: 5, filter: { source_prefix: '/topics/1' } });
    expect(filtered.results.length).toBeGreaterThan(0);
    for (const r of filtered.results) expect(r.source.startsWith('/topics/1')).toBe(true);
  });

  it('drops the vectors of deleted and replaced documents from the vector index', async () => {
    await client.delete(['t0']);
    await client.index([{ ...topicDoc(6), text: 'Completely rewritten: knitting patterns for wool scarves.' }]);
    await vectorIndexSettled(client);
    const hits = (await client.search(topicDoc(0).text, { mode: 'vector', k: 60 })).results.map((r) => r.doc_id);
    expect(hits).not.toContain('t0');
    expect((await client.search('knitting wool scarves', { mode: 'vector', k: 1 })).results[0]!.doc_id).toBe('t6');
    const stats = await client.stats();
    expect(stats.vectors).toBe(stats.chunks);
  });

  it('prints rank, score and fused score per signal with dindex search --explain', async () => {
    const out = await runCli(t, ['search', 'item7', 'satellites', '--mode', 'hybrid', '--explain', '-k', '2']);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/bm25 #1 \([\d.]+\) · vector #\d+ \([\d.]+\) · fused 0\.0\d+/);
    const json = JSON.parse((await runCli(t, ['--json', 'search', 'item7', '--mode', 'vector', '--explain'])).stdout) as { results: Array<{ explain: unknown }> };
    expect(json.results[0]!.explain).toMatchObject({ bm25: null, vector: { rank: 1 }, fused: null });
  });
});

describe('the HNSW file is derived: verified at start, rebuilt from SQLite when it cannot be trusted', () => {
  let t: TestEnv;
  const docs = Array.from({ length: 120 }, (_, i) => topicDoc(i));
  beforeAll(() => {
    t = makeTestEnv();
  });
  afterAll(() => t.cleanup());

  async function restart(env: NodeJS.ProcessEnv = {}): Promise<{ daemon: ForegroundDaemon; client: DaemonClient }> {
    const daemon = await spawnDaemon(t, [], { ...BUILTIN, ...env });
    return { daemon, client: await DaemonClient.connect({ socket: t.socket }) };
  }

  it('saves the index at stop and loads it, unchanged, at the next start', async () => {
    let { daemon, client } = await restart();
    await client.index(docs);
    await vectorIndexSettled(client);
    client.close();
    await stopDaemon(daemon);
    const meta = JSON.parse(fs.readFileSync(path.join(t.home, 'vectors.hnsw.json'), 'utf8')) as { size: number };
    expect(meta.size).toBe(120);
    ({ daemon, client } = await restart());
    expect(daemon.output()).toContain('vector index loaded');
    expect(daemon.output()).not.toContain('rebuilding');
    expect((await client.status()).vector_index).toMatchObject({ state: 'ready', size: 120 });
    await expectEachFindsItself(client, docs.slice(0, 12));
    client.close();
    await stopDaemon(daemon);
  });

  for (const [damage, harm] of [
    ['is deleted', (file: string) => fs.rmSync(file)],
    ['is truncated', (file: string) => fs.truncateSync(file, Math.floor(fs.statSync(file).size / 3))],
    ['is partly overwritten', (file: string) => {
      const fd = fs.openSync(file, 'r+');
      fs.writeSync(fd, Buffer.alloc(4096, 0xab), 0, 4096, 2048);
      fs.closeSync(fd);
    }],
  ] as const) {
    it(`rebuilds the index from SQLite when its file ${damage}`, async () => {
      harm(path.join(t.home, 'vectors.hnsw'));
      const { daemon, client } = await restart();
      expect(daemon.output()).toContain('rebuilding the vector index from the database');
      const { size } = await vectorIndexSettled(client);
      expect(size).toBe(120);
      await expectEachFindsItself(client, docs.slice(50, 62));
      client.close();
      await stopDaemon(daemon);
    });
  }

  it('matches SQLite exactly after kill -9 in the middle of commits', async () => {
    const acknowledged: Document[] = [];
    for (let round = 0; round < 3; round++) {
      const { daemon, client } = await restart();
      const batch = (offset: number) => Array.from({ length: 20 }, (_, i) => topicDoc(1000 + round * 100 + offset + i));
      const first = batch(0);
      await client.index(first);
      acknowledged.push(...first);
      // The second stream's commit is under way when the daemon dies.
      const writer = await client.beginIndex({ batchDocuments: 4 });
      for (const d of batch(50)) await writer.add(d);
      const ending = writer.end();
      setTimeout(() => process.kill(daemon.pid, 'SIGKILL'), 2 * round);
      await ending.catch(() => {});
      await daemon.exited;
      client.close();
    }
    const { daemon, client } = await restart();
    // Killed before its next save, the file is stale: its commit sequence is behind the database's.
    expect(daemon.output()).toMatch(/rebuilding the vector index from the database: the saved vector index has (seq|size)/);
    const { size } = await vectorIndexSettled(client);
    const stats = await client.stats();
    expect(size).toBe(stats.vectors);
    expect(stats.vectors).toBe(stats.chunks);
    await expectEachFindsItself(client, [...docs.slice(100, 110), ...acknowledged.filter((_, i) => i % 5 === 0)]);
    client.close();
    await stopDaemon(daemon);
    expect(inspectIndex(t.home)).toMatchObject({ sqlite: 'ok', fts: 'ok', torn: 0, pending: 0, unembedded: 0, countersAgree: true, vectors: stats.chunks });
  });
});

describe('quantization', () => {
  it('rebuilds the HNSW index when the quantization changes, and answers with i8 and f16', async () => {
    const t = makeTestEnv();
    const docs = Array.from({ length: 40 }, (_, i) => topicDoc(i));
    try {
      let previous: string | null = null;
      for (const quantization of ['f32', 'i8', 'f16']) {
        const daemon = await spawnDaemon(t, [], { ...BUILTIN, DINDEX_VECTORS_QUANTIZATION: quantization });
        const client = await DaemonClient.connect({ socket: t.socket });
        if (previous === null) await client.index(docs);
        else expect(daemon.output()).toContain(`the saved vector index has quantization ${previous}, expected ${quantization}`);
        previous = quantization;
        await vectorIndexSettled(client);
        for (const d of docs.slice(0, 8)) {
          expect((await client.search(d.text, { mode: 'vector', k: 1 })).results[0]!.doc_id).toBe(d.id);
        }
        client.close();
        await stopDaemon(daemon);
      }
    } finally {
      t.cleanup();
    }
  });
});

describe('a change of model is detected, explained, and repaired by dindex reembed', () => {
  let t: TestEnv;
  beforeAll(() => {
    t = makeTestEnv();
  });
  afterAll(() => t.cleanup());

  it('pauses vectors on a mismatch, keeps BM25 indexing, and re-embeds on request', async () => {
    let daemon = await spawnDaemon(t, [], BUILTIN);
    let client = await DaemonClient.connect({ socket: t.socket });
    await client.index(Array.from({ length: 30 }, (_, i) => topicDoc(i)));
    client.close();
    await stopDaemon(daemon);

    const smaller = { ...BUILTIN, DINDEX_EMBEDDING_DIMENSIONS: '64' };
    daemon = await spawnDaemon(t, [], smaller);
    client = await DaemonClient.connect({ socket: t.socket });
    const { embedding } = await client.status();
    expect(embedding.mismatch).toMatch(/384-dimensional.*64/);
    await expect(client.search('satellites', { mode: 'vector' })).rejects.toMatchObject({ code: 'EMBEDDING_MISMATCH', message: expect.stringMatching(/dindex reembed/) });
    // Indexing goes on; the new chunks wait for vectors of the right model.
    await client.index([topicDoc(100)]);
    expect((await client.search('item100')).results[0]!.doc_id).toBe('t100');
    expect((await client.stats()).vectors_pending).toBe(1);

    const out = await runCli(t, ['--json', 'reembed'], smaller);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ model: 'builtin:hash-ngram-v1', pending: 0, vectors: 31 });
    const stats = await client.stats();
    expect(stats).toMatchObject({ vectors: 31, vectors_pending: 0, embedding_dimensions: 64 });
    expect((await client.status()).embedding.mismatch).toBeNull();
    await vectorIndexSettled(client);
    await expectEachFindsItself(client, [topicDoc(3), topicDoc(100)]);
    client.close();
    await stopDaemon(daemon);
  });

  it('gives existing chunks vectors when embeddings are switched on for an index built without them', async () => {
    await withTestEnv(async (u) => {
      let daemon = await spawnDaemon(u);
      let client = await DaemonClient.connect({ socket: u.socket });
      await client.index(Array.from({ length: 10 }, (_, i) => topicDoc(i)));
      expect((await client.stats()).vectors).toBe(0);
      client.close();
      await stopDaemon(daemon);
      daemon = await spawnDaemon(u, [], BUILTIN);
      client = await DaemonClient.connect({ socket: u.socket });
      await vectorIndexSettled(client);
      expect(await client.stats()).toMatchObject({ vectors: 10, vectors_pending: 0, embedding_model: 'builtin:hash-ngram-v1' });
      await expectEachFindsItself(client, [topicDoc(4)]);
      client.close();
      await stopDaemon(daemon);
    });
  });
});
