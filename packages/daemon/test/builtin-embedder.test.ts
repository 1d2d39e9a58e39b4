import { describe, expect, it } from 'vitest';
import { BuiltinEmbedder } from '../src/embedding/builtin-embedder.js';
import { describeMismatch } from '../src/embedding/embedder.js';

const embedder = new BuiltinEmbedder('builtin:hash-ngram-v1', 384);
const cosine = (a: Float32Array, b: Float32Array): number => a.reduce((sum, x, i) => sum + x * b[i]!, 0);

describe('builtin embedder', () => {
  it('is deterministic and returns unit vectors of the configured dimension', async () => {
    const [a, b] = await embedder.embed(['Vector search with hashed n-grams', 'Vector search with hashed n-grams'], 'document');
    expect(a).toHaveLength(384);
    expect(Array.from(a!)).toEqual(Array.from(b!));
    expect(cosine(a!, a!)).toBeCloseTo(1, 5);
    expect(new BuiltinEmbedder('m', 64).embedOne('short text')).toHaveLength(64);
  });

  it('puts texts that share vocabulary and word parts closer than unrelated ones', () => {
    const query = embedder.embedOne('embedding models for retrieval');
    const related = embedder.embedOne('An embedding model maps text to vectors used in retrieval systems.');
    const morphology = embedder.embedOne('Embedded retrievers');
    const unrelated = embedder.embedOne('The harvest festival featured pumpkins and cider.');
    expect(cosine(query, related)).toBeGreaterThan(cosine(query, unrelated) + 0.2);
    expect(cosine(query, morphology)).toBeGreaterThan(cosine(query, unrelated));
  });

  it('gives empty and stopword-only text a zero vector instead of NaN', () => {
    for (const text of ['', 'the of and', '   ']) {
      const vector = embedder.embedOne(text);
      expect(vector.every((x) => x === 0)).toBe(true);
    }
  });

  it('handles CJK and mixed scripts', () => {
    const a = embedder.embedOne('東京の天気は晴れです');
    const b = embedder.embedOne('東京の天気');
    expect(cosine(a, b)).toBeGreaterThan(0.3);
  });
});

describe('model identity', () => {
  it('explains a change of model or dimension, and accepts an index that has none yet', () => {
    expect(describeMismatch({ model: null, dimensions: null }, { model: 'builtin:x', dimensions: 384 })).toBeNull();
    expect(describeMismatch({ model: 'builtin:x', dimensions: 384 }, { model: 'builtin:x', dimensions: 384 })).toBeNull();
    expect(describeMismatch({ model: 'builtin:x', dimensions: 384 }, { model: 'openai:y', dimensions: null })).toMatch(/builtin:x.*openai:y/);
    expect(describeMismatch({ model: 'builtin:x', dimensions: 384 }, { model: 'builtin:x', dimensions: 128 })).toMatch(/384.*128/);
  });
});
