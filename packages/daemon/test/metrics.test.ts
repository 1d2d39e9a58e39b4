import { describe, expect, it } from 'vitest';
import { DaemonMetrics } from '../src/observability/metrics.js';

describe('daemon metrics', () => {
  it('counts every search once, whether handed over by a full batch or by a scrape', async () => {
    const metrics = new DaemonMetrics();
    // More than one batch: the first 256 go over after the event loop's turn, the rest at the scrape.
    for (let i = 0; i < 300; i++) {
      metrics.search(i % 3 === 0 ? 'hybrid' : 'bm25', 0.002);
      metrics.searchAnswered(i % 2 ? 'event-loop' : '0');
    }
    await new Promise((resolve) => setImmediate(resolve));
    const first = await metrics.text();
    expect(first).toMatch(/dindex_search_duration_seconds_count\{mode="bm25"\} 200\n/);
    expect(first).toMatch(/dindex_search_duration_seconds_count\{mode="hybrid"\} 100\n/);
    expect(first).toMatch(/dindex_search_duration_seconds_bucket\{le="0\.0025",mode="bm25"\} 200\n/);
    expect(first).toMatch(/dindex_search_thread_searches_total\{thread="0"\} 150\n/);
    expect(first).toMatch(/dindex_search_thread_searches_total\{thread="event-loop"\} 150\n/);

    metrics.search('bm25', 0.5);
    metrics.searchAnswered('event-loop');
    const second = await metrics.text();
    expect(second).toMatch(/dindex_search_duration_seconds_count\{mode="bm25"\} 201\n/);
    expect(second).toMatch(/dindex_search_thread_searches_total\{thread="0"\} 150\n/);
    expect(second).toMatch(/dindex_search_thread_searches_total\{thread="event-loop"\} 151\n/);
  });
});
