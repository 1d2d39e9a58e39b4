import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ConnectionClosedError, DaemonClient, DaemonNotRunningError, DaemonStartError, ProtocolMismatchError,
  RequestCancelledError, RequestTimeoutError,
} from '@dindex/client';
import { FrameDecoder, encodeFrame } from '@dindex/protocol';
import { makeTestEnv } from './helpers/env.js';
import { spawnDaemon, waitFor } from './helpers/processes.js';
import { sharedDaemon } from './helpers/shared-daemon.js';

const shared = sharedDaemon();

describe('DaemonClient', () => {
  it('handshakes and reports what it connected to', () => {
    expect(shared.client.daemon).toMatchObject({ daemon: 'dindex', protocol: 1, pid: shared.daemon.pid, socket: shared.t.socket, home: shared.t.home });
  });

  it('answers 1,000 concurrent requests on one connection, each to its caller', async () => {
    // Mixed delays make answers come back out of order; each must reach its own caller.
    const delays = Array.from({ length: 1000 }, (_, i) => (i * 7919) % 23);
    const started = delays.map((delayMs) => shared.client.request('ping', delayMs ? { delay_ms: delayMs } : {}).then(() => delayMs));
    const statuses = Array.from({ length: 20 }, () => shared.client.status());
    expect(await Promise.all(started)).toEqual(delays);
    for (const s of await Promise.all(statuses)) expect(s.pid).toBe(shared.daemon.pid);
  });

  it('cancels a long request through an AbortSignal, and the daemon drops it', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const long = shared.client.ping({ delayMs: 30_000, signal: controller.signal });
    await waitFor(async () => (await shared.client.status()).inflight >= 1, 5000, "the long request");
    controller.abort();
    await expect(long).rejects.toBeInstanceOf(RequestCancelledError);
    expect(Date.now() - started).toBeLessThan(20_000);
    await waitFor(async () => (await shared.client.status()).inflight === 0, 5000, 'the daemon to drop the request');
  });

  it('times a request out and cancels it on the daemon', async () => {
    await expect(shared.client.ping({ delayMs: 10_000, timeoutMs: 100 })).rejects.toBeInstanceOf(RequestTimeoutError);
    await waitFor(async () => (await shared.client.status()).inflight === 0, 5000, 'the daemon to drop the request');
  });

  it('rejects typed remote errors with their codes', async () => {
    // Bypass the typed method to send a body the schema refuses.
    await expect(shared.client.request('ping', { delay_ms: -1 })).rejects.toMatchObject({ name: 'RemoteError', code: 'INVALID_REQUEST' });
  });

  it('rejects pending requests when the daemon goes away', async () => {
    const local = makeTestEnv();
    const d = await spawnDaemon(local);
    const c = await DaemonClient.connect({ socket: local.socket });
    const pending = c.ping({ delayMs: 10_000 });
    d.child.kill('SIGKILL');
    await expect(pending).rejects.toBeInstanceOf(ConnectionClosedError);
    await expect(c.ping()).rejects.toBeInstanceOf(ConnectionClosedError);
    local.cleanup();
  });
});

describe('connecting', () => {
  it('says the daemon is not running when nothing answers and auto-start is off', async () => {
    const local = makeTestEnv();
    await expect(DaemonClient.connect({ socket: local.socket })).rejects.toBeInstanceOf(DaemonNotRunningError);
    local.cleanup();
  });

  it('auto-starts a daemon in the background, logging to <home>/daemon.log', async () => {
    const local = makeTestEnv();
    const c = await DaemonClient.connect({ socket: local.socket, home: local.home, autoStart: true, env: local.env });
    expect(c.daemon.home).toBe(local.home);
    expect(fs.readFileSync(path.join(local.home, 'daemon.log'), 'utf8')).toContain('"daemon ready"');
    await c.shutdown();
    c.close();
    await waitFor(() => !fs.existsSync(local.socket), 10_000, 'the daemon to stop');
    local.cleanup();
  });

  it("surfaces the daemon's own start-up error", async () => {
    const local = makeTestEnv();
    fs.mkdirSync(local.home, { recursive: true });
    fs.writeFileSync(path.join(local.home, 'config.toml'), 'frame_timeout_ms = "soon"\n');
    const attempt = DaemonClient.connect({ socket: local.socket, home: local.home, autoStart: true, env: local.env });
    await expect(attempt).rejects.toBeInstanceOf(DaemonStartError);
    await expect(attempt).rejects.toMatchObject({
      code: 'DAEMON_START_FAILED',
      message: expect.stringContaining('"frame_timeout_ms"'),
      details: { code: 'CONFIG_INVALID', log: expect.arrayContaining([expect.stringContaining('frame_timeout_ms')]) },
    });
    local.cleanup();
  });

  it('raises ProtocolMismatchError against a daemon of another protocol', async () => {
    // A stand-in for a daemon from a future release: it refuses our hello as a real one would.
    const local = makeTestEnv();
    fs.mkdirSync(path.dirname(local.socket), { recursive: true, mode: 0o700 });
    const server = net.createServer((socket) => {
      const decoder = new FrameDecoder();
      socket.on('data', (chunk) => {
        for (const frame of decoder.push(chunk)) {
          const req = (frame as { message: { id: number } }).message;
          socket.write(encodeFrame({
            kind: 'res', id: req.id, ok: false,
            error: { code: 'PROTOCOL_MISMATCH', message: 'client speaks protocol 1, daemon speaks 2', details: { client: 1, daemon: 2 } },
          }));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(local.socket, resolve));
    const attempt = DaemonClient.connect({ socket: local.socket });
    await expect(attempt).rejects.toBeInstanceOf(ProtocolMismatchError);
    await expect(attempt).rejects.toMatchObject({ code: 'PROTOCOL_MISMATCH', details: { daemon: 2 } });
    server.close();
    local.cleanup();
  });
});
