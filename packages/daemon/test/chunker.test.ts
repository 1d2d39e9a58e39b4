import { describe, expect, it } from 'vitest';
import { chunkText } from '../src/index/chunker.js';

const opts = { size: 200, overlap: 40 };

function expectWithinSize(chunks: Array<{ text: string }>, size: number): void {
  for (const c of chunks) expect(c.text.length).toBeLessThanOrEqual(size);
}

describe('chunkText', () => {
  it('gives no chunks for empty or blank text', () => {
    expect(chunkText('', opts)).toEqual([]);
    expect(chunkText(' \n\n\t \n', opts)).toEqual([]);
  });

  it('keeps a short text whole', () => {
    expect(chunkText('One sentence. Two sentences.', opts)).toEqual([{ text: 'One sentence. Two sentences.', heading: null }]);
  });

  it('ends chunks at sentence boundaries and overlaps by whole sentences', () => {
    const sentences = Array.from({ length: 20 }, (_, i) => `Sentence number ${i} says something short.`);
    const chunks = chunkText(sentences.join(' '), opts);
    expect(chunks.length).toBeGreaterThan(3);
    expectWithinSize(chunks, opts.size);
    for (const c of chunks) expect(c.text).toMatch(/^Sentence number \d+ .*\.$/);
    // The last sentence of one chunk opens the next one.
    for (let i = 1; i < chunks.length; i++) {
      const previousLast = chunks[i - 1]!.text.split(/(?<=\.) /).at(-1)!;
      expect(chunks[i]!.text.startsWith(previousLast)).toBe(true);
    }
    // Nothing is lost: every sentence appears in some chunk.
    for (const s of sentences) expect(chunks.some((c) => c.text.includes(s))).toBe(true);
  });

  it('ends sentences after closing quotes and brackets, and only where space follows', () => {
    // Each sentence alone fits in 20 characters, two together do not.
    const text = 'He said "stop." Then (he left.) Cost: 3.50 each?! e.g.\tthis one.  \n Last one…';
    expect(chunkText(text, { size: 20, overlap: 0 }).map((c) => c.text)).toEqual([
      'He said "stop."', 'Then (he left.)', 'Cost: 3.50 each?!', 'e.g. this one.', 'Last one…',
    ]);
  });

  it('reads Windows line endings like Unix ones', () => {
    const md = '# Guide\n\nIntro text.\n\n## Install\n\nRun the installer.\nThen reboot.';
    expect(chunkText(md.replaceAll('\n', '\r\n'), opts)).toEqual(chunkText(md, opts));
    expect(chunkText(md.replaceAll('\n', '\r\n'), opts).map((c) => c.heading)).toEqual(['Guide', 'Guide › Install']);
  });

  it('follows Markdown headings and records the heading path', () => {
    const md = '# Guide\n\nIntro text.\n\n## Install\n\nRun the installer.\n\n### From source\n\nBuild it.\n\n## Use\n\nCall it.';
    expect(chunkText(md, opts)).toEqual([
      { text: 'Intro text.', heading: 'Guide' },
      { text: 'Run the installer.', heading: 'Guide › Install' },
      { text: 'Build it.', heading: 'Guide › Install › From source' },
      { text: 'Call it.', heading: 'Guide › Use' },
    ]);
  });

  it('does not take a # line inside a code fence for a heading', () => {
    const md = '# Title\n\n```sh\n# not a heading\necho hi\n```';
    const chunks = chunkText(md, opts);
    expect(chunks.every((c) => c.heading === 'Title')).toBe(true);
    expect(chunks[0]!.text).toContain('# not a heading');
  });

  it('splits text with no punctuation at word boundaries', () => {
    const words = Array.from({ length: 500 }, (_, i) => `word${i}`).join(' ');
    const chunks = chunkText(words, opts);
    expectWithinSize(chunks, opts.size);
    for (const c of chunks) expect(c.text).toMatch(/^word\d+( word\d+)*$/);
    expect(chunks.map((c) => c.text).join(' ')).toContain('word499');
  });

  it('cuts one enormous line without spaces into pieces of at most the size', () => {
    const line = 'x'.repeat(10_000);
    const chunks = chunkText(line, opts);
    expectWithinSize(chunks, opts.size);
    expect(chunks.reduce((n, c) => n + c.text.length, 0)).toBeGreaterThanOrEqual(10_000);
  });

  it('handles CJK text, with and without punctuation, without splitting surrogate pairs', () => {
    const cjk = '日本語の文章です。これは二つ目の文です。'.repeat(30);
    const chunks = chunkText(cjk, opts);
    expect(chunks.length).toBeGreaterThan(1);
    expectWithinSize(chunks, opts.size);
    expect(chunks[0]!.text.endsWith('。')).toBe(true);

    const emoji = '𠀋'.repeat(500); // astral characters, two UTF-16 units each
    for (const c of chunkText(emoji, opts)) {
      expect(c.text.length).toBeLessThanOrEqual(opts.size);
      expect(c.text).not.toMatch(/[\ud800-\udbff]$/);
      expect(c.text).not.toMatch(/^[\udc00-\udfff]/);
    }
  });

  it('never loses text: every word of a long mixed document is in some chunk', () => {
    const text = Array.from({ length: 50 }, (_, i) => `Paragraph ${i}. ${'lorem ipsum '.repeat(i % 7)}end${i}!`).join('\n\n');
    const joined = chunkText(text, { size: 120, overlap: 30 }).map((c) => c.text).join(' ');
    for (let i = 0; i < 50; i++) expect(joined).toContain(`end${i}!`);
  });
});
