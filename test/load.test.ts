import { describe, expect, it } from 'vitest';
import { encodeFrame, PROTOCOL_VERSION } from '@dindex/protocol';
import { DaemonClient, type Document } from '@dindex/client';
import { inspectIndex } from './helpers/database.js';
import { makeTestEnv, withTestEnv } from './helpers/env.js';
import { settledRss, spawnDaemon, stopDaemon, waitFor, type ForegroundDaemon } from './helpers/processes.js';
import { RawSocket } from './helpers/raw-socket.js';

const CLIENTS = 256;

const docFor = (client: number, n: number): Document => ({
  id: `c${client}-d${n}`, source: `/load/${client}/${n}`, text: `Client ${client} document ${n}: token${client}x${n} among common words of a mixed load.`,
});

/** One client's share of the mixed load: index a document, search for one, repeatedly. */
async function mixedClient(socket: string, client: number, rounds: number, acknowledged: Set<string>): Promise<void> {
  const sdk = await DaemonClient.connect({ socket, timeoutMs: 60_000 });
  try {
    for (let n = 0; n < rounds; n++) {
      const d = docFor(client, n);
      await sdk.index([d]);
      acknowledged.add(d.id!);
      const { results } = await sdk.search(`token${client}x${n}`, { k: 3 });
      if (results[0]?.doc_id !== d.id) throw new Error(`client ${client} did not find ${d.id} right after indexing it`);
      await sdk.search('common words mixed load', { k: 5 });
    }
  } finally {
    sdk.close();
  }
}

describe('load and faults', () => {
  it(`serves ${CLIENTS} concurrent clients mixing searches and writes: no errors, nothing lost`, async () => {
    await withTestEnv(async (t) => {
      const daemon = await spawnDaemon(t);
      const acknowledged = new Set<string>();
      const outcomes = await Promise.allSettled(Array.from({ length: CLIENTS }, (_, c) => mixedClient(t.socket, c, 3, acknowledged)));
      expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
      expect(acknowledged.size).toBe(CLIENTS * 3);
      const check = await DaemonClient.connect({ socket: t.socket });
      expect((await check.stats()).documents).toBe(CLIENTS * 3);
      check.close();
      await stopDaemon(daemon);
      const index = inspectIndex(t.home);
      for (const id of acknowledged) expect(index.ids.has(id)).toBe(true);
    });
  }, 120_000);

  it('keeps every acknowledged write through repeated kill -9 under that load', async () => {
    const t = makeTestEnv();
    const acknowledged = new Set<string>();
    try {
      for (let round = 0; round < 3; round++) {
        const daemon: ForegroundDaemon = await spawnDaemon(t);
        const load = Promise.allSettled(Array.from({ length: CLIENTS }, (_, c) => mixedClient(t.socket, round * 1000 + c, 1000, acknowledged)));
        // Killed once writes are being acknowledged, at a later point each round: counted in
        // acknowledgements, not in time, which a slow machine stretches.
        await waitFor(() => acknowledged.size >= ((round + 1) * CLIENTS) / 2, 60_000, 'acknowledged writes');
        await new Promise((r) => setTimeout(r, 100 * round));
        process.kill(daemon.pid, 'SIGKILL');
        await daemon.exited;
        const outcomes = await load;
        // Clients fail once the daemon is gone; what matters is what they had acknowledged.
        expect(outcomes.every((o) => o.status === 'rejected')).toBe(true);
      }
      expect(acknowledged.size).toBeGreaterThan(CLIENTS);
      const index = inspectIndex(t.home);
      expect(index).toMatchObject({ sqlite: 'ok', fts: 'ok', torn: 0 });
      const missing = [...acknowledged].filter((id) => !index.ids.has(id));
      expect(missing).toEqual([]);
      // And the daemon starts on it and agrees.
      const daemon = await spawnDaemon(t);
      const client = await DaemonClient.connect({ socket: t.socket });
      expect((await client.doctor()).ok).toBe(true);
      client.close();
      await stopDaemon(daemon);
    } finally {
      t.cleanup();
    }
  }, 120_000);

  it('answers 10,000 random and mutated frames with an error or a closed connection, stays up, memory flat', async () => {
    await withTestEnv(async (t) => {
      const daemon = await spawnDaemon(t, ['--set', 'frame_timeout_ms=150']);
      const observer = await DaemonClient.connect({ socket: t.socket });
      const random = mulberry32(20261123);
      const valid = [
        { kind: 'req', id: 1, type: 'ping', body: {} },
        { kind: 'req', id: 2, type: 'search', body: { query: 'mutations', k: 3 } },
        { kind: 'req', id: 3, type: 'index.begin', body: {} },
        { kind: 'req', id: 4, type: 'delete', body: { ids: ['x'] } },
        { kind: 'req', id: 5, type: 'stats', body: {} },
        { kind: 'cancel', id: 9 },
      ].map((m) => encodeFrame(m));
      const frames: Buffer[] = Array.from({ length: 10_000 }, (_, i) => mutate(valid[i % valid.length]!, random, i));
      const baseline = { rss: await settledRss(observer) };
      let answered = 0;
      let closed = 0;
      const worker = async (offset: number): Promise<void> => {
        for (let i = offset; i < frames.length; i += 20) {
          const raw = await RawSocket.connect(t.socket);
          raw.send({ kind: 'req', id: 'h', type: 'hello', body: { protocol: PROTOCOL_VERSION, client: 'fuzz' } });
          await raw.response('h');
          const seen = raw.messages.length;
          raw.socket.write(frames[i]!);
          // A ping after the frame: its answer shows the connection survived and the frame was handled.
          raw.send({ kind: 'req', id: 'after', type: 'ping', body: {} });
          await raw.until(() => raw.closed || raw.messages.some((m) => m.id === 'after'), 10_000);
          if (raw.closed) closed++;
          else if (raw.messages.length > seen) answered++;
          raw.close();
        }
      };
      await Promise.all(Array.from({ length: 20 }, (_, w) => worker(w)));
      expect(answered + closed).toBe(frames.length);
      // Every fuzzing connection is let go (the daemon sees the last closes a moment later).
      await waitFor(async () => (await observer.status()).connections === 1, 10_000, 'the fuzzing connections to close');
      const after = await observer.status();
      expect(after.state).toBe('running');
      expect(after.memory.rss - baseline.rss).toBeLessThan(64 * 1024 * 1024);
      observer.close();
      daemon.child.kill('SIGTERM');
      expect(await daemon.exited).toBe(0);
    });
  }, 180_000);
});

/** A valid frame with bytes flipped, cut, extended, its length rewritten, or replaced by noise. */
function mutate(frame: Buffer, random: () => number, i: number): Buffer {
  const copy = Buffer.from(frame);
  switch (i % 6) {
    case 0:
      for (let n = 0; n < 1 + Math.floor(random() * 4); n++) copy[4 + Math.floor(random() * (copy.length - 4))] = Math.floor(random() * 256);
      return copy;
    case 1:
      return copy.subarray(0, Math.max(1, Math.floor(random() * copy.length)));
    case 2:
      return Buffer.concat([copy, Buffer.from(Array.from({ length: 1 + Math.floor(random() * 16) }, () => Math.floor(random() * 256)))]);
    case 3:
      copy.writeUInt32BE(Math.floor(random() * 2 ** 32), 0);
      return copy;
    case 4: {
      const noise = Buffer.from(Array.from({ length: 1 + Math.floor(random() * 64) }, () => Math.floor(random() * 256)));
      const framed = Buffer.alloc(4 + noise.length);
      framed.writeUInt32BE(noise.length, 0);
      noise.copy(framed, 4);
      return framed;
    }
    default:
      return encodeFrame({ kind: 'req', id: i, type: ['search', 'index.docs', 'delete', 'hello'][i % 4], body: randomValue(random, 3) });
  }
}

function randomValue(random: () => number, depth: number): unknown {
  const pick = Math.floor(random() * 7);
  if (depth === 0 || pick < 3) return [null, true, -1, 1e308, 'x'.repeat(Math.floor(random() * 40)), NaN][Math.floor(random() * 6)];
  if (pick < 5) return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(random, depth - 1));
  return Object.fromEntries(['query', 'k', 'ids', 'stream', 'docs', 'mode', '__proto__'].slice(0, 1 + Math.floor(random() * 6)).map((k) => [k, randomValue(random, depth - 1)]));
}

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
