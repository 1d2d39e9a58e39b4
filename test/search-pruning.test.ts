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
  it('leaves out terms matching more chunks than the budget, keeping the rare ones', async () => {
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

  it('scores every term with exact', async () => {
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
