import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { excerpt, termMarker } from '../src/index/excerpt.js';
import { IndexTokenizer } from '../src/index/index-tokenizer.js';

const tokenizer = new IndexTokenizer(new Database(':memory:'));
const marking = (...terms: string[]) => termMarker(tokenizer, terms);

describe('excerpt', () => {
  it('shows the passage with the most query words, marked, cut at word boundaries', () => {
    const text = `${'filler words here. '.repeat(30)}The quick brown fox jumps over the lazy dog near the fox den. ${'more filler text. '.repeat(30)}`;
    const snippet = excerpt(text, marking('fox', 'den'));
    expect(snippet).toContain('**fox**');
    expect(snippet).toContain('**den**');
    expect(snippet.startsWith('…')).toBe(true);
    expect(snippet.endsWith('…')).toBe(true);
    expect(snippet.length).toBeLessThan(240);
  });

  it('falls back to the beginning when no query word occurs', () => {
    expect(excerpt('Short text about nothing in particular.', marking('zebra'))).toBe('Short text about nothing in particular.');
  });

  it('marks exactly the words filed under a term, never function words', () => {
    expect(excerpt('Retrieval of documents, and happy retrievers retrieving data on a date.', marking('retriev', 'happi', 'data', 'of')))
      .toBe('**Retrieval** of documents, and **happy** **retrievers** **retrieving** **data** on a date.');
    expect(excerpt('Un café à Zürich, cafés et Cafe.', marking('cafe', 'zurich'))).toBe('Un **café** à **Zürich**, **cafés** et **Cafe**.');
  });
});
