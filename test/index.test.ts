import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DaemonClient, type Document } from '@dindex/client';
import { runCli } from './helpers/processes.js';
import { sharedDaemon } from './helpers/shared-daemon.js';

const shared = sharedDaemon();

const doc = (id: string, text: string, extra: Partial<Document> = {}): Document => ({ id, source: `/docs/${id}.txt`, text, ...extra });
/** Distinct documents of the results (a long document may answer with several chunks). */
const ids = async (query: string, extra: object = {}): Promise<string[]> =>
  [...new Set((await shared.client.search(query, { k: 50, ...extra })).results.map((r) => r.doc_id))];

describe('indexing and search', () => {
  it('acknowledges a stream only when it is committed: a search right after sees everything', async () => {
    const docs = Array.from({ length: 300 }, (_, i) => doc(`bulk-${i}`, `Bulk document ${i} about quasar${i} and nebulae.`));
    const summary = await shared.client.index(docs, { batchDocuments: 37 });
    expect(summary).toMatchObject({ documents: 300, chunks: 300, skipped: 0 });
    expect(summary.commit_seq).toBeGreaterThan(0);
    for (const i of [0, 150, 299]) expect(await ids(`quasar${i}`)).toEqual([`bulk-${i}`]);
    expect((await shared.client.stats()).last_commit_seq).toBeGreaterThanOrEqual(summary.commit_seq);
  });

  it('replaces a document indexed again under its id, atomically', async () => {
    await shared.client.index([doc('replace-me', 'The original text mentions aardvarks.')]);
    expect(await ids('aardvarks')).toEqual(['replace-me']);
    const summary = await shared.client.index([doc('replace-me', 'The new text mentions armadillos instead.')]);
    expect(summary).toMatchObject({ documents: 1, skipped: 0 });
    expect(await ids('aardvarks')).toEqual([]);
    expect(await ids('armadillos')).toEqual(['replace-me']);
  });

  it('skips a document whose content is unchanged', async () => {
    const d = doc('same', 'Identical content about zeppelins.', { title: 'Zeppelins', metadata: { v: 1 } });
    await shared.client.index([d]);
    const before = await shared.client.stats();
    const again = await shared.client.index([d]);
    expect(again).toMatchObject({ documents: 0, skipped: 1, chunks: 0 });
    expect((await shared.client.stats()).chunks).toBe(before.chunks);
    // A metadata change is a change.
    expect(await shared.client.index([{ ...d, metadata: { v: 2 } }])).toMatchObject({ documents: 1, skipped: 0 });
  });

  it('keeps the last version when one stream holds the same id twice', async () => {
    await shared.client.index([doc('twice', 'first version with walruses'), doc('twice', 'second version with narwhals')]);
    expect(await ids('walruses')).toEqual([]);
    expect(await ids('narwhals')).toEqual(['twice']);
  });

  it('deletes a document with its chunks and index entries', async () => {
    await shared.client.index([doc('doomed', 'A long text about pangolins. '.repeat(200))]);
    const before = await shared.client.stats();
    expect(await ids('pangolins')).toEqual(['doomed']);
    const result = await shared.client.delete(['doomed', 'never-existed']);
    expect(result.deleted).toBe(1);
    expect(await ids('pangolins')).toEqual([]);
    const after = await shared.client.stats();
    expect(after.documents).toBe(before.documents - 1);
    expect(after.chunks).toBeLessThan(before.chunks - 1);
  });

  it('uses the source as id when none is given, so re-indexing a source replaces it', async () => {
    await shared.client.index([{ source: 'https://example.test/page', text: 'okapis live in forests' }]);
    await shared.client.index([{ source: 'https://example.test/page', text: 'okapis are related to giraffes' }]);
    const results = (await shared.client.search('okapis')).results;
    expect(results.map((r) => r.doc_id)).toEqual(['https://example.test/page']);
    expect(results[0]!.text).toContain('giraffes');
  });

  it('filters by source prefix and by metadata', async () => {
    await shared.client.index([
      { id: 'f1', source: '/notes/a.md', text: 'filterable flamingos', metadata: { lang: 'en', draft: false, n: 3 } },
      { id: 'f2', source: '/notes/b.md', text: 'filterable flamingos', metadata: { lang: 'de', draft: true } },
      { id: 'f3', source: '/mail/c.txt', text: 'filterable flamingos', metadata: { lang: 'en' } },
    ]);
    expect((await ids('flamingos')).sort()).toEqual(['f1', 'f2', 'f3']);
    expect((await ids('flamingos', { filter: { source_prefix: '/notes/' } })).sort()).toEqual(['f1', 'f2']);
    expect((await ids('flamingos', { filter: { metadata: { lang: 'en' } } })).sort()).toEqual(['f1', 'f3']);
    expect(await ids('flamingos', { filter: { metadata: { draft: true } } })).toEqual(['f2']);
    expect(await ids('flamingos', { filter: { metadata: { lang: 'en', n: 3 } } })).toEqual(['f1']);
  });

  it('returns snippets with the matched terms marked, and results in score order', async () => {
    await shared.client.index([
      doc('snip-1', 'Gravitational lensing bends light. Lensing reveals dark matter. Lensing lensing.'),
      doc('snip-2', 'Light travels fast, and sometimes gravitational effects matter.'),
    ]);
    const answer = await shared.client.search('gravitational lensing');
    expect(answer.results[0]!.doc_id).toBe('snip-1');
    expect(answer.results[0]!.snippet).toContain('**lensing**');
    expect(answer.results[0]!.snippet).toContain('**Gravitational**');
    const scores = answer.results.map((r) => r.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(answer.took_ms).toBeGreaterThan(0);
  });

  it('searches hostile query strings as plain text, never as FTS5 syntax', async () => {
    await shared.client.index([doc('hostile', 'The C++ operator "new" and NEAR-field (optics): x*y = z.')]);
    const queries = ['"', '""', '(', ')', 'optics)', '"unbalanced', 'NEAR(', 'a AND', 'OR', 'NOT x', '-optics', 'optics:', 'col:optics',
      '*', 'opt*', '^optics', 'x * y', '{optics}', '[optics]', "'optics'", 'C++', '\\', '\u0000', '🙂 optics', 'near/3'];
    for (const q of queries) {
      const answer = await shared.client.search(q);
      expect(Array.isArray(answer.results)).toBe(true);
    }
    expect(await ids('(optics')).toEqual(['hostile']);
    expect(await ids('"NEAR-field')).toEqual(['hostile']);
  });

  it('refuses vector and hybrid modes clearly while no embedder is configured', async () => {
    await expect(shared.client.search('x', { mode: 'vector' })).rejects.toMatchObject({ code: 'MODE_UNAVAILABLE' });
  });

  it('refuses documents for a stream the connection did not open', async () => {
    await expect(shared.client.request('index.docs', { stream: 'nope', documents: [doc('x', 'y')] })).rejects.toMatchObject({ code: 'UNKNOWN_STREAM' });
    await expect(shared.client.request('index.end', { stream: 'nope' })).rejects.toMatchObject({ code: 'UNKNOWN_STREAM' });
    const other = await DaemonClient.connect({ socket: shared.t.socket });
    const { stream } = await other.request('index.begin', {});
    await expect(shared.client.request('index.end', { stream })).rejects.toMatchObject({ code: 'UNKNOWN_STREAM' });
    other.close();
  });

  it('rejects malformed documents with the offending field', async () => {
    const { stream } = await shared.client.request('index.begin', {});
    await expect(shared.client.request('index.docs', { stream, documents: [{ source: '', text: 'x' }] })).rejects.toMatchObject({
      code: 'INVALID_REQUEST', details: { issues: [expect.objectContaining({ path: 'documents.0.source' })] },
    });
    await expect(shared.client.request('index.docs', { stream, documents: [{ source: 's', text: 5 as unknown as string }] })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
  });

  it('finds a title-only document by its title', async () => {
    await shared.client.index([{ id: 'titled', source: '/t', title: 'Chinchilla husbandry', text: '' }]);
    expect(await ids('chinchilla')).toEqual(['titled']);
  });

  it('commits on demand and reports the sequence', async () => {
    const before = (await shared.client.stats()).last_commit_seq;
    const { commit_seq } = await shared.client.commit();
    expect(commit_seq).toBeGreaterThanOrEqual(before);
  });
});

describe('dindex index / search / delete / stats (CLI)', () => {
  it('indexes a directory tree: text, Markdown and HTML; binary and hidden files skipped', async () => {
    const dir = path.join(shared.t.dir, 'tree');
    fs.mkdirSync(path.join(dir, 'sub', 'deeper'), { recursive: true });
    fs.mkdirSync(path.join(dir, '.git'));
    fs.writeFileSync(path.join(dir, 'a.txt'), 'Plain text about capybaras.');
    fs.writeFileSync(path.join(dir, 'sub', 'b.md'), '# Capybara care\n\nFeed them grass.\n\n## Bathing\n\nCapybaras love water.');
    fs.writeFileSync(path.join(dir, 'sub', 'deeper', 'c.html'),
      '<html><head><title>Capybara page</title><script>var capybaraScript = 1;</script></head><body><p>Capybaras are <b>rodents</b>.</p></body></html>');
    fs.writeFileSync(path.join(dir, 'image.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]));
    fs.writeFileSync(path.join(dir, 'latin1.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0xff]));
    fs.writeFileSync(path.join(dir, '.git', 'config'), 'capybara secrets');

    const result = await runCli(shared.t, ['--json', 'index', dir]);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as Record<string, number>;
    expect(summary).toMatchObject({ documents: 3, files: 5, binary_skipped: 2 });

    const search = await runCli(shared.t, ['--json', 'search', 'capybaras', '-k', '20']);
    const answer = JSON.parse(search.stdout) as { results: Array<{ source: string; title: string; heading: string | null; text: string }> };
    const sources = new Set(answer.results.map((r) => r.source));
    expect(sources).toEqual(new Set([path.join(dir, 'a.txt'), path.join(dir, 'sub', 'b.md'), path.join(dir, 'sub', 'deeper', 'c.html')]));
    const html = answer.results.find((r) => r.source.endsWith('c.html'))!;
    expect(html.title).toBe('Capybara page');
    expect(html.text).not.toContain('<b>');
    expect(answer.results.some((r) => r.heading === 'Capybara care › Bathing')).toBe(true);
    expect(JSON.stringify(answer)).not.toContain('capybaraScript');
  });

  it('prints readable results, and a second run skips unchanged files', async () => {
    const dir = path.join(shared.t.dir, 'tree2');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'x.txt'), 'Readable output about wombats.');
    expect((await runCli(shared.t, ['index', dir])).stderr).toMatch(/indexed 1 documents \(1 chunks\)/);
    expect((await runCli(shared.t, ['index', dir])).stderr).toMatch(/indexed 0 documents .*1 unchanged/);
    const out = await runCli(shared.t, ['search', 'wombats']);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(path.join(dir, 'x.txt'));
    expect(out.stdout).toContain('**wombats**');
    expect(out.stdout).toMatch(/1 result in [\d.]+ ms \(bm25\)/);
  });

  it('indexes stdin, deletes by id, and reports stats', async () => {
    const r = await runCli(shared.t, ['index', '-', '--source', 'clipboard'], {}, 'Pasted text about quokkas.');
    expect(r.code, r.stderr).toBe(0);
    expect((await runCli(shared.t, ['--json', 'search', 'quokkas'])).stdout).toContain('"doc_id": "clipboard"');
    const del = await runCli(shared.t, ['--json', 'delete', 'clipboard']);
    expect(JSON.parse(del.stdout)).toMatchObject({ deleted: 1 });
    expect(JSON.parse((await runCli(shared.t, ['--json', 'search', 'quokkas'])).stdout).results).toEqual([]);
    const stats = JSON.parse((await runCli(shared.t, ['--json', 'stats'])).stdout) as Record<string, number>;
    expect(stats).toMatchObject({ vectors: 0 });
    expect(stats.documents).toBeGreaterThan(0);
    expect((await runCli(shared.t, ['--json', 'commit'])).code).toBe(0);
  });

  it('says clearly when a path does not exist, and rejects bad options with exit code 2', async () => {
    const missing = await runCli(shared.t, ['index', path.join(shared.t.dir, 'nope')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no such file or directory/);
    expect((await runCli(shared.t, ['search', 'x', '-k', 'many'])).code).toBe(2);
    expect((await runCli(shared.t, ['search', 'x', '--mode', 'sideways'])).code).toBe(2);
  });
});
