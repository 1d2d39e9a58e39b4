import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DaemonClient, type JobInfo } from '@dindex/client';
import { makeTestEnv, type TestEnv } from './helpers/env.js';
import { runCli, spawnDaemon, stopDaemon, withDaemon, type ForegroundDaemon } from './helpers/processes.js';

const page = (title: string, body: string, links: string[] = []): string =>
  `<html><head><title>${title}</title></head><body><nav>${links.map((l) => `<a href="${l}">${l}</a>`).join(' ')}</nav>
  <article><h1>${title}</h1><p>${body} ${'This paragraph gives the page enough text to count as an article. '.repeat(5)}</p></article></body></html>`;

/** A small site on loopback, with the traps a crawler meets; it records every request. */
function startSite(): Promise<{ server: http.Server; origin: string; requests: Array<{ path: string; at: number }>; content: Map<string, string> }> {
  const requests: Array<{ path: string; at: number }> = [];
  const content = new Map<string, string>([['/a', 'sitemarkera first version']]);
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    requests.push({ path: url, at: Date.now() });
    const html = (body: string): void => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(body);
    };
    switch (url.replace(/#.*$/, '')) {
      case '/robots.txt':
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('User-agent: *\nDisallow: /private\n\nUser-agent: otherbot\nDisallow: /\n');
        return;
      case '/':
        return html(page('Home', 'sitemarkerhome', ['/a', '/b#frag', '/loop', '/redirect', '/missing', '/huge', '/image.png', '/notes.txt',
          '/private/secret', '/deep1', 'http://other.invalid/elsewhere', 'mailto:someone@example.com', '/slow']));
      case '/a': return html(page('Page A', content.get('/a')!, ['/', '/b']));
      case '/b': return html(page('Page B', 'sitemarkerb', ['/a']));
      case '/loop': return html(page('Loop', 'sitemarkerloop', ['/', '/loop', '/a']));
      case '/redirect':
        res.writeHead(301, { location: '/c' });
        res.end();
        return;
      case '/c': return html(page('Page C', 'sitemarkerc'));
      case '/missing':
        res.writeHead(404, { 'content-type': 'text/html' });
        res.end(page('Not found', 'sitemarker404'));
        return;
      case '/huge':
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end(page('Huge', `sitemarkerhuge ${'x'.repeat(200_000)}`));
        return;
      case '/image.png':
        res.writeHead(200, { 'content-type': 'image/png' });
        res.end(Buffer.from('\x89PNG sitemarkerpng'));
        return;
      case '/notes.txt':
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('Plain notes, sitemarkertext.');
        return;
      case '/private/secret': return html(page('Secret', 'sitemarkersecret'));
      case '/deep1': return html(page('Deep 1', 'sitemarkerdeep1', ['/deep2']));
      case '/deep2': return html(page('Deep 2', 'sitemarkerdeep2', ['/deep3']));
      case '/slow':
        // Never answers: the fetch must time out.
        return;
      default:
        res.writeHead(404);
        res.end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    resolve({ server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, content });
  }));
}

describe('scrape jobs', () => {
  let t: TestEnv;
  let daemon: ForegroundDaemon;
  let client: DaemonClient;
  let site: Awaited<ReturnType<typeof startSite>>;
  const SCRAPE_ENV = {
    DINDEX_SCRAPE_ALLOW_PRIVATE_ADDRESSES: 'true', DINDEX_SCRAPE_HOST_DELAY_MS: '150',
    DINDEX_SCRAPE_MAX_BODY_BYTES: '65536', DINDEX_SCRAPE_TIMEOUT_MS: '1000',
  };

  beforeAll(async () => {
    site = await startSite();
    t = makeTestEnv();
    daemon = await spawnDaemon(t, [], SCRAPE_ENV);
    client = await DaemonClient.connect({ socket: t.socket });
  });
  afterAll(async () => {
    client.close();
    await stopDaemon(daemon);
    t.cleanup();
    site.server.closeAllConnections();
    site.server.close();
  });

  async function sources(): Promise<string[]> {
    const { results } = await client.search('paragraph gives page enough text article plain notes', { k: 100 });
    return [...new Set(results.map((r) => r.source))].sort();
  }

  it('crawls within depth, robots.txt, size and type limits, once per URL, politely', async () => {
    const result = await runCli(t, ['--json', 'scrape', `${site.origin}/`, '--depth', '2', '--max-pages', '50']);
    expect(result.code, result.stderr).toBe(0);
    const job = JSON.parse(result.stdout) as JobInfo;
    expect(job.state).toBe('done');
    const o = site.origin;
    expect(await sources()).toEqual([`${o}/`, `${o}/a`, `${o}/b`, `${o}/c`, `${o}/deep1`, `${o}/deep2`, `${o}/loop`, `${o}/notes.txt`].sort());
    expect(job.counts).toMatchObject({ documents: 8, skipped: 0 });

    const paths = site.requests.map((r) => r.path);
    // robots.txt once; the disallowed page never; every other URL at most once (fragments dropped).
    expect(paths.filter((p) => p === '/robots.txt')).toHaveLength(1);
    expect(paths).not.toContain('/private/secret');
    expect(paths).not.toContain('/deep3');
    for (const p of new Set(paths)) expect(paths.filter((x) => x === p), p).toHaveLength(1);

    const problems = new Map(job.problems.map((p) => [p.where.replace(o, ''), p.message]));
    expect(problems.get('/missing')).toBe('HTTP 404');
    expect(problems.get('/huge')).toMatch(/over the limit of 65536 bytes/);
    expect(problems.get('/image.png')).toMatch(/not HTML or text \(image\/png\)/);
    expect(problems.get('/private/secret')).toBe('disallowed by robots.txt');
    expect(problems.get('/slow')).toBe('timed out');
    // Links to other hosts are not followed (fetching other.invalid would have failed with an error).
    expect(job.problems.some((p) => p.where.includes('other.invalid'))).toBe(false);
    for (const absent of ['sitemarker404', 'sitemarkerhuge', 'sitemarkerpng', 'sitemarkersecret', 'sitemarkerdeep3']) {
      expect((await client.search(absent)).results, absent).toHaveLength(0);
    }
    expect((await client.search('sitemarkerc')).results[0]).toMatchObject({ source: `${o}/c`, title: 'Page C' });

    // One page request at a time to the host, host_delay_ms apart.
    const pages = site.requests.filter((r) => r.path !== '/robots.txt');
    for (let i = 1; i < pages.length; i++) expect(pages[i]!.at - pages[i - 1]!.at, `gap before ${pages[i]!.path}`).toBeGreaterThanOrEqual(140);
  }, 60_000);

  it('max pages bounds the crawl, and scraping again replaces changed pages', async () => {
    site.content.set('/a', 'sitemarkera second version');
    site.requests.length = 0;
    const job = await client.watchJob((await client.startJob({ kind: 'scrape', urls: [`${site.origin}/a`], depth: 5, max_pages: 2, same_host: true })).id, () => {});
    expect(job.state).toBe('done');
    // The changed page is indexed again, the unchanged one skipped; nothing beyond two pages.
    expect(job.counts).toMatchObject({ documents: 1, skipped: 1 });
    expect(site.requests.filter((r) => r.path !== '/robots.txt')).toHaveLength(2);
    const hits = (await client.search('sitemarkera')).results;
    expect(hits).toHaveLength(1);
    expect(hits[0]!.text).toContain('second version');
  }, 60_000);

  it('a scrape is refused when its start URL is on loopback and private addresses are not allowed', async () => {
    const local = makeTestEnv();
    await withDaemon(local, [], {}, async () => {
      const result = await runCli(local, ['scrape', `${site.origin}/`]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/refused to fetch from 127\.0\.0\.1: a loopback address.*ADDRESS_NOT_ALLOWED/);
      const named = await runCli(local, ['scrape', site.origin.replace('127.0.0.1', 'localhost') + '/']);
      expect(named.stderr).toMatch(/localhost \(127\.0\.0\.1\).*loopback/);
    }).finally(() => local.cleanup());
  }, 30_000);
});

describe('resuming a scrape', () => {
  it('killed -9 half-way, then resumed, the crawl goes on from its checkpoint and indexes every page once', async () => {
    const PAGES = 30;
    const server = http.createServer((req, res) => {
      const n = Number(/^\/p(\d+)$/.exec(req.url ?? '')?.[1] ?? -1);
      if (req.url === '/robots.txt' || n < 0 || n >= PAGES) {
        res.writeHead(404);
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(page(`Chain ${n}`, `chainmarker${n}`, [`/p${n + 1}`, `/p${n + 2}`, '/p0']));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const t = makeTestEnv();
    const env = { DINDEX_SCRAPE_ALLOW_PRIVATE_ADDRESSES: 'true', DINDEX_SCRAPE_HOST_DELAY_MS: '60' };
    const daemon = await spawnDaemon(t, [], env);
    const client = await DaemonClient.connect({ socket: t.socket });
    try {
      const job = await client.startJob({ kind: 'scrape', urls: [`${origin}/p0`], depth: PAGES, max_pages: 1000, same_host: true });
      await new Promise<void>((resolve) => {
        void client.watchJob(job.id, (info) => {
          if (info.counts.documents >= 8) resolve();
        }).then(() => resolve(), () => resolve());
      });
      process.kill(daemon.pid, 'SIGKILL');
      await daemon.exited;
      client.close();

      await withDaemon(t, [], env, async (restarted) => {
        const interrupted = await restarted.job(job.id);
        expect(interrupted.state).toBe('interrupted');
        expect(interrupted.counts.documents).toBeLessThan(PAGES);
        expect((await restarted.stats()).documents).toBe(interrupted.counts.documents);
        const done = await restarted.watchJob((await restarted.resumeJob(job.id)).id, () => {});
        expect(done.state).toBe('done');
        // The two links past the end of the chain are 404s.
        expect(done.counts).toMatchObject({ documents: PAGES, skipped: 0, errors: 2 });
        expect((await restarted.stats()).documents).toBe(PAGES);
      });
    } finally {
      t.cleanup();
      server.close();
    }
  }, 60_000);
});

describe('robots.txt crawl-delay', () => {
  it('spaces requests to a host by its crawl-delay when that is longer than host_delay_ms', async () => {
    const requests: Array<{ path: string; at: number }> = [];
    const server = http.createServer((req, res) => {
      requests.push({ path: req.url ?? '', at: Date.now() });
      if (req.url === '/robots.txt') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('User-agent: dindex\nCrawl-delay: 0.4\n');
        return;
      }
      const n = Number(req.url?.slice(2) ?? 0);
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(page(`Slow ${n}`, `slowmarker${n}`, n < 3 ? [`/s${n + 1}`] : []));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const t = makeTestEnv();
    await withDaemon(t, [], { DINDEX_SCRAPE_ALLOW_PRIVATE_ADDRESSES: 'true', DINDEX_SCRAPE_HOST_DELAY_MS: '0' }, async (client) => {
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const job = await client.watchJob((await client.startJob({ kind: 'scrape', urls: [`${origin}/s0`], depth: 5, max_pages: 10, same_host: true })).id, () => {});
      expect(job.counts.documents).toBe(4);
      const pages = requests.filter((r) => r.path !== '/robots.txt');
      expect(pages.map((r) => r.path)).toEqual(['/s0', '/s1', '/s2', '/s3']);
      for (let i = 1; i < pages.length; i++) expect(pages[i]!.at - pages[i - 1]!.at).toBeGreaterThanOrEqual(390);
    }).finally(() => {
      t.cleanup();
      server.close();
    });
  }, 30_000);
});

describe('scraping several hosts', () => {
  it('crawls different hosts at the same time, each at its own polite pace', async () => {
    const requests: Array<{ host: string; path: string; at: number }> = [];
    const site = async (): Promise<http.Server> => {
      const server = http.createServer((req, res) => {
        requests.push({ host: req.headers.host ?? '', path: req.url ?? '', at: Date.now() });
        const n = Number(/^\/h(\d)$/.exec(req.url ?? '')?.[1] ?? -1);
        if (n < 0) {
          res.writeHead(404);
          res.end();
          return;
        }
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end(page(`Host page ${n}`, `hostmarker${n}`, n < 3 ? [`/h${n + 1}`] : []));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return server;
    };
    const servers = [await site(), await site()];
    const origins = servers.map((s) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`);
    const t = makeTestEnv();
    await withDaemon(t, [], { DINDEX_SCRAPE_ALLOW_PRIVATE_ADDRESSES: 'true', DINDEX_SCRAPE_HOST_DELAY_MS: '300' }, async (client) => {
      const job = await client.watchJob((await client.startJob({ kind: 'scrape', urls: origins.map((o) => `${o}/h0`), depth: 5, max_pages: 20, same_host: true })).id, () => {});
      expect(job.counts.documents).toBe(8);
      const pages = requests.filter((r) => r.path !== '/robots.txt');
      const [a, b] = origins.map((o) => pages.filter((r) => `http://${r.host}` === o));
      // Each host at its own pace...
      for (const host of [a!, b!]) {
        expect(host.map((r) => r.path)).toEqual(['/h0', '/h1', '/h2', '/h3']);
        for (let i = 1; i < host.length; i++) expect(host[i]!.at - host[i - 1]!.at).toBeGreaterThanOrEqual(290);
      }
      // ...and the two at the same time: each host's crawl starts before the other's ends.
      expect(a![0]!.at).toBeLessThan(b!.at(-1)!.at);
      expect(b![0]!.at).toBeLessThan(a!.at(-1)!.at);
    }).finally(() => {
      t.cleanup();
      for (const s of servers) s.close();
    });
  }, 30_000);
});
