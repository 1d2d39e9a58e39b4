import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DaemonClient } from '@dindex/client';
import { makeTestEnv, type TestEnv } from './helpers/env.js';
import { isRunning, runCli, spawnDaemon, stopDaemon, waitFor } from './helpers/processes.js';

let t: TestEnv;
beforeEach(() => {
  t = makeTestEnv();
});
afterEach(async () => {
  await runCli(t, ['daemon', 'stop']);
  t.cleanup();
});

const lockFile = (): string => path.join(t.home, 'daemon.lock');

async function statusJson(): Promise<{ running: boolean; pid: number; socket: string; home: string }> {
  const result = await runCli(t, ['--json', 'daemon', 'status']);
  return JSON.parse(result.stdout) as { running: boolean; pid: number; socket: string; home: string };
}

describe('daemon lifecycle through the CLI', () => {
  it('starts, reports status, and stops, leaving no socket or lock behind', async () => {
    const before = await runCli(t, ['daemon', 'status']);
    expect(before.code).toBe(3);

    const start = await runCli(t, ['daemon', 'start']);
    expect(start.code).toBe(0);
    expect(start.stderr).toMatch(/started \(pid \d+\)/);

    const status = await runCli(t, ['--json', 'daemon', 'status']);
    expect(status.code).toBe(0);
    const body = JSON.parse(status.stdout) as Record<string, unknown>;
    expect(body).toMatchObject({ running: true, socket: t.socket, home: t.home, protocol: 1 });
    expect(typeof body.uptime_s).toBe('number');
    expect(fs.statSync(t.socket).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(t.socket)).mode & 0o777).toBe(0o700);

    const stop = await runCli(t, ['daemon', 'stop']);
    expect(stop.code).toBe(0);
    expect(isRunning(body.pid as number)).toBe(false);
    expect(fs.existsSync(t.socket)).toBe(false);
    expect(fs.existsSync(lockFile())).toBe(false);
    expect((await runCli(t, ['--json', 'daemon', 'status'])).code).toBe(3);
  });

  it('start while running reports the running daemon and starts no second one', async () => {
    await runCli(t, ['daemon', 'start']);
    const first = await statusJson();
    const again = await runCli(t, ['--json', 'daemon', 'start']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ pid: first.pid, already_running: true });
  });

  it('starts after kill -9, cleaning up the stale lock and socket', async () => {
    await runCli(t, ['daemon', 'start']);
    const { pid } = await statusJson();
    process.kill(pid, 'SIGKILL');
    await waitFor(() => !isRunning(pid), 5000, 'the daemon to die');
    expect(fs.existsSync(t.socket)).toBe(true);
    expect(fs.existsSync(lockFile())).toBe(true);

    const restart = await runCli(t, ['daemon', 'start']);
    expect(restart.code).toBe(0);
    const after = await statusJson();
    expect(after.running).toBe(true);
    expect(after.pid).not.toBe(pid);
    expect(JSON.parse(fs.readFileSync(lockFile(), 'utf8'))).toMatchObject({ pid: after.pid });
  });

  it('two concurrent starts give one daemon', async () => {
    const results = await Promise.all([1, 2, 3].map(() => runCli(t, ['--json', 'daemon', 'start'])));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const pids = new Set(results.map((r) => (JSON.parse(r.stdout) as { pid: number }).pid));
    expect(pids.size).toBe(1);
  });

  it('two SDK clients auto-starting at once share one daemon', async () => {
    const connect = (): Promise<DaemonClient> =>
      DaemonClient.connect({ socket: t.socket, home: t.home, autoStart: true, env: t.env });
    const clients = await Promise.all([connect(), connect()]);
    expect(clients[0]!.daemon.pid).toBe(clients[1]!.daemon.pid);
    for (const c of clients) c.close();
  });

  it('refuses a socket path that is too long, saying what to set', async () => {
    const deep = path.join(t.dir, 'x'.repeat(120), 'd.sock');
    const result = await runCli(t, ['daemon', 'start'], { DINDEX_SOCKET: deep });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/over the 10\d-byte limit/);
    expect(result.stderr).toContain('DINDEX_SOCKET');
    expect(result.stderr).toContain('SOCKET_PATH_TOO_LONG');
  });

  it('refuses a socket directory open to other users', async () => {
    const dir = path.dirname(t.socket);
    fs.mkdirSync(dir, { recursive: true });
    fs.chmodSync(dir, 0o777);
    const result = await runCli(t, ['daemon', 'start']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('SOCKET_DIR_INSECURE');
    expect(result.stderr).toContain(`chmod 700 ${dir}`);
    expect(fs.existsSync(lockFile())).toBe(false);
  });

  it('reports a bad config file as the daemon start error, naming the key', async () => {
    fs.mkdirSync(t.home, { recursive: true });
    fs.writeFileSync(path.join(t.home, 'config.toml'), 'max_connections = -5\n');
    const result = await runCli(t, ['daemon', 'start']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('"max_connections"');
    expect(result.stderr).toContain('config.toml');
  });

  it('fails clearly when nothing runs and auto-start is off', async () => {
    const result = await runCli(t, ['--no-autostart', 'daemon', 'stop']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/not running/);
  });

  it('shows the background log, and exits 2 on a usage error', async () => {
    await runCli(t, ['daemon', 'start']);
    const logs = await runCli(t, ['daemon', 'logs', '-n', '5']);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain('"daemon ready"');
    expect((await runCli(t, ['daemon', 'frobnicate'])).code).toBe(2);
    expect((await runCli(t, ['daemon', 'logs', '-n', 'many'])).code).toBe(2);
  });

  it('prints its version', async () => {
    const result = await runCli(t, ['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('restart gives a new daemon process', async () => {
    await runCli(t, ['daemon', 'start']);
    const { pid } = await statusJson();
    expect((await runCli(t, ['daemon', 'restart'])).code).toBe(0);
    const after = await statusJson();
    expect(after.running).toBe(true);
    expect(after.pid).not.toBe(pid);
  });
});

describe('signals', () => {
  it('SIGTERM lets in-flight requests finish, then removes socket and lock', async () => {
    const daemon = await spawnDaemon(t);
    const client = await DaemonClient.connect({ socket: t.socket });
    const pending = Array.from({ length: 20 }, () => client.ping({ delayMs: 400 }));
    await waitFor(async () => (await client.status()).inflight >= 20, 5000, 'requests in flight');
    daemon.child.kill('SIGTERM');
    const results = await Promise.allSettled(pending);
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    expect(await daemon.exited).toBe(0);
    expect(fs.existsSync(t.socket)).toBe(false);
    expect(fs.existsSync(lockFile())).toBe(false);
    client.close();
  });

  it('refuses new requests while draining', async () => {
    const daemon = await spawnDaemon(t);
    const client = await DaemonClient.connect({ socket: t.socket });
    const slow = client.ping({ delayMs: 600 });
    await waitFor(async () => (await client.status()).inflight >= 1, 5000, "the slow request");
    daemon.child.kill('SIGTERM');
    await waitFor(() => daemon.output().includes('"stopping"'), 5000, 'the daemon to start draining');
    await expect(client.ping()).rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
    await expect(slow).resolves.toEqual({ pong: true });
    await daemon.exited;
    client.close();
  });

  it('SIGHUP reloads the configuration, and keeps it when the new file is bad', async () => {
    fs.mkdirSync(t.home, { recursive: true });
    const config = path.join(t.home, 'config.toml');
    fs.writeFileSync(config, 'log_level = "info"\n');
    const daemon = await spawnDaemon(t);
    const client = await DaemonClient.connect({ socket: t.socket });

    fs.writeFileSync(config, 'log_level = "debug"\n');
    daemon.child.kill('SIGHUP');
    await waitFor(() => daemon.output().includes('configuration reloaded'), 5000, 'the reload');
    await client.ping();
    await waitFor(() => daemon.output().includes('"type":"ping"'), 5000, 'a debug request log line');

    fs.writeFileSync(config, 'log_level = 12\n');
    daemon.child.kill('SIGHUP');
    await waitFor(() => daemon.output().includes('keeping the current configuration'), 5000, 'the rejected reload');
    expect(await client.ping()).toEqual({ pong: true });
    client.close();
    await stopDaemon(daemon);
  });
});
