import { fnv1a } from '../fnv1a.js';
import { STOPWORDS } from '../stopwords.js';
import { normalize, type Embedder, type EmbeddingPurpose } from './embedder.js';

/**
 * A small deterministic embedder that needs no model and no network: words and the character
 * trigrams of words, hashed with a sign into a fixed number of dimensions (feature hashing),
 * weighted by 1 + log(count), common English function words left out. It captures shared
 * vocabulary and shared word parts ("embed", "embedding"), not meaning: it exists so vector and
 * hybrid search work offline and in tests. Measure before fusing it with BM25 (see README).
 */
export class BuiltinEmbedder implements Embedder {
  readonly model: string;
  readonly #dimensions: number;

  constructor(model: string, dimensions: number) {
    this.model = model;
    this.#dimensions = dimensions;
  }

  embed(texts: string[], _purpose: EmbeddingPurpose): Promise<Float32Array[]> {
    return Promise.resolve(texts.map((text) => this.embedOne(text)));
  }

  embedOne(text: string): Float32Array {
    const counts = new Map<number, number>();
    const add = (feature: number, weight: number): void => {
      counts.set(feature, (counts.get(feature) ?? 0) + weight);
    };
    for (const word of text.toLowerCase().match(WORD) ?? []) {
      if (STOPWORDS.has(word)) continue;
      add(fnv1a(word, WORD_SEED), 1);
      const padded = `<${word}>`;
      // Trigrams share the word's weight, so long words do not outweigh short ones.
      const trigramWeight = 1 / Math.max(1, padded.length - 2);
      for (let i = 0; i + 3 <= padded.length; i++) add(fnv1a(padded.slice(i, i + 3), TRIGRAM_SEED), trigramWeight);
    }
    const vector = new Float32Array(this.#dimensions);
    for (const [feature, count] of counts) {
      const sign = feature & 0x80000000 ? -1 : 1;
      vector[(feature & 0x7fffffff) % this.#dimensions]! += sign * (1 + Math.log(1 + count));
    }
    return normalize(vector);
  }
}

const WORD = /[\p{L}\p{N}]+/gu;
const WORD_SEED = 0x811c9dc5;
const TRIGRAM_SEED = 0x01000193;
