import { beforeAll, describe, expect, it } from 'vitest';
import { sharedDaemon } from './helpers/shared-daemon.js';

const shared = sharedDaemon(['--set', 'search.max_scored_rows=100']);

beforeAll(async () => {
  const docs = Array.from({ length: 400 }, (_, i) => ({
    id: `p${i}`,
    source: `/p/${i}`,
    text: `Common words everywhere: the ubiquitous filler appears in document ${i}.${i % 100 === 7 ? ' A rare xylophone too.' : ''}`,
  }));
  await shared.client.index(docs);
});

describe('queries full of common words', () => {
  it('searches with the rare terms only, and scores the terms over the budget late', async () => {
    const answer = await shared.client.search('the ubiquitous xylophone', { k: 10 });
    expect(answer.pruned_terms.sort()).toEqual(['the', 'ubiquit']);
    expect(answer.results.map((r) => r.doc_id).sort()).toEqual(['p107', 'p207', 'p307', 'p7']);
    expect(answer.results[0]!.snippet).toContain('**xylophone**');
  });

  it('keeps the rarest term when every term is over the budget', async () => {
    const answer = await shared.client.search('the ubiquitous', { k: 5 });
    expect(answer.results).toHaveLength(5);
    expect(answer.pruned_terms).toHaveLength(1);
  });

  it('has FTS5 search and score every term with exact', async () => {
    const answer = await shared.client.search('the ubiquitous xylophone', { k: 10, exact: true });
    expect(answer.pruned_terms).toEqual([]);
    expect(answer.results.slice(0, 4).map((r) => r.doc_id).sort()).toEqual(['p107', 'p207', 'p307', 'p7']);
    expect(answer.results).toHaveLength(10);
  });

  it('sees the index grow: a term that was rare becomes common', async () => {
    expect((await shared.client.search('xylophone ubiquitous', { k: 10 })).pruned_terms).toEqual(['ubiquit']);
    await shared.client.index(Array.from({ length: 200 }, (_, i) => ({ id: `x${i}`, source: `/x/${i}`, text: `xylophone number ${i}` })));
    // "xylophone" now matches 204 chunks, over the budget too: one of the two is kept.
    const answer = await shared.client.search('xylophone ubiquitous', { k: 10 });
    expect(answer.pruned_terms).toHaveLength(1);
    expect(answer.results.some((r) => r.doc_id.startsWith('x'))).toBe(answer.pruned_terms[0] === 'ubiquit');
  });
});

describe('late-scored terms', () => {
  // Ten chunks hold the rare "quasar"; the other terms are in 120 to 150 chunks each, over the
  // budget left: a phrase ("alpha beta", typed as one word FTS5 splits), a word written with an
  // accent in some texts, one in titles (weighted twice), repeated a varying number of times.
  beforeAll(async () => {
    await shared.client.index(Array.from({ length: 200 }, (_, i) => ({
      id: `s${i}`,
      source: `/s/${i}`,
      title: i < 5 ? 'Nebula notes' : `Sky ${i}`,
      text: [
        i < 10 ? 'quasar' : '',
        i < 150 ? 'nebula '.repeat(1 + (i % 3)) : '',
        i >= 8 && i < 130 ? 'galaxy' : '',
        i < 150 && i % 4 !== 1 ? 'alpha beta' : '',
        i < 150 && i % 5 !== 1 ? 'Café au lait.' : '',
        'filler '.repeat(i % 7),
      ].join(' '),
    })));
  });

  it('get the scores FTS5 gives when it scores every term', async () => {
    const query = 'quasar nebula galaxy alpha\u093Ebeta cafe';
    const answer = await shared.client.search(query, { k: 10 });
    expect(answer.pruned_terms.sort()).toEqual(['alpha beta', 'cafe', 'galaxi', 'nebula']);
    expect(answer.results.map((r) => r.doc_id).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `s${i}`).sort());
    const exact = await shared.client.search(query, { k: 1000, exact: true });
    const exactScore = new Map(exact.results.map((r) => [r.chunk_id, r.score]));
    for (const r of answer.results) expect(r.score).toBeCloseTo(exactScore.get(r.chunk_id)!, 5);
    // The late terms decide the order: without them the ten would tie on "quasar" alone.
    expect(new Set(answer.results.map((r) => r.score)).size).toBeGreaterThan(5);
    expect(answer.results.map((r) => r.doc_id)).toEqual(exact.results.filter((r) => answer.results.some((a) => a.chunk_id === r.chunk_id)).map((r) => r.doc_id));
  });

  it('counts a late term written in capitals, as FTS5 does', async () => {
    // Terms of one word each in ASCII text: the counter's fast path, which finds words by regex.
    await shared.client.index(Array.from({ length: 150 }, (_, i) => ({
      id: `z${i}`,
      source: `/z/${i}`,
      text: `${i < 8 ? 'okapi' : ''} ${['Zebra', 'ZEBRAS', 'zebra'].slice(0, 1 + (i % 3)).join(' ')} ${'herd '.repeat(i % 5)}`,
    })));
    const answer = await shared.client.search('okapi zebras', { k: 8 });
    expect(answer.pruned_terms).toEqual(['zebra']);
    const exact = await shared.client.search('okapi zebras', { k: 1000, exact: true });
    const exactScore = new Map(exact.results.map((r) => [r.chunk_id, r.score]));
    for (const r of answer.results) expect(r.score).toBeCloseTo(exactScore.get(r.chunk_id)!, 5);
    expect(answer.results.map((r) => r.doc_id)).toEqual(exact.results.slice(0, 8).map((r) => r.doc_id));
  });
});
