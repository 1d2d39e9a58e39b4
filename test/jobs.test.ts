import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DaemonClient, RemoteError, type JobInfo } from '@dindex/client';
import { inspectIndex } from './helpers/database.js';
import { CLI, makeTestEnv, siblingEnv, withTestEnv, type TestEnv } from './helpers/env.js';
import { articleText, writeJsonl, writeWarc, writeWikiDump, type WikiPage } from './helpers/job-fixtures.js';
import { runCli, spawnDaemon, stopDaemon, waitFor, withDaemon, type ForegroundDaemon } from './helpers/processes.js';

async function expectCode(promise: Promise<unknown>, code: string): Promise<RemoteError> {
  const err = await promise.then(() => null, (e: unknown) => e);
  expect(err, `expected ${code}`).toBeInstanceOf(RemoteError);
  expect((err as RemoteError).code).toBe(code);
  return err as RemoteError;
}

async function finish(client: DaemonClient, job: JobInfo): Promise<JobInfo> {
  return client.watchJob(job.id, () => {});
}

describe('import jobs', () => {
  let t: TestEnv;
  let daemon: ForegroundDaemon;
  let client: DaemonClient;

  beforeAll(async () => {
    t = makeTestEnv();
    daemon = await spawnDaemon(t);
    client = await DaemonClient.connect({ socket: t.socket });
  });
  afterAll(async () => {
    client.close();
    await stopDaemon(daemon);
    t.cleanup();
  });

  it('imports JSONL, reporting each bad line by number and importing the rest', async () => {
    const file = path.join(t.dir, 'docs.jsonl');
    writeJsonl(file, 50, new Map([
      [3, '{"id": "x", "text": '],
      [10, '{"title": "no text here"}'],
      [20, '[1, 2, 3]'],
      [30, ''],
    ]));
    fs.appendFileSync(file, `${JSON.stringify({ text: 'a line without id or source about quasars' })}\n{"text": 5}`);
    // Written by a Windows tool: a byte-order mark, and CRLF line ends.
    fs.writeFileSync(file, `\uFEFF${fs.readFileSync(file, 'utf8').replaceAll('\n', '\r\n')}`);
    const result = await runCli(t, ['--json', 'import', file, '--format', 'jsonl']);
    expect(result.code, result.stderr).toBe(0);
    const job = JSON.parse(result.stdout) as JobInfo;
    expect(job.state).toBe('done');
    expect(job.counts).toMatchObject({ documents: 51, skipped: 0, errors: 4 });
    expect(job.problems.map((p) => p.where)).toEqual(['line 3', 'line 10', 'line 20', 'line 56']);
    expect(job.problems[0]!.message).toMatch(/not JSON/);
    expect(job.problems[1]!.message).toMatch(/text/);
    expect(job.progress).toMatchObject({ current: fs.statSync(file).size, total: fs.statSync(file).size, unit: 'bytes' });

    const { results } = await client.search('marker17');
    expect(results[0]).toMatchObject({ doc_id: 'd17', title: 'Record 17' });
    const quasar = (await client.search('quasars')).results[0]!;
    expect(quasar.doc_id).toBe(`${file}:55`);
    expect(quasar.source).toBe(`${file}:55`);

    // The same file again: every document unchanged, nothing indexed twice.
    const again = await finish(client, await client.startJob({ kind: 'import', format: 'jsonl', path: file }));
    expect(again.counts).toMatchObject({ documents: 0, skipped: 51, errors: 4 });
  });

  it('skips a line longer than 32 MiB without holding it, and imports the lines around it', async () => {
    const file = path.join(t.dir, 'long.jsonl');
    const out = fs.openSync(file, 'w');
    fs.writeSync(out, `${JSON.stringify({ id: 'before', text: 'longlinemarker before' })}\n{"id": "huge", "text": "`);
    const block = Buffer.alloc(1024 * 1024, 'a');
    for (let i = 0; i < 33; i++) fs.writeSync(out, block);
    fs.writeSync(out, `"}\n${JSON.stringify({ id: 'after', text: 'longlinemarker after' })}\n`);
    fs.closeSync(out);
    const job = await finish(client, await client.startJob({ kind: 'import', format: 'jsonl', path: file }));
    expect(job.counts).toMatchObject({ documents: 2, errors: 1 });
    expect(job.problems).toEqual([{ where: 'line 2', message: expect.stringMatching(/longer than 33554432 bytes \(\d+\); skipped/) }]);
    expect((await client.search('longlinemarker', { k: 5 })).results.map((r) => r.doc_id).sort()).toEqual(['after', 'before']);
  });

  it('imports a bzip2 MediaWiki dump: articles only, as readable text with their sections', async () => {
    const file = path.join(t.dir, 'wiki.xml.bz2');
    const pages: WikiPage[] = [
      { title: 'Basalt', text: articleText(1, 'volcanic rock') },
      { title: 'Lava', redirect: 'Basalt', text: '#REDIRECT [[Basalt]]' },
      { title: 'Talk:Basalt', ns: 1, text: 'Discussion about talkpageonly words.' },
      { title: 'Fish & Chips', text: `'''Fish & chips''' is a dish < > of frying.\n\n== Origins ==\nFirst sold in London, marker2.` },
      { title: 'Empty', text: '{{stub}}' },
    ];
    writeWikiDump(file, pages);
    const job = await finish(client, await client.startJob({ kind: 'import', format: 'wikipedia', path: file }));
    expect(job.error).toBeNull();
    expect(job.state).toBe('done');
    expect(job.counts).toMatchObject({ documents: 2, rejected: 3, errors: 0 });

    const basalt = (await client.search('marker1', { k: 1 })).results[0]!;
    expect(basalt).toMatchObject({ doc_id: 'https://test.wikipedia.example/wiki/Basalt', title: 'Basalt' });
    const { results } = await client.search('history volcanic rock', { k: 20 });
    const chunks = results.filter((r) => r.doc_id === basalt.doc_id);
    const text = chunks.map((r) => r.text).join('\n');
    for (const markup of ['{{', '}}', '<ref', '[[', "'''", '{|', 'Infobox', 'cite web', 'tablecell', 'Picture.jpg']) expect(text).not.toContain(markup);
    expect(chunks.some((r) => r.heading?.startsWith('History'))).toBe(true);
    const fish = (await client.search('marker2')).results[0]!;
    expect(fish).toMatchObject({ doc_id: 'https://test.wikipedia.example/wiki/Fish_%26_Chips', heading: 'Origins' });
    expect((await client.search('Fish chips frying')).results[0]!.text).toContain('Fish & chips is a dish < > of frying');
    expect((await client.search('talkpageonly')).results).toHaveLength(0);

    // A history dump: several revisions of a page, of which the last is the article.
    const history = path.join(t.dir, 'history.xml');
    writeWikiDump(history, [{ title: 'Revised', text: 'oldrevisionword text' }]);
    const xml = fs.readFileSync(history, 'utf8');
    const revision = /    <revision>[\s\S]*?<\/revision>\n/.exec(xml)![0];
    fs.writeFileSync(history, xml.replace(revision, revision + revision.replace('oldrevisionword', 'newrevisionword')));
    expect((await finish(client, await client.startJob({ kind: 'import', format: 'wikipedia', path: history }))).counts.documents).toBe(1);
    expect((await client.search('newrevisionword')).results).toHaveLength(1);
    expect((await client.search('oldrevisionword')).results).toHaveLength(0);
  });

  it('imports a gzip WARC: HTML and text responses, by their target URL', async () => {
    const file = path.join(t.dir, 'crawl.warc.gz');
    const article = `<html><head><title>Tidal power</title></head><body><nav><a href="/">Home</a> navonlyword</nav>
      <article><h1>Tidal power</h1><p>${'Tidal turbines convert the energy of tides into electricity, warcmarker1. '.repeat(10)}</p></article>
      <footer>footeronlyword</footer></body></html>`;
    writeWarc(file, [
      { type: 'warcinfo' },
      { type: 'request', url: 'https://energy.example/tides' },
      { type: 'response', url: 'https://energy.example/tides', body: article },
      { type: 'response', url: 'https://energy.example/missing', status: 404, body: '<p>not found warcmarker404</p>' },
      { type: 'response', url: 'https://energy.example/logo.png', contentType: 'image/png', body: '\x89PNG warcmarkerpng' },
      { type: 'response', url: 'https://energy.example/notes.txt', contentType: 'text/plain; charset=utf-8', body: 'plain notes warcmarker2' },
      { type: 'revisit', url: 'https://energy.example/tides', body: '' },
    ]);
    const job = await finish(client, await client.startJob({ kind: 'import', format: 'warc', path: file }));
    expect(job.state).toBe('done');
    expect(job.counts).toMatchObject({ documents: 2, rejected: 2, errors: 0 });
    expect((await client.search('warcmarker1')).results[0]).toMatchObject({ doc_id: 'https://energy.example/tides', source: 'https://energy.example/tides', title: 'Tidal power' });
    expect((await client.search('warcmarker2')).results[0]).toMatchObject({ source: 'https://energy.example/notes.txt' });
    for (const absent of ['warcmarker404', 'warcmarkerpng', 'navonlyword', 'footeronlyword']) expect((await client.search(absent)).results).toHaveLength(0);

    const plain = path.join(t.dir, 'crawl.warc');
    writeWarc(plain, [{ type: 'response', url: 'https://energy.example/plain', contentType: 'text/plain', body: 'uncompressed archive warcmarker3' }]);
    const uncompressed = await finish(client, await client.startJob({ kind: 'import', format: 'warc', path: plain }));
    expect(uncompressed.counts.documents).toBe(1);
    expect((await client.search('warcmarker3')).results[0]).toMatchObject({ source: 'https://energy.example/plain' });
  });

  it('says in its handshake which jobs and search modes it offers', () => {
    expect(client.daemon.capabilities).toEqual(expect.arrayContaining(['jobs.start', 'jobs.watch', 'jobs:import:jsonl', 'jobs:import:wikipedia', 'jobs:import:warc', 'jobs:scrape', 'search:bm25']));
    expect(client.daemon.capabilities).not.toContain('search:vector');
  });

  it('refuses bad job requests with clear errors', async () => {
    await expectCode(client.startJob({ kind: 'import', format: 'jsonl', path: 'relative.jsonl' }), 'INVALID_REQUEST');
    await expectCode(client.request('jobs.start', { spec: { kind: 'import', format: 'csv', path: '/x' } } as never), 'INVALID_REQUEST');
    await expectCode(client.request('jobs.start', { spec: { kind: 'scrape', urls: ['file:///etc/passwd'] } } as never), 'INVALID_REQUEST');
    const missing = await expectCode(client.startJob({ kind: 'import', format: 'jsonl', path: path.join(t.dir, 'nope.jsonl') }), 'FILE_UNREADABLE');
    expect(missing.message).toContain('no such file');
    await expectCode(client.startJob({ kind: 'import', format: 'jsonl', path: t.dir }), 'FILE_UNREADABLE');
    await expectCode(client.job('nosuchjob'), 'JOB_NOT_FOUND');
    const [done] = await client.jobs({ state: 'done', limit: 1 });
    await expectCode(client.resumeJob(done!.id), 'JOB_STATE');
    await expectCode(client.cancelJob(done!.id), 'JOB_STATE');
    const refused = await expectCode(client.startJob({ kind: 'scrape', urls: ['http://127.0.0.1:9/'], depth: 0, max_pages: 1, same_host: true }), 'ADDRESS_NOT_ALLOWED');
    expect(refused.message).toContain('allow_private_addresses');
    await expectCode(client.startJob({ kind: 'scrape', urls: ['http://[::ffff:10.0.0.1]/'], depth: 0, max_pages: 1, same_host: true }), 'ADDRESS_NOT_ALLOWED');
    expect(await client.ping()).toBeTruthy();
  });

  it('lists jobs newest first and shows one, from the CLI', async () => {
    const list = await runCli(t, ['--json', 'jobs', 'list']);
    const { jobs } = JSON.parse(list.stdout) as { jobs: JobInfo[] };
    expect(jobs.length).toBeGreaterThanOrEqual(4);
    expect(jobs.map((j) => j.created_at)).toEqual([...jobs.map((j) => j.created_at)].sort().reverse());
    const show = await runCli(t, ['jobs', 'show', jobs.at(-1)!.id]);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/line 3: not JSON/);
    expect((await runCli(t, ['jobs', 'show', 'nosuchjob'])).stderr).toContain('JOB_NOT_FOUND');
    const done = jobs.filter((j) => j.state === 'done').length;
    expect((await client.status()).jobs).toMatchObject({ done, running: 0, queued: 0 });
    expect(await client.metrics()).toContain(`dindex_jobs{state="done"} ${done}`);
    expect((await runCli(t, ['daemon', 'status'])).stdout).toMatch(new RegExp(`jobs\\s+${done} done`));
  });

  it('a damaged file fails its job with a message that names it; the daemon goes on', async () => {
    const good = path.join(t.dir, 'good.xml.bz2');
    writeWikiDump(good, [{ title: 'Fine', text: 'fine text' }]);
    const damaged = path.join(t.dir, 'damaged.xml.bz2');
    const bytes = fs.readFileSync(good);
    fs.writeFileSync(damaged, Buffer.concat([bytes.subarray(0, 40), Buffer.alloc(200, 0x55)]));
    const job = await finish(client, await client.startJob({ kind: 'import', format: 'wikipedia', path: damaged }));
    expect(job.state).toBe('failed');
    expect(job.error).toContain(damaged);
    expect(job.resumable).toBe(true);
    const notWarc = path.join(t.dir, 'not.warc');
    fs.writeFileSync(notWarc, 'this is not a web archive\n');
    const warc = await finish(client, await client.startJob({ kind: 'import', format: 'warc', path: notWarc }));
    expect(warc.state).toBe('failed');
    expect(warc.error).toBeTruthy();
    expect(await client.ping()).toBeTruthy();
  });
});

describe('the import path rule on a shared socket', () => {
  it('reads only under import_roots, resolving symbolic links, and says nothing of other files', async () => {
    await withTestEnv(async (t) => {
      const root = path.join(t.dir, 'imports');
      const outside = path.join(t.dir, 'private');
      fs.mkdirSync(root);
      fs.mkdirSync(outside);
      writeJsonl(path.join(root, 'ok.jsonl'), 3);
      writeJsonl(path.join(outside, 'secret.jsonl'), 3);
      fs.symlinkSync(path.join(outside, 'secret.jsonl'), path.join(root, 'link.jsonl'));
      await withDaemon(t, ['--set', 'socket_mode=0660'], { DINDEX_JOBS_IMPORT_ROOTS: root }, async (client) => {
        const spec = (file: string) => ({ kind: 'import' as const, format: 'jsonl' as const, path: file });
        const ok = await finish(client, await client.startJob(spec(path.join(root, 'ok.jsonl'))));
        expect(ok.counts.documents).toBe(3);
        const refused = await expectCode(client.startJob(spec(path.join(outside, 'secret.jsonl'))), 'PATH_NOT_ALLOWED');
        expect(refused.message).toContain(root);
        await expectCode(client.startJob(spec(path.join(root, 'link.jsonl'))), 'PATH_NOT_ALLOWED');
        await expectCode(client.startJob(spec(path.join(root, '..', 'private', 'secret.jsonl'))), 'PATH_NOT_ALLOWED');
        // Whether a file outside the roots exists is not told.
        await expectCode(client.startJob(spec(path.join(outside, 'missing.jsonl'))), 'PATH_NOT_ALLOWED');
        await expectCode(client.startJob(spec(path.join(root, 'missing.jsonl'))), 'FILE_UNREADABLE');
      });
    });
  });
});

/** Fixtures big enough that a job is stopped half-way, for each format. */
const LARGE: Array<{ format: 'jsonl' | 'wikipedia' | 'warc'; file: string; write(file: string): void; documents: number }> = [
  { format: 'jsonl', file: 'big.jsonl', documents: 40_000, write: (file) => writeJsonl(file, 40_000, new Map(), 30) },
  {
    format: 'wikipedia', file: 'big.xml.bz2', documents: 6_000,
    write: (file) => writeWikiDump(file, (function* () {
      for (let i = 0; i < 6_000; i++) yield { title: `Page ${i}`, text: articleText(i, i % 2 ? 'volcanic rock' : 'tidal energy') };
    })()),
  },
  {
    format: 'warc', file: 'big.warc.gz', documents: 3_000,
    write: (file) => writeWarc(file, Array.from({ length: 3_000 }, (_, i) => ({
      type: 'response' as const, url: `https://site.example/page/${i}`,
      body: `<html><head><title>Page ${i}</title></head><body><nav>menu</nav><article><h1>Page ${i}</h1>${'<p>About tides and turbines, and the sea. '.repeat(30)}marker${i}</p></article></body></html>`,
    }))),
  },
];

describe('stopping and resuming import jobs', () => {
  let t: TestEnv;
  beforeAll(() => {
    t = makeTestEnv();
    for (const { file, write } of LARGE) write(path.join(t.dir, file));
  });
  afterAll(() => t.cleanup());

  /** The committed documents and the job's own count agree: the checkpoint commits with its batch. */
  async function expectConsistent(client: DaemonClient, job: JobInfo, expected?: number): Promise<void> {
    const stats = await client.stats();
    expect(job.counts.documents).toBe(stats.documents);
    if (expected !== undefined) expect(stats.documents).toBe(expected);
  }

  /** Resumed, the job indexes the rest: every document, none twice. */
  async function expectResumedToTheEnd(client: DaemonClient, id: string, documents: number): Promise<void> {
    const resumed = await finish(client, await client.resumeJob(id));
    expect(resumed.state).toBe('done');
    expect(resumed.counts).toMatchObject({ documents, skipped: 0 });
    await expectConsistent(client, resumed, documents);
  }

  it.each(LARGE)('$format: cancelled half-way, then resumed, imports every document once', async ({ format, file, documents }) => {
    const fixture = path.join(t.dir, file);
    await withDaemon(siblingEnv(t, `cancel-${format}`), ['--set', 'index.commit_interval_ms=20'], {}, async (client) => {
      const started = await client.startJob({ kind: 'import', format, path: fixture });
      // Searches keep answering while the import runs; one failing fails the test.
      let importing = true;
      let searches = 0;
      const searching = (async () => {
        while (importing) {
          await client.search('tides turbines volcanic');
          searches++;
        }
      })();
      // Cancel once: progress events already in flight still say 'running', and a second
      // cancel of the cancelled job is (rightly) refused with JOB_STATE.
      let cancelling: Promise<unknown> | undefined;
      await client.watchJob(started.id, (info) => {
        if (cancelling === undefined && info.counts.documents > 0 && info.state === 'running') {
          cancelling = client.cancelJob(started.id);
        }
      });
      expect(cancelling).toBeDefined();
      await cancelling;
      importing = false;
      await searching;
      expect(searches).toBeGreaterThan(0);
      const cancelled = await client.job(started.id);
      expect(cancelled.state).toBe('cancelled');
      expect(cancelled.resumable).toBe(true);
      expect(cancelled.counts.documents).toBeGreaterThan(0);
      expect(cancelled.counts.documents).toBeLessThan(documents);
      await expectConsistent(client, cancelled);
      await expectResumedToTheEnd(client, started.id, documents);
    });
  }, 120_000);

  it.each(LARGE)('$format: killed -9 half-way, then resumed, imports every document once', async ({ format, file, documents }) => {
    const env = siblingEnv(t, `kill-${format}`);
    const fixture = path.join(t.dir, file);
    const args = ['--set', 'index.commit_interval_ms=20'];
    const daemon = await spawnDaemon(env, args);
    const client = await DaemonClient.connect({ socket: env.socket });
    const started = await client.startJob({ kind: 'import', format, path: fixture });
    await waitFor(async () => (await client.job(started.id)).counts.documents > 0, 60_000, 'the first commit of the job');
    process.kill(daemon.pid, 'SIGKILL');
    await daemon.exited;
    client.close();

    await withDaemon(env, args, {}, async (restarted) => {
      const interrupted = await restarted.job(started.id);
      expect(interrupted.state).toBe('interrupted');
      expect(interrupted.resumable).toBe(true);
      expect(interrupted.counts.documents).toBeLessThan(documents);
      await expectConsistent(restarted, interrupted);
      await expectResumedToTheEnd(restarted, started.id, documents);
    });
    const report = inspectIndex(env.home);
    expect(report.sqlite).toBe('ok');
    expect(report.fts).toBe('ok');
    expect(report.countersAgree).toBe(true);
  }, 120_000);

  it('--detach prints the job id and returns; the CLI then watches and cancels it', async () => {
    const fixture = path.join(t.dir, 'big.jsonl');
    const env = siblingEnv(t, 'detach');
    await withDaemon(env, [], {}, async (client) => {
      const started = await runCli(env, ['import', fixture, '--format', 'jsonl', '--detach']);
      expect(started.code, started.stderr).toBe(0);
      const id = started.stdout.trim();
      expect(id).toMatch(/^[0-9a-f]{8}$/);
      expect(['queued', 'running']).toContain((await client.job(id)).state);
      await waitFor(async () => (await client.job(id)).counts.documents > 0, 60_000, 'the first commit of the job');
      const cancelled = await runCli(env, ['jobs', 'cancel', id]);
      expect(cancelled.code, cancelled.stderr).toBe(0);
      expect(cancelled.stdout).toMatch(new RegExp(`${id} cancelled: \\d+ documents.*jobs resume ${id}`));
      const watched = await runCli(env, ['--json', 'jobs', 'watch', id]);
      expect(watched.code).toBe(1);
      expect(JSON.parse(watched.stdout)).toMatchObject({ id, state: 'cancelled', resumable: true });
    });
  }, 120_000);

  it('Ctrl-C on an attached import cancels the job, and says how to resume it', async () => {
    const fixture = path.join(t.dir, 'big.jsonl');
    const env = siblingEnv(t, 'interrupt');
    await withDaemon(env, [], {}, async (client) => {
      const cli = spawn(process.execPath, [CLI, 'import', fixture, '--format', 'jsonl'], { env: env.env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      cli.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const exited = new Promise<number | null>((resolve) => cli.on('close', resolve));
      await waitFor(async () => (await client.jobs()).some((j) => j.counts.documents > 0), 60_000, 'the first commit of the job');
      cli.kill('SIGINT');
      expect(await exited).toBe(1);
      const [job] = await client.jobs();
      expect(job).toMatchObject({ state: 'cancelled', resumable: true });
      expect(stderr).toContain(`cancelling job ${job!.id}`);
      expect(stderr).toMatch(new RegExp(`job ${job!.id} cancelled in [\\d.]+ s: \\d+ documents`));
      expect(stderr).toContain(`dindex jobs resume ${job!.id}`);
    });
  }, 120_000);

  it('runs at most jobs.concurrency jobs at once; the others wait queued, and a queued job can be cancelled', async () => {
    const fixture = path.join(t.dir, 'big.jsonl');
    await withDaemon(siblingEnv(t, 'queue'), ['--set', 'jobs.concurrency=1'], {}, async (client) => {
      const spec = { kind: 'import' as const, format: 'jsonl' as const, path: fixture };
      const first = await client.startJob(spec);
      const second = await client.startJob(spec);
      const third = await client.startJob(spec);
      expect((await client.job(second.id)).state).toBe('queued');
      expect((await client.status()).jobs).toMatchObject({ running: 1, queued: 2 });
      const cancelled = await client.cancelJob(third.id);
      expect(cancelled).toMatchObject({ state: 'cancelled', started_at: null, counts: { documents: 0 } });
      const events: JobInfo[] = [];
      const firstDone = await client.watchJob(first.id, (info) => events.push(info));
      expect(firstDone.state).toBe('done');
      expect(events.length).toBeGreaterThan(0);
      expect(events.every((e) => e.id === first.id && e.state === 'running')).toBe(true);
      const currents = events.map((e) => e.progress.current);
      expect(currents).toEqual([...currents].sort((a, b) => a - b));
      const secondDone = await finish(client, second);
      expect(secondDone.state).toBe('done');
      expect(Date.parse(secondDone.started_at!)).toBeGreaterThanOrEqual(Date.parse(firstDone.finished_at!));
      // The same file again: everything unchanged.
      expect(secondDone.counts).toMatchObject({ documents: 0, skipped: 40_000 });
      expect((await client.job(third.id)).state).toBe('cancelled');
    });
  }, 120_000);

  it('a daemon stopped during a job leaves it interrupted; the CLI resumes and follows it', async () => {
    const env = siblingEnv(t, 'stop');
    const fixture = path.join(t.dir, 'big.jsonl');
    const daemon = await spawnDaemon(env);
    const client = await DaemonClient.connect({ socket: env.socket });
    const started = await client.startJob({ kind: 'import', format: 'jsonl', path: fixture });
    const watched = client.watchJob(started.id, () => {});
    await waitFor(async () => (await client.job(started.id)).counts.documents > 0, 60_000, 'the first commit of the job');
    expect(await stopDaemon(daemon)).toBe(0);
    // The watcher hears how the job ended before the daemon goes.
    expect((await watched).state).toBe('interrupted');
    client.close();

    await withDaemon(env, [], {}, async (restarted) => {
      expect((await restarted.job(started.id)).state).toBe('interrupted');
      const listed = await runCli(env, ['jobs']);
      expect(listed.stdout).toMatch(new RegExp(`${started.id}\\s+interrupted`));
      const resumed = await runCli(env, ['jobs', 'resume', started.id]);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stderr).toMatch(/done in/);
      expect((await restarted.stats()).documents).toBe(40_000);
    });
  }, 120_000);
});
