import { describe, expect, it } from 'vitest';
import { DaemonClient } from '@dindex/client';
import { makeTestEnv } from './helpers/env.js';
import { settledRss, spawnDaemon, stopDaemon, waitFor } from './helpers/processes.js';
import { sharedDaemon } from './helpers/shared-daemon.js';
import { RawSocket } from './helpers/raw-socket.js';

const shared = sharedDaemon(['--set', 'frame_timeout_ms=300', '--set', 'max_frame_bytes=65536']);

/** After each attack the daemon still answers a well-behaved client. */
async function expectDaemonServing(): Promise<void> {
  expect(await shared.client.ping()).toEqual({ pong: true });
}

function connectionError(raw: RawSocket): Record<string, unknown> | undefined {
  return raw.messages.find((m) => m.kind === 'error')?.error as Record<string, unknown> | undefined;
}

describe('a hostile or broken peer', () => {
  it('garbage bytes: BAD_FRAME, connection closed', async () => {
    const raw = await RawSocket.connect(shared.t.socket);
    raw.socket.write(Buffer.concat([Buffer.from([0, 0, 0, 4]), Buffer.from([0x92, 0x01, 0xc1, 0xff])]));
    await raw.until(() => raw.closed);
    expect(connectionError(raw)).toMatchObject({ code: 'BAD_FRAME' });
    await expectDaemonServing();
  });

  it('an oversized length: FRAME_TOO_LARGE before any payload, connection closed', async () => {
    const raw = await RawSocket.connect(shared.t.socket);
    raw.socket.write(Buffer.from([0xff, 0xff, 0xff, 0xff]));
    await raw.until(() => raw.closed);
    expect(connectionError(raw)).toMatchObject({ code: 'FRAME_TOO_LARGE', details: { length: 0xffffffff, max_frame_bytes: 65536 } });
    await expectDaemonServing();
  });

  it('a truncated frame: FRAME_TIMEOUT once it stalls', async () => {
    const raw = await RawSocket.connect(shared.t.socket);
    raw.socket.write(Buffer.from([0, 0, 1, 0, 0x81]));
    await raw.until(() => raw.closed, 5000);
    expect(connectionError(raw)).toMatchObject({ code: 'FRAME_TIMEOUT' });
    await expectDaemonServing();
  });

  it('a valid frame that is not an envelope: BAD_FRAME', async () => {
    const raw = await RawSocket.connect(shared.t.socket);
    raw.send({ hello: 'world' });
    await raw.until(() => raw.closed);
    expect(connectionError(raw)).toMatchObject({ code: 'BAD_FRAME' });
    await expectDaemonServing();
  });

  it('a request before hello: HANDSHAKE_REQUIRED, connection stays open', async () => {
    const raw = await RawSocket.connect(shared.t.socket);
    raw.send({ kind: 'req', id: 1, type: 'ping', body: {} });
    expect(await raw.response(1)).toMatchObject({ ok: false, error: { code: 'HANDSHAKE_REQUIRED' } });
    await raw.hello();
    raw.send({ kind: 'req', id: 2, type: 'ping', body: {} });
    expect(await raw.response(2)).toMatchObject({ ok: true, body: { pong: true } });
    raw.close();
  });

  it('a wrong protocol version: PROTOCOL_MISMATCH, saying what to do', async () => {
    const raw = await RawSocket.connect(shared.t.socket);
    raw.send({ kind: 'req', id: 1, type: 'hello', body: { protocol: 99, client: 'future' } });
    const answer = await raw.response(1);
    expect(answer).toMatchObject({ ok: false, error: { code: 'PROTOCOL_MISMATCH', details: { client: 99, daemon: 1 } } });
    expect((answer.error as { message: string }).message).toMatch(/restart the daemon/);
    raw.close();
  });

  it('an unknown type and a bad body get their errors, and the connection stays open', async () => {
    const raw = await RawSocket.connect(shared.t.socket);
    await raw.hello();
    raw.send({ kind: 'req', id: 1, type: 'frobnicate', body: {} });
    raw.send({ kind: 'req', id: 2, type: 'ping', body: { delay_ms: 'soon' } });
    raw.send({ kind: 'req', id: 3, type: 'ping', body: { unexpected: true } });
    raw.send({ kind: 'req', id: 4, type: 'ping', body: 'not an object' });
    expect(await raw.response(1)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_REQUEST' } });
    const bad = await raw.response(2);
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST', details: { issues: [{ path: 'delay_ms' }] } } });
    expect(await raw.response(3)).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
    expect(await raw.response(4)).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
    raw.send({ kind: 'req', id: 5, type: 'ping', body: {} });
    expect(await raw.response(5)).toMatchObject({ ok: true });
    expect(raw.closed).toBe(false);
    raw.close();
  });

  it('a reused in-flight id: DUPLICATE_REQUEST_ID, the first request still answered', async () => {
    const raw = await RawSocket.connect(shared.t.socket);
    await raw.hello();
    raw.send({ kind: 'req', id: 7, type: 'ping', body: { delay_ms: 200 } });
    raw.send({ kind: 'req', id: 7, type: 'ping', body: {} });
    await raw.until(() => raw.messages.filter((m) => m.id === 7).length === 2);
    const answers = raw.messages.filter((m) => m.id === 7);
    expect(answers[0]).toMatchObject({ ok: false, error: { code: 'DUPLICATE_REQUEST_ID' } });
    expect(answers[1]).toMatchObject({ ok: true });
    raw.close();
  });

  it('a client that vanishes mid-request does not disturb the daemon', async () => {
    const raw = await RawSocket.connect(shared.t.socket);
    await raw.hello();
    for (let i = 0; i < 50; i++) raw.send({ kind: 'req', id: i, type: 'ping', body: { delay_ms: 100 } });
    raw.close();
    await expectDaemonServing();
    const status = await shared.client.status();
    expect(status.connections).toBeGreaterThanOrEqual(1);
  });
});

describe('backpressure', () => {
  it('stops reading from a client that does not read its answers, then catches up', async () => {
    const local = makeTestEnv();
    const d = await spawnDaemon(local, ['--set', 'max_inflight_per_connection=32']);
    const observer = await DaemonClient.connect({ socket: local.socket });
    const raw = await RawSocket.connect(local.socket);
    await raw.hello();
    const before = await settledRss(observer);
    raw.socket.pause(); // read nothing from now on
    const total = 200_000;
    for (let i = 0; i < total; i++) raw.send({ kind: 'req', id: i, type: 'ping', body: {} });
    // The daemon stops taking requests: our writes pile up on our side of the socket.
    await new Promise((r) => setTimeout(r, 1000));
    expect(raw.socket.writableLength).toBeGreaterThan(0);
    const status = await observer.status();
    expect(status.inflight).toBeLessThanOrEqual(32 + 1);
    // What the client sent stays on its side: the daemon's memory does not grow with it.
    expect(status.memory.rss - before).toBeLessThan(32 * 1024 * 1024);
    raw.socket.resume();
    await raw.until(() => raw.messages.length >= total + 1, 60_000);
    const ids = new Set(raw.messages.filter((m) => m.ok === true).map((m) => m.id));
    expect(ids.size).toBe(total + 1);
    raw.close();
    observer.close();
    await stopDaemon(d);
    local.cleanup();
  });

  it('refuses connections beyond max_connections with TOO_MANY_CONNECTIONS', async () => {
    const local = makeTestEnv();
    const d = await spawnDaemon(local, ['--set', 'max_connections=2']);
    const first = await RawSocket.connect(local.socket);
    const second = await RawSocket.connect(local.socket);
    const third = await RawSocket.connect(local.socket);
    await third.until(() => third.closed);
    expect(third.messages[0]).toMatchObject({ kind: 'error', error: { code: 'TOO_MANY_CONNECTIONS' } });
    await first.hello();
    first.close();
    second.close();
    // Room again once the daemon has seen the others go.
    await waitFor(async () => {
      const next = await RawSocket.connect(local.socket);
      await next.until(() => next.closed, 100).catch(() => {});
      next.close();
      return next.messages.length === 0;
    }, 5000, 'a free connection slot');
    await stopDaemon(d);
    local.cleanup();
  });
});
