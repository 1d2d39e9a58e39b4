import { fnv1a } from '../fnv1a.js';
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

const STOPWORDS = new Set(`a about above after again against all am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have having he her here
hers herself him himself his how i if in into is it its itself just me more most my myself no nor not now of off on once
only or other our ours ourselves out over own same she should so some such than that the their theirs them themselves
then there these they this those through to too under until up very was we were what when where which while who whom why
will with would you your yours yourself yourselves`.split(/\s+/));
