import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DaemonClient, type Document } from '@dindex/client';
import { inspectIndex } from './helpers/database.js';
import { CLI, makeTestEnv, ROOT, withTestEnv } from './helpers/env.js';
import { isRunning, runCli, spawnDaemon, stopDaemon, waitFor } from './helpers/processes.js';

const doc = (i: number): Document => ({ id: `op-${i}`, source: `/ops/${i}`, text: `Operations document ${i} about lighthouse${i} keepers.` });

describe('metrics', () => {
  it('counts requests by type and outcome, times searches and commits, and reads the index at scrape time', async () => {
    await withTestEnv(async (t) => {
      const daemon = await spawnDaemon(t, ['--set', 'metrics.listen=127.0.0.1:0']);
      const client = await DaemonClient.connect({ socket: t.socket });
      await client.index(Array.from({ length: 5 }, (_, i) => doc(i)));
      for (let i = 0; i < 3; i++) await client.search('lighthouse1');
      await expect(client.search('x', { mode: 'vector' })).rejects.toMatchObject({ code: 'MODE_UNAVAILABLE' });
      const text = await client.metrics();
      expect(text).toMatch(/dindex_requests_total\{type="search",outcome="ok"\} 3/);
      expect(text).toMatch(/dindex_requests_total\{type="search",outcome="MODE_UNAVAILABLE"\} 1/);
      expect(text).toMatch(/dindex_errors_total\{code="MODE_UNAVAILABLE"\} 1/);
      expect(text).toMatch(/dindex_search_duration_seconds_count\{mode="bm25"\} 3/);
      expect(text).toMatch(/dindex_commits_total [1-9]/);
      expect(text).toMatch(/dindex_documents 5/);
      expect(text).toMatch(/dindex_connections 1/);

      const { metrics_url: url } = await client.status();
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const scraped = await fetch(url!);
      expect(scraped.headers.get('content-type')).toContain('text/plain');
      expect(await scraped.text()).toMatch(/dindex_chunks 5/);
      expect((await fetch(url!.replace('/metrics', '/other'))).status).toBe(404);

      const cli = await runCli(t, ['metrics']);
      expect(cli.stdout).toMatch(/^# HELP dindex_/m);
      client.close();
      await stopDaemon(daemon);
    });
  });

  it('refuses to serve metrics beyond loopback', async () => {
    await withTestEnv(async (t) => {
      const out = await runCli(t, ['daemon', 'start'], { DINDEX_METRICS_LISTEN: '0.0.0.0:9464' });
      expect(out.code).toBe(1);
      expect(out.stderr).toMatch(/metrics\.listen.*loopback/);
    });
  });
});

describe('the background log', () => {
  it('rotates by size, keeps the configured number of files, and logs -f follows across rotations', async () => {
    const t = makeTestEnv();
    const config = path.join(t.dir, 'config.toml');
    fs.writeFileSync(config, 'log_level = "debug"\nlog_max_bytes = 4096\nlog_files = 2\n');
    const env = { DINDEX_CONFIG: config };
    try {
      expect((await runCli(t, ['daemon', 'start'], env)).code).toBe(0);
      const follower = spawn(process.execPath, [CLI, 'daemon', 'logs', '-f', '-n', '1'], { env: { ...t.env, ...env } });
      let followed = '';
      follower.stdout.setEncoding('utf8').on('data', (d: string) => (followed += d));
      // It prints the last line once it runs; from then on it follows.
      await waitFor(() => followed.length > 0, 10_000, 'the follower to start');
      const client = await DaemonClient.connect({ socket: t.socket });
      // Each request is logged at debug with its id; enough of them for several rotations.
      for (let round = 0; round < 6; round++) {
        for (let i = 0; i < 40; i++) await client.ping();
        await new Promise((r) => setTimeout(r, 400));
      }
      const pings = (text: string): number => text.split('\n').filter((l) => l.includes('"type":"ping"')).length;
      await waitFor(() => pings(followed) >= 240, 10_000, 'the follower to catch up').catch((err: Error) => {
        const files = fs.readdirSync(t.home).filter((f) => f.startsWith('daemon.log'));
        throw new Error(`${err.message}: followed ${pings(followed)}, in files ${files.map((f) => `${f}=${pings(fs.readFileSync(path.join(t.home, f), 'utf8'))}`).join(' ')}`);
      });
      follower.kill();
      client.close();
      const log = path.join(t.home, 'daemon.log');
      expect(fs.existsSync(`${log}.1`)).toBe(true);
      expect(fs.existsSync(`${log}.2`)).toBe(true);
      expect(fs.existsSync(`${log}.3`)).toBe(false);
      expect(fs.statSync(log).size).toBeLessThan(4096 * 4);
      // Every ping was followed exactly once, across the rotations.
      const followedIds = followed.split('\n').filter((l) => l.includes('"type":"ping"')).map((l) => (JSON.parse(l) as { id: number }).id);
      expect(new Set(followedIds).size).toBe(240);
      expect(followedIds).toHaveLength(240);
      expect(followed).toContain('"log rotated"');
      expect((await runCli(t, ['daemon', 'stop'], env)).code).toBe(0);
    } finally {
      t.cleanup();
    }
  });
});

describe('integrity', () => {
  it('doctor finds a damaged full-text index and repairs it; a restart repairs it by itself', async () => {
    await withTestEnv(async (t) => {
      let daemon = await spawnDaemon(t);
      const client = await DaemonClient.connect({ socket: t.socket });
      await client.index(Array.from({ length: 20 }, (_, i) => doc(i)));
      expect((await client.doctor()).ok).toBe(true);
      // Another process damages the full-text index under the running daemon: an entry removed
      // with the wrong content leaves FTS5 out of step with the chunks.
      const corrupt = (): void => {
        const db = new Database(path.join(t.home, 'index.db'));
        db.prepare("INSERT INTO chunks_fts (chunks_fts, rowid, title, heading, text) VALUES ('delete', 3, NULL, NULL, 'words that were never there')").run();
        db.close();
      };
      corrupt();
      const report = await client.doctor();
      expect(report.ok).toBe(false);
      expect(report.checks.find((c) => c.name === 'fts')).toMatchObject({ ok: false, repaired: false });
      const cli = await runCli(t, ['doctor']);
      expect(cli.code).toBe(1);
      expect(cli.stdout).toMatch(/fts\s+FAILED/);
      const repaired = await client.doctor({ repair: true });
      expect(repaired.ok).toBe(true);
      expect(repaired.checks.find((c) => c.name === 'fts')).toMatchObject({ ok: true, repaired: true });
      expect((await client.search('lighthouse7')).results[0]!.doc_id).toBe('op-7');
      client.close();
      await stopDaemon(daemon);

      corrupt();
      daemon = await spawnDaemon(t);
      expect(daemon.output()).toMatch(/"check":"fts".*"repaired at start"/);
      await stopDaemon(daemon);
      expect(inspectIndex(t.home)).toMatchObject({ sqlite: 'ok', fts: 'ok', countersAgree: true });
    });
  });

  it('doctor --repair brings the vector index and the counters back in step with the vectors in SQLite', async () => {
    await withTestEnv(async (t) => {
      const daemon = await spawnDaemon(t, [], { DINDEX_EMBEDDING_PROVIDER: 'builtin' });
      const client = await DaemonClient.connect({ socket: t.socket });
      await client.index(Array.from({ length: 30 }, (_, i) => doc(i)));
      await waitFor(async () => (await client.status()).vector_index.size === 30, 10_000, 'the vector index');
      // Another process removes vectors behind the daemon's back.
      const db = new Database(path.join(t.home, 'index.db'));
      db.prepare('DELETE FROM vectors WHERE chunk_id <= 10').run();
      db.close();
      const report = await client.doctor();
      expect(report.ok).toBe(false);
      expect(report.checks.find((c) => c.name === 'counters')).toMatchObject({ ok: false, detail: expect.stringMatching(/vectors recorded 30, counted 20/) });
      expect(report.checks.find((c) => c.name === 'vector_index')).toMatchObject({ ok: false, detail: '30 vectors in the HNSW index, 20 in the database' });
      const repaired = await client.doctor({ repair: true });
      expect(repaired.ok).toBe(true);
      expect(repaired.checks.find((c) => c.name === 'vector_index')).toMatchObject({ repaired: true });
      await waitFor(async () => {
        const status = await client.status();
        return status.vector_index.state === 'ready' && status.vector_index.size === 20;
      }, 10_000, 'the rebuilt vector index');
      expect((await client.doctor()).ok).toBe(true);
      expect(daemon.output()).toContain('asked to repair it');
      client.close();
      await stopDaemon(daemon);
    });
  });

  it('skips the start-up checks only when the files are as a clean stop left them', async () => {
    await withTestEnv(async (t) => {
      let daemon = await spawnDaemon(t);
      let client = await DaemonClient.connect({ socket: t.socket });
      await client.index(Array.from({ length: 10 }, (_, i) => doc(i)));
      client.close();
      await stopDaemon(daemon);
      daemon = await spawnDaemon(t);
      expect(daemon.output()).toContain('start-up checks skipped');
      client = await DaemonClient.connect({ socket: t.socket });
      await client.index([doc(99)]);
      client.close();
      process.kill(daemon.pid, 'SIGKILL');
      await daemon.exited;
      // After a crash the checks run.
      daemon = await spawnDaemon(t);
      expect(daemon.output()).not.toContain('start-up checks skipped');
      await stopDaemon(daemon);
    });
  });

  it('refuses to start on a damaged database file, saying what to do, and changes nothing', async () => {
    await withTestEnv(async (t) => {
      const daemon = await spawnDaemon(t);
      const client = await DaemonClient.connect({ socket: t.socket });
      await client.index(Array.from({ length: 300 }, (_, i) => ({ ...doc(i), text: `${doc(i).text} ${'filler words '.repeat(80)}` })));
      client.close();
      await stopDaemon(daemon);
      const file = path.join(t.home, 'index.db');
      const fd = fs.openSync(file, 'r+');
      fs.writeSync(fd, Buffer.alloc(4096 * 3, 0x5a), 0, 4096 * 3, 4096 * 4);
      fs.closeSync(fd);
      const damaged = fs.readFileSync(file);
      const out = await runCli(t, ['daemon', 'start']);
      expect(out.code).toBe(1);
      expect(out.stderr).toMatch(/index\.db.*(damaged|malformed)/);
      expect(fs.readFileSync(file).equals(damaged)).toBe(true);
    });
  });
});

describe('upgrades', () => {
  /** A real daemon of another version: this repository's daemon package, copied with another version number. */
  function installOldDaemon(dir: string): string {
    const copy = path.join(dir, 'daemon-0.0.1');
    const source = path.join(ROOT, 'packages/daemon');
    fs.mkdirSync(copy);
    for (const entry of ['dist', 'bin']) fs.cpSync(path.join(source, entry), path.join(copy, entry), { recursive: true });
    fs.symlinkSync(path.join(source, 'node_modules'), path.join(copy, 'node_modules'));
    const pkg = JSON.parse(fs.readFileSync(path.join(source, 'package.json'), 'utf8')) as { version: string };
    fs.writeFileSync(path.join(copy, 'package.json'), JSON.stringify({ ...pkg, version: '0.0.1' }));
    return path.join(copy, 'bin/dindexd.js');
  }

  it('restarts an idle daemon of another version, and leaves a busy one running with what to do', async () => {
    await withTestEnv(async (t) => {
      const oldEntry = installOldDaemon(t.dir);
      const startOld = async (): Promise<number> => {
        const old = await DaemonClient.connect({ socket: t.socket, home: t.home, autoStart: true, daemonEntry: oldEntry, upgrade: false });
        expect(old.daemon.version).toBe('0.0.1');
        const pid = old.daemon.pid;
        old.close();
        return pid;
      };

      // Busy: a request in flight on the old daemon.
      let oldPid = await startOld();
      const busy = await DaemonClient.connect({ socket: t.socket });
      const slow = busy.ping({ delayMs: 3000 });
      const refused = await runCli(t, ['stats']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/daemon 0\.0\.1 .* 1 request in flight.*dindex daemon restart/);
      expect(isRunning(oldPid)).toBe(true);
      await slow;
      busy.close();

      // Idle: replaced by the version this CLI starts, and the command succeeds.
      const upgraded = await runCli(t, ['--json', 'daemon', 'status']);
      expect(JSON.parse(upgraded.stdout).version).toBe('0.0.1'); // status never restarts anything
      const stats = await runCli(t, ['--json', 'stats']);
      expect(stats.code).toBe(0);
      await waitFor(() => !isRunning(oldPid), 10_000, 'the old daemon to exit');
      const status = JSON.parse((await runCli(t, ['--json', 'daemon', 'status'])).stdout) as { version: string; pid: number };
      expect(status.version).not.toBe('0.0.1');
      expect(status.pid).not.toBe(oldPid);
      oldPid = status.pid;
      expect((await runCli(t, ['daemon', 'stop'])).code).toBe(0);
    });
  });
});
