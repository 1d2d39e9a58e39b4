import PQueue from 'p-queue';
import type { EmbeddingConfig } from '../config/schema.js';
import { EmbedderError, type Embedder, type EmbeddingPurpose } from './embedder.js';

/** Queries jump ahead of document batches waiting for the embedder. */
const QUERY_PRIORITY = 1;

/**
 * The one embedder of the daemon, behind a bounded queue: texts are cut into `batch_size`
 * calls, at most `concurrency` run at once, queries first; prefixes are added; every vector's
 * dimension is checked against what the index holds.
 */
export class EmbeddingService {
  readonly #embedder: Embedder;
  readonly #config: EmbeddingConfig;
  readonly #queue: PQueue;
  /** The dimension every vector must have: configured, recorded in the index, or the first seen. */
  #dimensions: number | null;

  constructor(embedder: Embedder, config: EmbeddingConfig, dimensions: number | null) {
    this.#embedder = embedder;
    this.#config = config;
    this.#queue = new PQueue({ concurrency: config.concurrency });
    this.#dimensions = dimensions;
  }

  get model(): string {
    return this.#embedder.model;
  }

  get dimensions(): number | null {
    return this.#dimensions;
  }

  /** Forget the recorded dimension (a re-embed starts the index over). */
  resetDimensions(dimensions: number | null): void {
    this.#dimensions = dimensions;
  }

  async embed(texts: string[], purpose: EmbeddingPurpose): Promise<Float32Array[]> {
    const prefix = purpose === 'query' ? this.#config.query_prefix : this.#config.document_prefix;
    const inputs = prefix ? texts.map((t) => prefix + t) : texts;
    const size = this.#config.batch_size;
    const calls: Array<Promise<Float32Array[]>> = [];
    for (let start = 0; start < inputs.length; start += size) {
      const slice = inputs.slice(start, start + size);
      calls.push(this.#queue.add(() => this.#embedder.embed(slice, purpose), { priority: purpose === 'query' ? QUERY_PRIORITY : 0 }));
    }
    const vectors = (await Promise.all(calls)).flat();
    for (const vector of vectors) this.#check(vector);
    return vectors;
  }

  #check(vector: Float32Array): void {
    this.#dimensions ??= vector.length;
    if (vector.length !== this.#dimensions) {
      throw new EmbedderError(`${this.#embedder.model} returned a ${vector.length}-dimensional vector; the index holds ${this.#dimensions} dimensions (set embedding.dimensions to match, or run \`dindex reembed\`)`);
    }
    if (!vector.every(Number.isFinite)) throw new EmbedderError(`${this.#embedder.model} returned a vector with non-finite values`);
  }
}

/** The text a chunk is embedded from: its title and heading path give it context. */
export function embeddingText(title: string | null, heading: string | null, text: string): string {
  return [title, heading, text].filter((part) => part).join('\n');
}
