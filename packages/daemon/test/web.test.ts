import { describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ScrapeConfigSchema } from '../src/config/schema.js';
import { guardedLookup, isPublicAddress } from '../src/jobs/web/address-guard.js';
import { FetchError, PageFetcher } from '../src/jobs/web/fetcher.js';
import { classifyContentType } from '../src/jobs/web/content-type.js';
import { readHtml } from '../src/jobs/web/html-text.js';
import { normalizeUrl } from '../src/jobs/web/url.js';
import { wikitextToText } from '../src/jobs/sources/wikitext.js';

describe('the scraper address guard', () => {
  it.each([
    '127.0.0.1', '127.8.9.10', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '0.0.0.0', '100.64.0.1',
    '224.0.0.1', '255.255.255.255', '::1', '::', 'fe80::1', 'fc00::1', 'fd12:3456::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1',
    '2002:7f00:1::1', 'not an address',
  ])('refuses %s', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each(['8.8.8.8', '93.184.216.34', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('allows %s', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });
});

describe('the fetcher behind the guard', () => {
  it('refuses names that resolve to loopback at connection time, and literal addresses before it', async () => {
    const lookup = guardedLookup(false);
    const refused = await new Promise<Error | null>((resolve) => lookup('localhost', {}, (err) => resolve(err)));
    expect(refused?.message).toMatch(/localhost \((127\.0\.0\.1|::1)\).*allow_private_addresses/);

    const server = http.createServer((_req, res) => res.end('reached'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const strict = new PageFetcher(ScrapeConfigSchema.parse({}));
      for (const url of [`http://127.0.0.1:${port}/`, `http://localhost:${port}/`]) {
        const err = await strict.fetch(url, AbortSignal.timeout(5000), async () => null).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(FetchError);
        expect((err as FetchError).rejected).toBe(true);
      }
      await strict.close();
      const open = new PageFetcher(ScrapeConfigSchema.parse({ allow_private_addresses: true }));
      const page = await open.fetch(`http://localhost:${port}/`, AbortSignal.timeout(5000), async () => null);
      expect(page.body.toString()).toBe('reached');
      await open.close();
    } finally {
      server.close();
    }
  });
});

describe('URL normalisation', () => {
  it('keeps http(s) only, drops fragments and credentials, resolves relative links', () => {
    expect(normalizeUrl('HTTP://Example.COM:80/a/../b?x=1#frag')).toBe('http://example.com/b?x=1');
    expect(normalizeUrl('https://user:pw@example.com:443')).toBe('https://example.com/');
    expect(normalizeUrl('../c', 'https://example.com/a/b/')).toBe('https://example.com/a/c');
    expect(normalizeUrl('mailto:a@b.c')).toBeNull();
    expect(normalizeUrl('javascript:alert(1)')).toBeNull();
    expect(normalizeUrl('ftp://example.com/')).toBeNull();
    expect(normalizeUrl('http://')).toBeNull();
  });
});

describe('content types', () => {
  it('reads HTML and text only', () => {
    expect(classifyContentType('text/html; charset=UTF-8')).toBe('html');
    expect(classifyContentType('application/xhtml+xml')).toBe('html');
    expect(classifyContentType('TEXT/PLAIN')).toBe('text');
    expect(classifyContentType('application/pdf')).toBeNull();
    expect(classifyContentType(null)).toBeNull();
  });
});

describe('HTML to text', () => {
  it('keeps the main content with its headings, drops navigation, and collects absolute links', () => {
    const html = `<html><head><title>T</title><base href="https://example.com/docs/"></head><body>
      <nav><a href="intro">Intro</a> navword</nav>
      <main><h1>Guide</h1><p>${'The guide explains everything in detail. '.repeat(12)}</p><h2>Setup</h2><p>${'Install it first. '.repeat(12)}</p>
      <a href="/abs">abs</a> <a href="mailto:x@y.z">mail</a> <a href="https://other.example/x#y">other</a></main><footer>footword</footer></body></html>`;
    const page = readHtml(html, 'https://example.com/docs/page');
    expect(page.title).toBe('T');
    expect(page.text).toMatch(/## Setup\n\nInstall it first/);
    expect(page.text).not.toMatch(/navword|footword/);
    expect(page.links).toEqual(['https://example.com/docs/intro', 'https://example.com/abs', 'https://other.example/x#y']);
  });
});

describe('wikitext to text', () => {
  it('removes templates, references, tables, files and markup, and keeps sections as headings', () => {
    const text = wikitextToText(`{{Infobox x|a=1}}'''Lead''' with [[link|shown]] text.<ref>cite</ref>
== Part ==
Body {{lang|fr|mot}} here.
{| class="wikitable"
| cell
|}
=== Sub ===
[[File:X.png|thumb|cap]] Deeper.
== See also ==
`);
    expect(text).toBe('Lead with shown text.\n\n## Part\n\nBody mot here.\n\n### Sub\n\nDeeper.');
  });
});
