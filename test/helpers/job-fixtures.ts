import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import zlib from 'node:zlib';

/** A JSONL import of `count` documents `d0`…, with the given lines (1-based) replaced by broken ones. */
export function writeJsonl(file: string, count: number, broken: Map<number, string> = new Map(), words = 12): void {
  const out = fs.openSync(file, 'w');
  let line = 0;
  for (let i = 0; i < count; i++) {
    line++;
    while (broken.has(line)) {
      fs.writeSync(out, `${broken.get(line)}\n`);
      line++;
    }
    const text = `Record ${i} tells of ${TOPICS[i % TOPICS.length]} ${'and more words '.repeat(words)}marker${i}`;
    fs.writeSync(out, `${JSON.stringify({ id: `d${i}`, title: `Record ${i}`, text, metadata: { n: i } })}\n`);
  }
  fs.closeSync(out);
}

const TOPICS = ['volcanic eruptions', 'orbital mechanics', 'sourdough bread', 'migratory birds', 'tidal energy'];

export interface WikiPage {
  title: string;
  ns?: number;
  redirect?: string;
  text: string;
}

const escapeXml = (s: string): string => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/** A MediaWiki XML export (the dump format), bzip2-compressed when the name ends in .bz2. */
export function writeWikiDump(file: string, pages: Iterable<WikiPage>): void {
  const xml = file.endsWith('.bz2') ? `${file}.xml` : file;
  const out = fs.openSync(xml, 'w');
  fs.writeSync(out, `<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/" version="0.11" xml:lang="en">
  <siteinfo>
    <sitename>Testwiki</sitename>
    <base>https://test.wikipedia.example/wiki/Main_Page</base>
  </siteinfo>
`);
  let id = 0;
  for (const page of pages) {
    id++;
    fs.writeSync(out, `  <page>
    <title>${escapeXml(page.title)}</title>
    <ns>${page.ns ?? 0}</ns>
    <id>${id}</id>
${page.redirect ? `    <redirect title="${escapeXml(page.redirect)}" />\n` : ''}    <revision>
      <id>${id * 10}</id>
      <timestamp>2024-01-01T00:00:00Z</timestamp>
      <model>wikitext</model>
      <format>text/x-wiki</format>
      <text bytes="${page.text.length}" xml:space="preserve">${escapeXml(page.text)}</text>
    </revision>
  </page>
`);
  }
  fs.writeSync(out, '</mediawiki>\n');
  fs.closeSync(out);
  if (xml !== file) {
    execFileSync('bzip2', ['-c', xml], { stdio: ['ignore', fs.openSync(file, 'w'), 'inherit'] });
    fs.rmSync(xml);
  }
}

/** An article in wikitext with the markup an import must remove. */
export function articleText(i: number, topic: string): string {
  return `{{Infobox thing|name=Thing ${i}|colour=blue}}
'''Article ${i}''' is about [[${topic}|${topic}]] and marker${i}.<ref>{{cite web|url=http://example.com|title=Source}}</ref> It has '''bold''' and ''italic'' text.

== History ==
The history of ${topic} is long.<ref name="a">A reference</ref>
{| class="wikitable"
|-
! Header !! Other
|-
| tablecell${i} || value
|}

=== Details ===
More about [[Special:Thing|details]] of ${topic}. [[File:Picture.jpg|thumb|A caption]]

== References ==
{{reflist}}
`;
}

export interface WarcRecord {
  type: 'warcinfo' | 'request' | 'response' | 'revisit';
  url?: string;
  status?: number;
  contentType?: string;
  body?: string;
}

/** A WARC file; `.warc.gz` compresses each record as its own gzip member, as crawlers write them. */
export function writeWarc(file: string, records: WarcRecord[]): void {
  const gzip = file.endsWith('.gz');
  const parts = records.map((record, i) => {
    let block: Buffer;
    let contentType: string;
    if (record.type === 'response' || record.type === 'revisit') {
      const body = Buffer.from(record.body ?? '');
      const head = `HTTP/1.1 ${record.status ?? 200} OK\r\nContent-Type: ${record.contentType ?? 'text/html'}\r\nContent-Length: ${body.length}\r\n\r\n`;
      block = Buffer.concat([Buffer.from(head), body]);
      contentType = 'application/http; msgtype=response';
    } else if (record.type === 'request') {
      block = Buffer.from(`GET / HTTP/1.1\r\nHost: example\r\n\r\n`);
      contentType = 'application/http; msgtype=request';
    } else {
      block = Buffer.from('software: dindex tests\r\n');
      contentType = 'application/warc-fields';
    }
    const headers = [
      'WARC/1.1',
      `WARC-Type: ${record.type}`,
      `WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-${String(i).padStart(12, '0')}>`,
      'WARC-Date: 2024-05-01T12:00:00Z',
      ...(record.url ? [`WARC-Target-URI: ${record.url}`] : []),
      `Content-Type: ${contentType}`,
      `Content-Length: ${block.length}`,
    ].join('\r\n');
    const raw = Buffer.concat([Buffer.from(`${headers}\r\n\r\n`), block, Buffer.from('\r\n\r\n')]);
    return gzip ? zlib.gzipSync(raw) : raw;
  });
  fs.writeFileSync(file, Buffer.concat(parts));
}
