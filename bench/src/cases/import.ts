import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DaemonClient, type JobInfo } from '@dindex/client';
import { wikipediaSource, type SourceContext } from '@dindex/daemon';
import { startBenchDaemon } from '../lib/daemon.js';
import { loadCollections, type Collection } from '../lib/datasets.js';
import { ratio, round } from '../lib/stats.js';

const TARGET_BYTES = 110 * 1024 * 1024;
const MiB = 1024 * 1024;

/**
 * Import of a generated MediaWiki dump (> 100 MB of XML, the collections' documents dressed as
 * articles with infoboxes, references, links, tables and sections), plain and bzip2: the
 * daemon's import rate against the rate of only parsing the same dump (stream, XML, wikitext
 * to text) in this process, and the daemon's peak memory (VmHWM) against its memory before.
 */
export async function importDump(): Promise<Record<string, unknown>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dxi-'));
  try {
    const xml = path.join(dir, 'dump.xml');
    const pages = writeDump(xml, loadCollections());
    execFileSync('bzip2', ['-k', '-1', xml]);
    const results: Record<string, unknown> = { pages, xml_mib: round(fs.statSync(xml).size / MiB, 1), bz2_mib: round(fs.statSync(`${xml}.bz2`).size / MiB, 1) };
    for (const [name, file] of [['plain', xml], ['bz2', `${xml}.bz2`]] as const) {
      const parse = await parseOnly(file);
      const imported = await importWithDaemon(file);
      results[name] = {
        parse_only: { seconds: round(parse.seconds, 1), pages_per_s: Math.round(parse.documents / parse.seconds), mib_per_s: round(fs.statSync(xml).size / MiB / parse.seconds, 1) },
        import: {
          seconds: round(imported.seconds, 1), documents: imported.job.counts.documents, chunks: imported.job.counts.chunks,
          pages_per_s: Math.round(imported.job.counts.documents / imported.seconds), mib_per_s: round(fs.statSync(xml).size / MiB / imported.seconds, 1),
          rss_before_mib: imported.rssBeforeMiB, peak_rss_mib: imported.peakMiB, rss_by_progress_mib: imported.rssByProgress,
        },
        ratio_import_to_parse: ratio(parse.seconds, imported.seconds),
      };
    }
    return results;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes the dump; returns how many articles it holds. */
function writeDump(file: string, collections: Collection[]): number {
  const out = fs.openSync(file, 'w');
  const esc = (s: string): string => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
  fs.writeSync(out, '<mediawiki xml:lang="en">\n  <siteinfo>\n    <sitename>Benchwiki</sitename>\n    <base>https://bench.wiki.example/wiki/Main_Page</base>\n  </siteinfo>\n');
  let written = 0;
  let pages = 0;
  for (let copy = 0; written < TARGET_BYTES; copy++) {
    for (const c of collections) {
      for (const d of c.docs) {
        const sentences = d.text.split(/(?<=\.)\s+/);
        const half = Math.ceil(sentences.length / 2);
        const wikitext = `{{Infobox publication|collection=${c.name}|id=${d.id}|copy=${copy}}}
'''${d.title.replaceAll('\n', ' ')}''' is a [[${c.name}]] document.<ref>{{cite journal|title=${c.name} ${d.id}|year=19${copy % 100}}}</ref>

== Abstract ==
${sentences.slice(0, half).join(' ')}

=== Details ===
${sentences.slice(half).join(' ')} See [[Information retrieval|retrieval]].
{| class="wikitable"
! Field !! Value
|-
| collection || ${c.name}
|}

== References ==
{{reflist}}
[[Category:${c.name}]]
`;
        const page = `  <page>\n    <title>${esc(`${d.title.slice(0, 80).replaceAll('\n', ' ')} (${c.name} ${d.id}/${copy})`)}</title>\n    <ns>0</ns>\n    <id>${++pages}</id>\n    <revision>\n      <text xml:space="preserve">${esc(wikitext)}</text>\n    </revision>\n  </page>\n`;
        written += fs.writeSync(out, page);
      }
    }
  }
  fs.writeSync(out, '</mediawiki>\n');
  fs.closeSync(out);
  return pages;
}

async function parseOnly(file: string): Promise<{ seconds: number; documents: number }> {
  const context: SourceContext = {
    signal: new AbortController().signal, checkpoint: null,
    progress: () => {}, error: () => {}, reject: () => {},
  };
  const started = performance.now();
  let documents = 0;
  for await (const item of wikipediaSource(file)(context)) if (item.document) documents++;
  return { seconds: (performance.now() - started) / 1000, documents };
}

async function importWithDaemon(file: string): Promise<{ seconds: number; job: JobInfo; rssBeforeMiB: number; peakMiB: number; rssByProgress: number[] }> {
  const daemon = await startBenchDaemon();
  const client = await DaemonClient.connect({ socket: daemon.socket, timeoutMs: 0 });
  try {
    const rss = (): number => round(Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${daemon.child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024, 0);
    const rssBeforeMiB = rss();
    const rssByProgress: number[] = [];
    const started = performance.now();
    const job = await client.watchJob((await client.startJob({ kind: 'import', format: 'wikipedia', path: file })).id, (info) => {
      // Resident memory at each quarter of the file: flat memory shows as flat numbers.
      const quarter = info.progress.total ? Math.floor((info.progress.current / info.progress.total) * 4) : 0;
      if (quarter > rssByProgress.length && quarter <= 4) rssByProgress.push(rss());
    });
    const seconds = (performance.now() - started) / 1000;
    const peakMiB = round(Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${daemon.child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024, 0);
    if (job.state !== 'done') throw new Error(`the import ended ${job.state}: ${job.error}`);
    return { seconds, job, rssBeforeMiB, peakMiB, rssByProgress };
  } finally {
    client.close();
    await daemon.stop();
  }
}
