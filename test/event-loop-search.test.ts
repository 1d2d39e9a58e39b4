import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DaemonClient, type Document } from '@dindex/client';
import { startEmbeddingServer, type EmbeddingServer } from './helpers/embedding-server.js';
import { makeTestEnv, siblingEnv, type TestEnv } from './helpers/env.js';
import { spawnDaemon, stopDaemon, waitFor, withDaemon, type ForegroundDaemon } from './helpers/processes.js';

const TOPICS = ['rivers and lakes', 'mountains and glaciers', 'deserts and dunes', 'forests and moors'];
const docs = (count: number, prefix = 'd'): Document[] => Array.from({ length: count }, (_, i) => ({
  id: `${prefix}${i}`, source: `/geo/${prefix}${i}`, title: `Notes ${i} on ${TOPICS[i % 4]}`,
  text: `Field notes ${i} about ${TOPICS[i % 4]}, with the weather of day ${i % 7} and the ${TOPICS[(i + 1) % 4]} nearby.`,
}));
const QUERIES = ['rivers', 'glaciers and weather', 'dunes of the desert day', 'forests nearby', 'notes on lakes and moors'];

/** Searches answered so far, on the event loop and in the search threads, from the daemon's metrics. */
async function answered(client: DaemonClient): Promise<{ eventLoop: number; threads: number }> {
  const counts = { eventLoop: 0, threads: 0 };
  for (const [, thread, count] of (await client.metrics()).matchAll(/^dindex_search_thread_searches_total\{thread="([^"]+)"\} (\d+)$/gm)) {
    if (thread === 'event-loop') counts.eventLoop += Number(count);
    else counts.threads += Number(count);
  }
  return counts;
}

/** A bm25 search, and where the daemon answered it. */
async function searchWhere(client: DaemonClient, query: string): Promise<{ where: 'event-loop' | 'thread'; answer: Awaited<ReturnType<DaemonClient['search']>> }> {
  const before = await answered(client);
  const answer = await client.search(query, { mode: 'bm25', k: 5 });
  const after = await answered(client);
  expect(after.eventLoop + after.threads).toBe(before.eventLoop + before.threads + 1);
  return { where: after.eventLoop > before.eventLoop ? 'event-loop' : 'thread', answer };
}

const untimed = ({ took_ms: _, ...rest }: Awaited<ReturnType<DaemonClient['search']>>): object => rest;

describe('searches answered on the event loop while the daemon is idle', () => {
  let embedder: EmbeddingServer;
  /** A site whose pages never answer: a scrape of it is a job that keeps running. */
  let site: http.Server;
  let origin: string;
  let t: TestEnv;
  let daemon: ForegroundDaemon;
  let client: DaemonClient;

  beforeAll(async () => {
    embedder = await startEmbeddingServer(16);
    site = http.createServer((req, res) => {
      if (req.url === '/robots.txt') res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    t = makeTestEnv();
    daemon = await spawnDaemon(t, [], {
      DINDEX_EMBEDDING_PROVIDER: 'openai', DINDEX_EMBEDDING_URL: embedder.url, DINDEX_EMBEDDING_MODEL: 'test-embedder',
      DINDEX_EMBEDDING_TIMEOUT_MS: '1000', DINDEX_EMBEDDING_RETRIES: '0',
      DINDEX_SCRAPE_ALLOW_PRIVATE_ADDRESSES: 'true', DINDEX_SCRAPE_TIMEOUT_MS: '60000',
    });
    client = await DaemonClient.connect({ socket: t.socket });
    await client.index(docs(200));
    await waitFor(async () => (await client.stats()).vectors_pending === 0, 30_000, 'every chunk embedded');
  });
  afterAll(async () => {
    client.close();
    await stopDaemon(daemon);
    site.closeAllConnections();
    site.close();
    await embedder.close();
    t.cleanup();
  });

  const idleAgain = (): Promise<void> =>
    waitFor(async () => (await searchWhere(client, 'rivers')).where === 'event-loop', 20_000, 'a search answered on the event loop');

  it('a lone client is answered on the event loop, with the answers a search thread gives', async () => {
    await idleAgain();
    const onEventLoop = [];
    for (const query of QUERIES) {
      const { where, answer } = await searchWhere(client, query);
      expect(where).toBe('event-loop');
      expect(answer.results.length).toBeGreaterThan(0);
      onEventLoop.push(untimed(answer));
    }
    // An open index stream: documents may be on their way, and the threads answer.
    const stream = await client.beginIndex();
    const inThreads = [];
    for (const query of QUERIES) {
      const { where, answer } = await searchWhere(client, query);
      expect(where).toBe('thread');
      inThreads.push(untimed(answer));
    }
    await stream.end();
    expect(inThreads).toEqual(onEventLoop);
  });

  it('while another request is in flight, a search thread answers', async () => {
    await idleAgain();
    embedder.behaviour = 'hang';
    const calls = embedder.calls.get(0) ?? 0;
    // A hybrid search waits for the query's embedding, which the server holds.
    const held = client.search('rivers and lakes');
    await waitFor(() => (embedder.calls.get(0) ?? 0) > calls, 10_000, 'the query embedding to be held');
    expect((await searchWhere(client, 'glaciers')).where).toBe('thread');
    embedder.behaviour = 'ok';
    expect((await held).warnings.join(' ')).toMatch(/answered by bm25/);
    await idleAgain();
  });

  it('while a job runs, a search thread answers', async () => {
    await idleAgain();
    const job = await client.startJob({ kind: 'scrape', urls: [`${origin}/never`], depth: 0, max_pages: 1, same_host: true });
    await waitFor(async () => (await client.job(job.id)).state === 'running', 10_000, 'the job to run');
    expect((await searchWhere(client, 'glaciers')).where).toBe('thread');
    expect((await searchWhere(client, 'dunes')).where).toBe('thread');
    expect((await client.cancelJob(job.id)).state).toBe('cancelled');
    await idleAgain();
  });

  it('finds what each commit added and not what it deleted, at once and then on the event loop', async () => {
    const onEventLoop = async (query: string): Promise<string[]> => {
      let ids: string[] = [];
      await waitFor(async () => {
        const { where, answer } = await searchWhere(client, query);
        ids = answer.results.map((r) => r.doc_id);
        return where === 'event-loop';
      }, 20_000, 'a search answered on the event loop');
      return ids;
    };
    await idleAgain();
    for (let round = 0; round < 8; round++) {
      const word = `freshword${round}x`;
      await client.index([{ id: `fresh${round}`, source: `/fresh/${round}`, text: `A fresh note, ${word}, on ${TOPICS[round % 4]}.` }]);
      // Right after the commit the event loop's searcher is most often behind it, and a thread answers.
      expect((await searchWhere(client, word)).answer.results.map((r) => r.doc_id)).toEqual([`fresh${round}`]);
      expect(await onEventLoop(word)).toEqual([`fresh${round}`]);
      await client.delete([`fresh${round}`]);
      expect((await searchWhere(client, word)).answer.results).toEqual([]);
      expect(await onEventLoop(word)).toEqual([]);
    }
  });

  it('search.event_loop_when_idle = false: every search is answered in a search thread', async () => {
    await withDaemon(siblingEnv(t, 'threads-only'), ['--set', 'search.event_loop_when_idle=false'], {}, async (other) => {
      await other.index(docs(50));
      for (let i = 0; i < 10; i++) {
        expect((await searchWhere(other, QUERIES[i % QUERIES.length]!)).where).toBe('thread');
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
      expect((await answered(other)).eventLoop).toBe(0);
    });
  });
});
