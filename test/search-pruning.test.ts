import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DaemonClient } from '@dindex/client';
import { makeTestEnv, type TestEnv } from './helpers/env.js';
import { spawnDaemon, type ForegroundDaemon } from './helpers/processes.js';

let t: TestEnv;
let daemon: ForegroundDaemon;
let client: DaemonClient;

beforeAll(async () => {
  t = makeTestEnv();
  daemon = await spawnDaemon(t, ['--set', 'search.max_scored_rows=100']);
  client = await DaemonClient.connect({ socket: t.socket });
  const docs = Array.from({ length: 400 }, (_, i) => ({
    id: `p${i}`,
    source: `/p/${i}`,
    text: `Common words everywhere: the ubiquitous filler appears in document ${i}.${i % 100 === 7 ? ' A rare xylophone too.' : ''}`,
  }));
  await client.index(docs);
});
afterAll(async () => {
  client.close();
  daemon.child.kill('SIGTERM');
  await daemon.exited;
  t.cleanup();
});

describe('queries full of common words', () => {
  it('leaves out terms matching more chunks than the budget, keeping the rare ones', async () => {
    const answer = await client.search('the ubiquitous xylophone', { k: 10 });
    expect(answer.pruned_terms.sort()).toEqual(['the', 'ubiquit']);
    expect(answer.results.map((r) => r.doc_id).sort()).toEqual(['p107', 'p207', 'p307', 'p7']);
    expect(answer.results[0]!.snippet).toContain('**xylophone**');
  });

  it('keeps the rarest term when every term is over the budget', async () => {
    const answer = await client.search('the ubiquitous', { k: 5 });
    expect(answer.results).toHaveLength(5);
    expect(answer.pruned_terms).toHaveLength(1);
  });

  it('scores every term with exact', async () => {
    const answer = await client.search('the ubiquitous xylophone', { k: 10, exact: true });
    expect(answer.pruned_terms).toEqual([]);
    expect(answer.results.slice(0, 4).map((r) => r.doc_id).sort()).toEqual(['p107', 'p207', 'p307', 'p7']);
    expect(answer.results).toHaveLength(10);
  });

  it('counts newly indexed documents after the index grows', async () => {
    await client.index(Array.from({ length: 200 }, (_, i) => ({ id: `x${i}`, source: `/x/${i}`, text: `xylophone number ${i}` })));
    const answer = await client.search('xylophone ubiquitous', { k: 10 });
    // "xylophone" now matches 204 chunks, over the budget: the rarer "ubiquit" (400) is not
    // rarer any more, so the rarest of the two is kept and the other left out.
    expect(answer.pruned_terms).toEqual(['ubiquit']);
  });
});
