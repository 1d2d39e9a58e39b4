import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What the gauges read when scraped; the daemon provides it once its parts are up. */
export interface MetricSources {
  index(): { documents: number; chunks: number; vectors: number; vectors_pending: number };
  queue(): { queued_bytes: number; queued_documents: number };
  connections(): { connections: number; inflight: number };
  vectorIndexSize(): number;
  embedderAvailable(): boolean | null;
  jobs(): Record<string, number>;
}

type Scrape = { [K in keyof MetricSources]: ReturnType<MetricSources[K]> };

/** Searches held back before they are handed to prom-client at once. */
const SEARCHES_PER_RECORDING = 256;
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The daemon's Prometheus metrics (prom-client). Counters and histograms are fed as things
 * happen; gauges read the daemon's state at scrape time, so they cost nothing in between.
 */
export class DaemonMetrics {
  readonly registry = new Registry();
  #sources: MetricSources | null = null;
  /** The daemon's state, read once per scrape: several gauges share each reading. */
  #scrape: Scrape | null = null;
  readonly #requests = new Counter({
    name: 'dindex_requests_total', help: 'Requests answered, by type and outcome (ok or the error code).',
    labelNames: ['type', 'outcome'] as const, registers: [this.registry],
  });
  readonly #errors = new Counter({
    name: 'dindex_errors_total', help: 'Errors answered or sent, by error code.', labelNames: ['code'] as const, registers: [this.registry],
  });
  readonly #search = new Histogram({
    name: 'dindex_search_duration_seconds', help: 'Time to answer a search, by the mode that answered it.',
    labelNames: ['mode'] as const, buckets: LATENCY_BUCKETS, registers: [this.registry],
  });
  readonly #threadSearches = new Counter({
    name: 'dindex_search_thread_searches_total',
    help: 'Searches answered, by thread: a search thread (0, 1, ...; one at a time, they all go to 0) or "event-loop" (while nothing else was in flight).',
    labelNames: ['thread'] as const, registers: [this.registry],
  });
  readonly #commits = new Counter({ name: 'dindex_commits_total', help: 'Write transactions committed.', registers: [this.registry] });
  readonly #commitSeconds = new Histogram({
    name: 'dindex_commit_duration_seconds', help: 'Time of one commit transaction in the writer thread.', buckets: LATENCY_BUCKETS, registers: [this.registry],
  });
  /** Searches not yet handed to prom-client (see `#recordSearches`): the mode and seconds of each. */
  #searches: Array<[string, number]> = [];
  /** Searches per thread not yet handed to prom-client. */
  #threadCounts = new Map<string, number>();
  /** Labelled children, cached: looking them up by labels on every request would cost more than the count. */
  readonly #requestChildren = new Map<string, Counter.Internal>();

  constructor() {
    const metrics = this;
    const gauge = (name: string, help: string, read: (state: Scrape) => number | null): void => {
      new Gauge({
        name, help, registers: [this.registry],
        collect() {
          const value = metrics.#scrape ? read(metrics.#scrape) : null;
          if (value !== null) this.set(value);
        },
      });
    };
    gauge('dindex_documents', 'Documents in the index.', (s) => s.index.documents);
    gauge('dindex_chunks', 'Chunks in the index.', (s) => s.index.chunks);
    gauge('dindex_vectors', 'Chunk vectors stored in SQLite.', (s) => s.index.vectors);
    gauge('dindex_vectors_pending', 'Chunks waiting for their vector.', (s) => s.index.vectors_pending);
    gauge('dindex_vector_index_size', 'Vectors in the HNSW index.', (s) => s.vectorIndexSize);
    gauge('dindex_embedder_available', 'Whether the embedder answers (1) or not (0).', (s) => (s.embedderAvailable === null ? null : Number(s.embedderAvailable)));
    gauge('dindex_queue_bytes', 'Text accepted but not yet committed.', (s) => s.queue.queued_bytes);
    gauge('dindex_queue_documents', 'Documents accepted but not yet committed.', (s) => s.queue.queued_documents);
    gauge('dindex_connections', 'Open client connections.', (s) => s.connections.connections);
    gauge('dindex_inflight_requests', 'Requests being worked on.', (s) => s.connections.inflight);
    new Gauge({
      name: 'dindex_jobs', help: 'Background jobs, by state.', labelNames: ['state'] as const, registers: [this.registry],
      collect() {
        for (const [state, count] of Object.entries(metrics.#scrape?.jobs ?? {})) this.labels(state).set(count);
      },
    });
  }

  attach(sources: MetricSources): void {
    this.#sources = sources;
  }

  request(type: string, outcome: string): void {
    const key = `${type}\u0000${outcome}`;
    let child = this.#requestChildren.get(key);
    if (!child) this.#requestChildren.set(key, (child = this.#requests.labels(type, outcome)));
    child.inc();
    if (outcome !== 'ok') this.#errors.labels(outcome).inc();
  }

  /** An error that answered no request (a framing error closing a connection). */
  connectionError(code: string): void {
    this.#errors.labels(code).inc();
  }

  search(mode: string, seconds: number): void {
    if (this.#searches.push([mode, seconds]) === SEARCHES_PER_RECORDING) setImmediate(() => this.#recordSearches());
  }

  /** `thread`: a search thread's index, or "event-loop". */
  searchAnswered(thread: string): void {
    this.#threadCounts.set(thread, (this.#threadCounts.get(thread) ?? 0) + 1);
  }

  commit(seconds: number): void {
    this.#commits.inc();
    this.#commitSeconds.observe(seconds);
  }

  /**
   * Searches are handed to prom-client in batches, at a scrape or every few hundred, after
   * the answer that filled the batch is out. A search's answer leaves just after the main thread
   * wakes from the search, its caches cold, and prom-client's two observations per search took
   * 0.05 ms of that then; in a batch they cost a microsecond or two each.
   */
  #recordSearches(): void {
    for (const [mode, seconds] of this.#searches.splice(0)) this.#search.labels(mode).observe(seconds);
    for (const [thread, count] of this.#threadCounts) this.#threadSearches.labels(thread).inc(count);
    this.#threadCounts.clear();
  }

  async text(): Promise<string> {
    this.#recordSearches();
    const sources = this.#sources;
    this.#scrape = sources && {
      index: sources.index(),
      queue: sources.queue(),
      connections: sources.connections(),
      vectorIndexSize: sources.vectorIndexSize(),
      embedderAvailable: sources.embedderAvailable(),
      jobs: sources.jobs(),
    };
    return this.registry.metrics();
  }
}
