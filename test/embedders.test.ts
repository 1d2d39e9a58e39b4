import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DaemonClient, type Document } from '@dindex/client';
import { startEmbeddingServer, type EmbeddingServer } from './helpers/embedding-server.js';
import { TINY_DIMENSIONS, TINY_MODEL, writeTinyModel } from './helpers/tiny-onnx-model.js';
import { makeTestEnv, withTestEnv, type TestEnv } from './helpers/env.js';
import { runCli, spawnDaemon, stopDaemon, waitFor, type ForegroundDaemon } from './helpers/processes.js';
import { vectorIndexSettled } from './helpers/vector-index.js';

const doc = (id: string, text: string): Document => ({ id, source: `/web/${id}`, text });

describe('the openai provider against a real HTTP server on loopback', () => {
  let server: EmbeddingServer;
  let t: TestEnv;
  let daemon: ForegroundDaemon;
  let client: DaemonClient;

  beforeAll(async () => {
    server = await startEmbeddingServer(16);
    t = makeTestEnv();
    daemon = await spawnDaemon(t, [], {
      DINDEX_EMBEDDING_PROVIDER: 'openai',
      DINDEX_EMBEDDING_URL: server.url,
      DINDEX_EMBEDDING_MODEL: 'test-embedder',
      DINDEX_EMBEDDING_DIMENSIONS: '16',
      DINDEX_EMBEDDING_TIMEOUT_MS: '400',
      DINDEX_EMBEDDING_RETRIES: '1',
      DINDEX_EMBEDDING_RETRY_DELAY_MS: '20',
      DINDEX_EMBEDDING_BATCH_SIZE: '8',
      DINDEX_EMBEDDING_API_KEY: 'sk-test-secret',
    });
    client = await DaemonClient.connect({ socket: t.socket });
  });
  afterEach(() => {
    server.behaviour = 'ok';
    server.refuseWord = null;
  });
  afterAll(async () => {
    client.close();
    await stopDaemon(daemon);
    await server.close();
    t.cleanup();
  });

  it('embeds in batches with the API key from the environment, and defaults to hybrid search', async () => {
    const docs = Array.from({ length: 20 }, (_, i) => doc(`d${i}`, `Document ${i} about ${i % 2 ? 'rivers and lakes' : 'mountains and glaciers'}.`));
    await client.index(docs);
    expect(await client.stats()).toMatchObject({ vectors: 20, vectors_pending: 0, embedding_model: 'openai:test-embedder', embedding_dimensions: 16 });
    expect(server.lastAuthorization).toBe('Bearer sk-test-secret');
    expect(server.calls.get(200)).toBeGreaterThanOrEqual(3);
    const answer = await client.search('glaciers mountains', { k: 3 });
    expect(answer.mode).toBe('hybrid');
    expect(Number(answer.results[0]!.doc_id.slice(1)) % 2).toBe(0);
    expect(daemon.output()).not.toContain('sk-test-secret');
  });

  it('retries after 429 and succeeds', async () => {
    server.behaviour = 'rate-limit-once';
    const before = server.calls.get(429) ?? 0;
    await client.index([doc('rate', 'A rate limited document about deserts.')]);
    expect(server.calls.get(429)).toBe(before + 1);
    expect(await client.stats()).toMatchObject({ vectors_pending: 0 });
    await vectorIndexSettled(client);
    expect((await client.search('deserts', { mode: 'vector', k: 1 })).results[0]!.doc_id).toBe('rate');
  });

  it('isolates a text the embedder refuses: the others get vectors, it waits, the embedder stays available', async () => {
    server.refuseWord = 'POISON';
    const before = await client.stats();
    await client.index([doc('ok1', 'A note about tundra lichens.'), doc('bad', 'POISON text about tundra.'), doc('ok2', 'More tundra lichens.')]);
    await waitFor(async () => (await client.stats()).vectors_refused === 1, 20_000, 'the refused chunk to be found');
    const stats = await client.stats();
    expect(stats).toMatchObject({ vectors: before.vectors + 2, vectors_pending: 1, vectors_refused: 1 });
    expect((await client.status()).embedding).toMatchObject({ available: true, pending: 1, refused: 1 });
    expect(server.calls.get(400)).toBeGreaterThanOrEqual(2);
    const hits = (await client.search('tundra lichens', { mode: 'vector', k: 10 })).results.map((r) => r.doc_id);
    expect(hits).toEqual(expect.arrayContaining(['ok1', 'ok2']));
    expect(hits).not.toContain('bad');
    expect((await client.search('POISON', { mode: 'bm25' })).results[0]!.doc_id).toBe('bad');
    await client.delete(['bad']);
    expect(await client.stats()).toMatchObject({ vectors_pending: 0, vectors_refused: 0 });
  });

  it('refuses vectors of the wrong dimension: the chunks wait, and the status says why', async () => {
    server.behaviour = 'wrong-dimensions';
    await client.index([doc('dims', 'A document about canyons.')]);
    expect((await client.search('canyons', { mode: 'bm25' })).results[0]!.doc_id).toBe('dims');
    const status = await client.status();
    expect(status.embedding.available).toBe(false);
    expect(status.embedding.last_error).toMatch(/15-dimensional vector; the index holds 16/);
    expect((await client.stats()).vectors_pending).toBe(1);
    server.behaviour = 'ok';
    await waitFor(async () => (await client.stats()).vectors_pending === 0, 20_000, 'the pending chunk to be embedded');
    expect((await client.status()).embedding).toMatchObject({ available: true, last_error: null });
  });

  it('while the embedder hangs, BM25 indexing and search go on; the vectors follow once it is back', async () => {
    server.behaviour = 'hang';
    const docs = Array.from({ length: 12 }, (_, i) => doc(`out${i}`, `Outage document ${i} about volcanoes${i}.`));
    await client.index(docs.slice(0, 1));
    // That batch waited for the timeout. While the embedder is down, later batches do not call it
    // at all (each would hang twice: a try and a retry); only the background filler probes it.
    const held = server.calls.get(0) ?? 0;
    for (const d of docs.slice(1)) expect((await client.index([d])).documents).toBe(1);
    expect((server.calls.get(0) ?? 0) - held).toBeLessThanOrEqual(4);
    expect((await client.search('volcanoes5', { mode: 'bm25' })).results[0]!.doc_id).toBe('out5');
    expect((await client.stats()).vectors_pending).toBe(12);
    const status = await client.status();
    expect(status.embedding).toMatchObject({ available: false, pending: 12, last_error: expect.stringMatching(/no answer within 400 ms/) });
    // Asked explicitly, vector search says what is wrong; unasked, the default hybrid falls back to bm25.
    await expect(client.search('volcanoes', { mode: 'vector' })).rejects.toMatchObject({ code: 'EMBEDDER_UNAVAILABLE' });
    const fallback = await client.search('volcanoes5');
    expect(fallback.mode).toBe('bm25');
    expect(fallback.warnings[0]).toMatch(/hybrid search unavailable, answered by bm25/);
    expect(fallback.results[0]!.doc_id).toBe('out5');

    server.behaviour = 'ok';
    await waitFor(async () => (await client.stats()).vectors_pending === 0, 30_000, 'pending vectors after the outage');
    await waitFor(async () => (await client.status()).vector_index.size === (await client.stats()).vectors, 10_000, 'the HNSW index to catch up');
    const hits = (await client.search('Outage document 7 about volcanoes7', { mode: 'vector', k: 3 })).results.map((r) => r.doc_id);
    expect(hits).toContain('out7');
  });
});

describe('the transformers provider with a local ONNX model', () => {
  it('loads the model from model_dir once, embeds in the pipeline, and makes hybrid the default', async () => {
    const t = makeTestEnv();
    const modelDir = path.join(t.dir, 'models');
    writeTinyModel(modelDir);
    try {
      const daemon = await spawnDaemon(t, [], {
        DINDEX_EMBEDDING_PROVIDER: 'transformers', DINDEX_EMBEDDING_MODEL: TINY_MODEL,
        DINDEX_EMBEDDING_MODEL_DIR: modelDir, DINDEX_EMBEDDING_ALLOW_DOWNLOAD: 'false',
      });
      const client = await DaemonClient.connect({ socket: t.socket });
      const topics = ['volcano lava eruption', 'rocket launch orbit', 'bread yeast oven', 'bird migration nest'];
      await client.index(topics.flatMap((topic, i) => [0, 1].map((n) => doc(`${i}-${n}`, `Notes ${n} about ${topic}.`))));
      expect(await client.stats()).toMatchObject({ vectors: 8, vectors_pending: 0, embedding_model: `transformers:${TINY_MODEL}`, embedding_dimensions: TINY_DIMENSIONS });
      await vectorIndexSettled(client);
      // "magma" appears in no document: only the model knows it belongs with volcanoes.
      const { results } = await client.search('magma', { mode: 'vector', k: 2 });
      expect(results.map((r) => r.doc_id).sort()).toEqual(['0-0', '0-1']);
      expect((await client.search('feathers')).mode).toBe('hybrid');
      expect((await client.search('feathers', { k: 2 })).results.map((r) => r.doc_id[0])).toEqual(['3', '3']);
      client.close();
      await stopDaemon(daemon);
    } finally {
      t.cleanup();
    }
  });
});

describe('embedders that cannot start', () => {
  it('a transformers model that cannot be had is a clear start-up error', async () => {
    await withTestEnv(async (t) => {
      const out = await runCli(t, ['daemon', 'start'], {
        DINDEX_EMBEDDING_PROVIDER: 'transformers', DINDEX_EMBEDDING_ALLOW_DOWNLOAD: 'false',
      });
      expect(out.code).toBe(1);
      expect(out.stderr).toMatch(/transformers embedder could not start: cannot load the model Xenova\/all-MiniLM-L6-v2 from .*models \(downloads are off/);
      expect((await runCli(t, ['daemon', 'status'])).code).toBe(3);
    });
  });

  it('the openai provider without a model is a configuration error naming the key', async () => {
    await withTestEnv(async (t) => {
      const out = await runCli(t, ['daemon', 'start'], { DINDEX_EMBEDDING_PROVIDER: 'openai' });
      expect(out.code).toBe(1);
      expect(out.stderr).toMatch(/embedding\.model.*needs a model name/);
    });
  });
});
