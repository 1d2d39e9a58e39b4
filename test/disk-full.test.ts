import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DaemonClient, type Document } from '@dindex/client';
import { inspectIndex } from './helpers/database.js';
import { makeTestEnv, type TestEnv } from './helpers/env.js';
import { spawnDaemon, stopDaemon, withDaemon, type ForegroundDaemon } from './helpers/processes.js';

/** A small filesystem made for the test: tmpfs, which needs root and a mount the machine allows. */
function mount(target: string, options: string): boolean {
  fs.mkdirSync(target, { recursive: true });
  return spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', target]).status === 0;
}
function remount(target: string, options: string): void {
  const result = spawnSync('mount', ['-o', `remount,${options}`, target], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`remount ${options} failed: ${result.stderr}`);
}

const canMount = (() => {
  const probe = fs.mkdtempSync('/tmp/dx-mount-probe-');
  const ok = mount(probe, 'size=1m');
  if (ok) spawnSync('umount', [probe]);
  fs.rmSync(probe, { recursive: true, force: true });
  return ok;
})();

const bulky = (i: number): Document => ({
  id: `full-${i}`, source: `/full/${i}`,
  text: `Document ${i} marker${i}. ${Array.from({ length: 400 }, (_, w) => `word${(i * 7 + w) % 5000}`).join(' ')}`,
});

describe.skipIf(!canMount)('a full disk and a read-only filesystem (tmpfs made by the test)', () => {
  let t: TestEnv;
  let mnt: string;
  let daemon: ForegroundDaemon;
  let client: DaemonClient;
  const acknowledged: string[] = [];

  beforeAll(async () => {
    t = makeTestEnv();
    mnt = path.join(t.dir, 'mnt');
    if (!mount(mnt, 'size=3m,mode=0700')) throw new Error('mount failed');
    daemon = await spawnDaemon(t, ['--home', path.join(mnt, 'home')]);
    client = await DaemonClient.connect({ socket: t.socket });
  });
  afterAll(async () => {
    client?.close();
    daemon?.child.kill('SIGTERM');
    await daemon?.exited;
    spawnSync('umount', ['-l', mnt]);
    t.cleanup();
  });

  it('fails writes with DISK_FULL, keeps everything committed, keeps searching, and resumes once there is space', async () => {
    let full: unknown = null;
    for (let i = 0; i < 2000 && !full; i += 10) {
      const batch = Array.from({ length: 10 }, (_, j) => bulky(i + j));
      try {
        await client.index(batch);
        acknowledged.push(...batch.map((d) => d.id!));
      } catch (err) {
        full = err;
      }
    }
    expect(full).toMatchObject({ code: 'DISK_FULL', message: expect.stringMatching(/free some space/) });
    expect(acknowledged.length).toBeGreaterThan(0);
    // Searches keep working, and see every acknowledged document.
    for (const id of [acknowledged[0]!, acknowledged.at(-1)!]) {
      expect((await client.search(`marker${id.slice(5)}`)).results[0]?.doc_id).toBe(id);
    }
    // A second attempt as large as the one that failed, still full, fails the same way: the daemon is not wedged.
    await expect(client.index(Array.from({ length: 10 }, (_, j) => bulky(8000 + j)))).rejects.toMatchObject({ code: 'DISK_FULL' });
    expect((await client.status()).state).toBe('running');

    remount(mnt, 'size=64m');
    const resumed = await client.index([bulky(9001), bulky(9002)]);
    expect(resumed.documents).toBe(2);
    expect((await client.search('marker9001')).results[0]?.doc_id).toBe('full-9001');
  });

  it('left nothing damaged: every acknowledged document is there and the checks pass', async () => {
    const report = await client.doctor();
    expect(report.ok).toBe(true);
    client.close();
    await stopDaemon(daemon);
    const index = inspectIndex(path.join(mnt, 'home'));
    expect(index).toMatchObject({ sqlite: 'ok', fts: 'ok', torn: 0, countersAgree: true });
    for (const id of [...acknowledged, 'full-9001', 'full-9002']) expect(index.ids.has(id), id).toBe(true);
  });

  // Linux refuses to make a filesystem read-only while a process has files open on it for
  // writing (EBUSY), so the read-only case is a daemon started on one.
  it('on a read-only filesystem the daemon says so at start, and changes nothing', async () => {
    const home = path.join(mnt, 'home');
    const before = fs.readFileSync(path.join(home, 'index.db'));
    remount(mnt, 'ro');
    const failed = await spawnDaemon(t, ['--home', home]).then(() => null, (err: Error) => err);
    expect(failed?.message).toMatch(/data directory .* is on a read-only filesystem/);
    remount(mnt, 'rw');
    expect(fs.readFileSync(path.join(home, 'index.db')).equals(before)).toBe(true);
    daemon = await spawnDaemon(t, ['--home', home]);
    client = await DaemonClient.connect({ socket: t.socket });
    expect((await client.search('marker9002')).results[0]?.doc_id).toBe('full-9002');
  });
});

describe.skipIf(!canMount)('an import job on a full disk (tmpfs made by the test)', () => {
  it('fails with DISK_FULL keeping its last checkpoint, and once there is space resumes to the end, losing nothing', async () => {
    const t = makeTestEnv();
    const mnt = path.join(t.dir, 'mnt');
    if (!mount(mnt, 'size=3m,mode=0700')) throw new Error('mount failed');
    try {
      const fixture = path.join(t.dir, 'bulky.jsonl');
      fs.writeFileSync(fixture, Array.from({ length: 1500 }, (_, i) => JSON.stringify(bulky(i))).join('\n'));
      await withDaemon(t, ['--home', path.join(mnt, 'home')], {}, async (client) => {
        const failed = await client.watchJob((await client.startJob({ kind: 'import', format: 'jsonl', path: fixture })).id, () => {});
        expect(failed).toMatchObject({ state: 'failed', resumable: true, error: expect.stringMatching(/free some space/) });
        const stats = await client.stats();
        expect(failed.counts.documents).toBe(stats.documents);
        expect(stats.documents).toBeLessThan(1500);

        remount(mnt, 'size=64m');
        const done = await client.watchJob((await client.resumeJob(failed.id)).id, () => {});
        expect(done.state).toBe('done');
        expect(done.counts.documents + done.counts.skipped).toBe(1500);
        expect((await client.stats()).documents).toBe(1500);
        for (const i of [0, 749, 1499]) expect((await client.search(`marker${i}`)).results[0]?.doc_id).toBe(`full-${i}`);
      });
      const index = inspectIndex(path.join(mnt, 'home'));
      expect(index).toMatchObject({ sqlite: 'ok', fts: 'ok', torn: 0, countersAgree: true, documents: 1500 });
    } finally {
      spawnSync('umount', ['-l', mnt]);
      t.cleanup();
    }
  }, 120_000);
});
