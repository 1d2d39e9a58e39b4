import { DindexError, type EmbeddingProvider, type RequestId, type SearchMode } from '@dindex/protocol';
import type { Config } from '../config/schema.js';
import type { Searcher } from '../index/searcher.js';
import type { WritePipeline } from '../pipeline/write-pipeline.js';
import type { VectorIndex, VectorMatch } from '../vectors/vector-index.js';
import { candidates, type SearchJob } from './answer-from-index.js';
import type { EventLoopSearch } from './event-loop-search.js';
import type { EncodedAnswer, SearchPool } from './search-pool.js';
import type { SearchQuery } from './search-types.js';

/** With a filter, vector candidates are fetched this many times over, since the filter drops some after the fact. */
const FILTER_OVERFETCH = 10;
const MAX_VECTOR_CANDIDATES = 10_000;

/** Vector failures after which a search that did not ask for a mode answers by BM25 alone. */
const FALLBACK_CODES = new Set(['EMBEDDER_UNAVAILABLE', 'EMBEDDING_MISMATCH', 'VECTOR_INDEX_BUILDING']);

/**
 * Search in the three modes. The vector part (embedding the query, asking the HNSW index)
 * comes first, in their threads; everything read from SQLite — BM25 ranking, which vector
 * hits still exist and pass the filters, result details — then comes from one snapshot, in a
 * search thread, or on the event loop while nothing else is in flight (see EventLoopSearch).
 */
export class SearchService {
  readonly #searcher: Searcher;
  readonly #pool: SearchPool;
  readonly #eventLoop: EventLoopSearch | null;
  readonly #pipeline: WritePipeline;
  readonly #vectors: VectorIndex;
  readonly #settings: Config['search'];
  readonly #defaultMode: SearchMode;

  /** `eventLoop`: answers searches while the daemon is idle; null: the threads answer all. */
  constructor(options: {
    searcher: Searcher; pool: SearchPool; eventLoop: EventLoopSearch | null; pipeline: WritePipeline; vectors: VectorIndex;
    settings: Config['search']; provider: EmbeddingProvider;
  }) {
    this.#searcher = options.searcher;
    this.#pool = options.pool;
    this.#eventLoop = options.eventLoop;
    this.#pipeline = options.pipeline;
    this.#vectors = options.vectors;
    this.#settings = options.settings;
    this.#defaultMode = options.settings.default_mode !== 'auto' ? options.settings.default_mode
      : options.provider === 'openai' || options.provider === 'transformers' ? 'hybrid' : 'bm25';
  }

  /** A reader on this thread, for statistics (cheap reads of the counters). */
  get searcher(): Searcher {
    return this.#searcher;
  }

  close(): Promise<void> {
    this.#eventLoop?.close();
    return this.#pool.close();
  }

  /**
   * `startedAt`: when the request arrived, in ms since the epoch; the answer's took_ms counts
   * from it. `answerId`: the request id the answer's frame carries.
   */
  async search(query: SearchQuery, startedAt: number, answerId: RequestId): Promise<EncodedAnswer> {
    const mode = query.mode ?? this.#defaultMode;
    if (mode === 'bm25') return this.#answer({ query, mode, matches: null, warnings: [], startedAt }, answerId);
    let matches: VectorMatch[];
    try {
      matches = await this.#nearest(query, mode);
    } catch (err) {
      if (query.mode === undefined && err instanceof DindexError && FALLBACK_CODES.has(err.code)) {
        return this.#answer({ query, mode: 'bm25', matches: null, warnings: [`${mode} search unavailable, answered by bm25: ${err.message}`], startedAt }, answerId);
      }
      throw err;
    }
    return this.#answer({ query, mode, matches, warnings: [], startedAt }, answerId);
  }

  /** On the event loop when the daemon is idle, else in a search thread. */
  async #answer(job: SearchJob, answerId: RequestId): Promise<EncodedAnswer> {
    // A connection counts a request in flight once its handler has returned its promise: after
    // this await, the event loop's check counts this search among the requests in flight, as
    // it does every request read with it.
    await Promise.resolve();
    return this.#eventLoop?.answer(job, answerId) ?? this.#pool.run(job, answerId);
  }

  /** Embeds the query and asks the HNSW index, after checking the vector side can answer at all. */
  async #nearest(query: SearchQuery, mode: SearchMode): Promise<VectorMatch[]> {
    const embedder = this.#pipeline.embedder;
    if (!embedder) {
      throw new DindexError('MODE_UNAVAILABLE', `search mode "${mode}" needs an embedder, and none is configured (embedding.provider = "none"); use --mode bm25`, { mode });
    }
    if (embedder.mismatch) {
      throw new DindexError('EMBEDDING_MISMATCH', `${embedder.mismatch}; run \`dindex reembed\` to embed the index again with the configured model, or restore the embedding configuration`);
    }
    const vector = await this.#pipeline.embedQuery(query.query);
    const wanted = mode === 'vector' ? query.k : candidates(query, this.#settings);
    return this.#vectors.search(vector, Math.min(query.filter ? wanted * FILTER_OVERFETCH : wanted, MAX_VECTOR_CANDIDATES), this.#pipeline.vectorsSeq);
  }
}
