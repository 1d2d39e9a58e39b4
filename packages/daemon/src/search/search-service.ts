import { DindexError, type EmbeddingProvider, type SearchFilter, type SearchMode, type SearchResult } from '@dindex/protocol';
import type { Config } from '../config/schema.js';
import type { Scored, Searcher } from '../index/searcher.js';
import type { WritePipeline } from '../pipeline/write-pipeline.js';
import type { VectorIndex, VectorMatch } from '../vectors/vector-index.js';
import { queryWords } from '../index/excerpt.js';
import { fuseByReciprocalRank, type RankedList } from './rank-fusion.js';

export interface SearchQuery {
  query: string;
  k: number;
  mode?: SearchMode | undefined;
  filter?: SearchFilter | undefined;
  exact?: boolean | undefined;
  explain?: boolean | undefined;
}

export interface SearchAnswer {
  mode: SearchMode;
  prunedTerms: string[];
  warnings: string[];
  results: SearchResult[];
}

/** With a filter, vector candidates are fetched this many times over, since the filter drops some after the fact. */
const FILTER_OVERFETCH = 10;
const MAX_VECTOR_CANDIDATES = 10_000;

/** Vector failures after which a search that did not ask for a mode answers by BM25 alone. */
const FALLBACK_CODES = new Set(['EMBEDDER_UNAVAILABLE', 'EMBEDDING_MISMATCH', 'VECTOR_INDEX_BUILDING']);

/**
 * Search in the three modes. The vector part (embedding the query, asking the HNSW index)
 * happens first and off this thread; everything read from SQLite — BM25 ranking, which vector
 * hits still exist and pass the filters, result details — then comes from one snapshot.
 */
export class SearchService {
  readonly #searcher: Searcher;
  readonly #pipeline: WritePipeline;
  readonly #vectors: VectorIndex;
  readonly #settings: Config['search'];
  readonly #defaultMode: SearchMode;

  constructor(searcher: Searcher, pipeline: WritePipeline, vectors: VectorIndex, settings: Config['search'], provider: EmbeddingProvider) {
    this.#searcher = searcher;
    this.#pipeline = pipeline;
    this.#vectors = vectors;
    this.#settings = settings;
    this.#defaultMode = settings.default_mode !== 'auto' ? settings.default_mode
      : provider === 'openai' || provider === 'transformers' ? 'hybrid' : 'bm25';
  }

  get searcher(): Searcher {
    return this.#searcher;
  }

  async search(query: SearchQuery): Promise<SearchAnswer> {
    const mode = query.mode ?? this.#defaultMode;
    if (mode === 'bm25') return this.#bm25(query, []);
    let matches: VectorMatch[];
    try {
      matches = await this.#nearest(query, mode);
    } catch (err) {
      if (query.mode === undefined && err instanceof DindexError && FALLBACK_CODES.has(err.code)) {
        return this.#bm25(query, [`${mode} search unavailable, answered by bm25: ${err.message}`]);
      }
      throw err;
    }
    return this.#searcher.snapshot(() => {
      const present = new Set(this.#searcher.present(matches.map((m) => m.chunkId), query.filter));
      const vector: RankedList = {
        signal: 'vector',
        weight: this.#settings.vector_weight,
        hits: matches.filter((m) => present.has(m.chunkId)).map((m) => ({ chunkId: m.chunkId, score: m.similarity })),
      };
      if (mode === 'vector') {
        vector.hits.length = Math.min(vector.hits.length, query.k);
        const results = this.#searcher.resolve(vector.hits.map(toScored), queryWords(query.query));
        return { mode, prunedTerms: [], warnings: [], results: query.explain ? results.map((r, i) => ({ ...r, explain: { bm25: null, vector: { rank: i + 1, score: r.score }, fused: null } })) : results };
      }
      const bm25 = this.#searcher.rank({ query: query.query, k: this.#candidates(query), filter: query.filter, exact: query.exact });
      const fused = fuseByReciprocalRank([
        { signal: 'bm25', weight: this.#settings.bm25_weight, hits: bm25.hits.map((h) => ({ chunkId: h.rowid, score: round(h.score) })) },
        { ...vector, hits: vector.hits.map((h) => ({ ...h, score: round(h.score) })) },
      ], this.#settings.rrf_k).slice(0, query.k);
      const results = this.#searcher.resolve(fused.map((f) => ({ rowid: f.chunkId, score: f.fused })), bm25.marks.length ? bm25.marks : queryWords(query.query));
      return {
        mode,
        prunedTerms: bm25.prunedTerms,
        warnings: [],
        results: query.explain ? results.map((r, i) => ({ ...r, explain: fused[i]!.explain })) : results,
      };
    });
  }

  #bm25(query: SearchQuery, warnings: string[]): SearchAnswer {
    const outcome = this.#searcher.search({ query: query.query, k: query.k, filter: query.filter, exact: query.exact });
    const results = query.explain
      ? outcome.results.map((r, i) => ({ ...r, explain: { bm25: { rank: i + 1, score: r.score }, vector: null, fused: null } }))
      : outcome.results;
    return { mode: 'bm25', prunedTerms: outcome.prunedTerms, warnings, results };
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
    const wanted = mode === 'vector' ? query.k : this.#candidates(query);
    return this.#vectors.search(vector, Math.min(query.filter ? wanted * FILTER_OVERFETCH : wanted, MAX_VECTOR_CANDIDATES));
  }

  #candidates(query: SearchQuery): number {
    return Math.max(query.k, this.#settings.candidates);
  }
}

function toScored(hit: { chunkId: number; score: number }): Scored {
  return { rowid: hit.chunkId, score: hit.score };
}

function round(score: number): number {
  return Math.round(score * 10_000) / 10_000;
}
