import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { IndexTokenizer } from '../src/index/index-tokenizer.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The terms FTS5 itself stores for each text, with the index's tokenizer. */
function fts5Terms(texts: string[]): string[][] {
  const db = new Database(':memory:');
  db.exec(`CREATE VIRTUAL TABLE t USING fts5 (x, tokenize = 'porter unicode61 remove_diacritics 2');
    CREATE VIRTUAL TABLE v USING fts5vocab (t, instance);`);
  const insert = db.prepare('INSERT INTO t (rowid, x) VALUES (?, ?)');
  db.transaction(() => texts.forEach((text, i) => insert.run(i, text)))();
  const terms: string[][] = texts.map(() => []);
  for (const row of db.prepare('SELECT term, doc FROM v ORDER BY doc, offset').all() as Array<{ term: string; doc: number }>) terms[row.doc]!.push(row.term);
  db.close();
  return terms;
}

const HARD = [
  'Retrieving retrieval RETRIEVED', 'happiness happy', 'relational conditional rational', 'sensibility mobility',
  'café naïve Ångström façade Œuvre', 'µs ſtate ΣΟΦΊΑ σοφίας', 'Straße', '東京都の天気は晴れ', 'Привет мир, приветствие',
  'x1 42 3.14 2nd', 'snake_case kebab-case dot.separated', 'e\u0301te\u0301 (combining accents)', 'ab', 'a'.repeat(70),
  'éééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé', 'ﬁne ligature', 'don\'t it\'s', '',
];

describe('the index tokenizer', () => {
  it('gives the terms FTS5 stores, for every word of the repository docs and for hard input', () => {
    const docs = ['README.md', 'docs/protocol.md', 'docs/errors.md'].map((f) => fs.readFileSync(path.join(ROOT, f), 'utf8'));
    const words = [...new Set(docs.join('\n').match(/\S+/g) ?? [])];
    const texts = [...words, ...HARD];
    const expected = fts5Terms(texts);
    const tokenizer = new IndexTokenizer(new Database(':memory:'));
    const differing = texts.filter((text, i) => tokenizer.terms(text).join(' ') !== expected[i]!.join(' '));
    expect(words.length).toBeGreaterThan(1500);
    expect(differing).toEqual([]);
  });

  it('finds a Porter stem less its last letter at the start of each word it stems from', () => {
    const tokenizer = new IndexTokenizer(new Database(':memory:'));
    const words = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8').toLowerCase().match(/[a-z0-9]+/g) ?? [];
    expect(words.filter((w) => !w.startsWith(tokenizer.asciiTerm(w).slice(0, -1)))).toEqual([]);
  });
});
