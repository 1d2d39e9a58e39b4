import type net from 'node:net';
import path from 'node:path';
import { DaemonClient } from '@dindex/client';
import { encodeFrame } from '@dindex/protocol';
import { startBenchDaemon } from '../lib/daemon.js';
import { cpuAffinity, setCpuAffinity } from '../lib/cpu.js';
import { startRawServer } from '../lib/raw-server.js';
import { percentiles, ratio, round } from '../lib/stats.js';

const ROUNDS = 10;
const ROUND_TRIPS_PER_ROUND = 2_000;
const PIPELINED = 300_000;
const WINDOW = 2_000;

/** One way of doing a round trip, and of doing many at once. */
interface Target {
  roundTrip(): Promise<void>;
  pipelined(count: number, window: number): Promise<void>;
  close(): void;
}

/** The baseline: one frame-sized message through a raw echo server. */
function echoTarget(socket: net.Socket): Target {
  const message = encodeFrame({ kind: 'req', id: 1, type: 'ping', body: {} });
  let onData: (chunk: Buffer) => void = () => {};
  socket.on('data', (chunk) => onData(chunk));
  return {
    roundTrip: () => new Promise((resolve) => {
      onData = () => resolve();
      socket.write(message);
    }),
    pipelined: (count, window) => new Promise((resolve) => {
      const total = count * message.length;
      let sent = 0;
      let received = 0;
      const pump = (): void => {
        while (sent < count && sent * message.length - received < window * message.length) {
          socket.write(message);
          sent++;
        }
      };
      onData = (chunk) => {
        received += chunk.length;
        if (received >= total) resolve();
        else pump();
      };
      pump();
    }),
    close: () => socket.destroy(),
  };
}

async function dindexTarget(socketPath: string): Promise<Target> {
  const client = await DaemonClient.connect({ socket: socketPath });
  return {
    roundTrip: async () => {
      await client.ping();
    },
    pipelined: async (count, window) => {
      let sent = 0;
      const worker = async (): Promise<void> => {
        while (sent < count) {
          sent++;
          await client.ping();
        }
      };
      await Promise.all(Array.from({ length: window }, worker));
    },
    close: () => client.close(),
  };
}

async function timeRoundTrips(target: Target, count: number, samples: number[]): Promise<void> {
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await target.roundTrip();
    samples.push(performance.now() - t0);
  }
}

async function pipelinedPerSecond(target: Target): Promise<number> {
  const started = performance.now();
  await target.pipelined(PIPELINED, WINDOW);
  return PIPELINED / ((performance.now() - started) / 1000);
}

interface PlacementFigures {
  raw_echo: { p50_ms: number; p99_ms: number; pipelined_per_s: number };
  dindex_ping: { p50_ms: number; p99_ms: number; pipelined_per_s: number };
  ratio_p50_vs_raw: number;
  ratio_p99_vs_raw: number;
  ratio_pipelined_vs_raw: number;
  overhead_p50_us: number;
}

async function measure(raw: Target, dindex: Target): Promise<PlacementFigures> {
  await timeRoundTrips(raw, 2000, []);
  await timeRoundTrips(dindex, 2000, []);
  const rawSamples: number[] = [];
  const dindexSamples: number[] = [];
  // Interleaved rounds expose both to the same machine conditions.
  for (let round = 0; round < ROUNDS; round++) {
    await timeRoundTrips(raw, ROUND_TRIPS_PER_ROUND, rawSamples);
    await timeRoundTrips(dindex, ROUND_TRIPS_PER_ROUND, dindexSamples);
  }
  const rawPerSecond = await pipelinedPerSecond(raw);
  const dindexPerSecond = await pipelinedPerSecond(dindex);
  const rawStats = percentiles(rawSamples);
  const dindexStats = percentiles(dindexSamples);
  return {
    raw_echo: { p50_ms: rawStats.p50, p99_ms: rawStats.p99, pipelined_per_s: Math.round(rawPerSecond) },
    dindex_ping: { p50_ms: dindexStats.p50, p99_ms: dindexStats.p99, pipelined_per_s: Math.round(dindexPerSecond) },
    ratio_p50_vs_raw: ratio(dindexStats.p50, rawStats.p50),
    ratio_p99_vs_raw: ratio(dindexStats.p99, rawStats.p99),
    ratio_pipelined_vs_raw: ratio(dindexPerSecond, rawPerSecond),
    overhead_p50_us: round((dindexStats.p50 - rawStats.p50) * 1000, 1),
  };
}

/**
 * Ping through the real client and daemon (separate processes) next to a raw Unix-socket echo
 * server, measured twice: with the servers on the client's core, and on the other core.
 */
export async function ipc(): Promise<Record<string, unknown>> {
  const daemon = await startBenchDaemon();
  const echo = await startRawServer(new URL('./echo-server.js', import.meta.url), path.join(daemon.dir, 'echo.sock'));
  const raw = echoTarget(echo.socket);
  const dindex = await dindexTarget(daemon.socket);
  const ownCpus = cpuAffinity(process.pid);
  const place = (serverCpu: number): boolean =>
    [setCpuAffinity(process.pid, '0'), setCpuAffinity(echo.child.pid!, String(serverCpu)), setCpuAffinity(daemon.child.pid!, String(serverCpu))].every(Boolean);
  try {
    const pinned = place(0);
    const sameCore = await measure(raw, dindex);
    place(1);
    const crossCore = await measure(raw, dindex);
    return {
      round_trips: ROUNDS * ROUND_TRIPS_PER_ROUND,
      pipelined_requests: PIPELINED,
      pipelined_window: WINDOW,
      pinned,
      same_core: sameCore,
      cross_core: crossCore,
      goals: {
        p50_at_most_1_5x_raw: sameCore.ratio_p50_vs_raw <= 1.5 && crossCore.ratio_p50_vs_raw <= 1.5,
        pipelined_at_least_100k_per_s: crossCore.dindex_ping.pipelined_per_s >= 100_000,
      },
    };
  } finally {
    if (ownCpus) setCpuAffinity(process.pid, ownCpus);
    raw.close();
    dindex.close();
    echo.stop();
    await daemon.stop();
  }
}
