import type { EmbeddingConfig } from '../config/schema.js';

export type EmbeddingPurpose = 'query' | 'document';

/**
 * Turns texts into unit-length vectors (cosine similarity is a dot product). One instance
 * lives in the daemon, in the embedding thread, and serves every client.
 */
export interface Embedder {
  /** `provider:model`: recorded beside the vectors, so a change of model is noticed. */
  readonly model: string;
  embed(texts: string[], purpose: EmbeddingPurpose): Promise<Float32Array[]>;
}

/**
 * A failure of the embedder (unreachable, wrong answer), as opposed to a bug. `refused`: it
 * answered, and refused these inputs (an HTTP 4xx) — the texts are the problem, not the embedder.
 */
export class EmbedderError extends Error {
  override readonly name = 'EmbedderError';

  constructor(message: string, readonly refused = false) {
    super(message);
  }
}

export const BUILTIN_MODEL = 'hash-ngram-v1';
export const TRANSFORMERS_DEFAULT_MODEL = 'Xenova/all-MiniLM-L6-v2';
export const BUILTIN_DEFAULT_DIMENSIONS = 384;

/** The model identity the configuration asks for; null when embeddings are off. */
export function configuredModel(config: EmbeddingConfig): string | null {
  switch (config.provider) {
    case 'none':
      return null;
    case 'builtin':
      return `builtin:${config.model || BUILTIN_MODEL}`;
    case 'transformers':
      return `transformers:${config.model || TRANSFORMERS_DEFAULT_MODEL}`;
    case 'openai':
      return `openai:${config.model}`;
  }
}

/** Dimensions the configuration fixes in advance, or null when the model decides. */
export function configuredDimensions(config: EmbeddingConfig): number | null {
  if (config.dimensions > 0) return config.dimensions;
  return config.provider === 'builtin' ? BUILTIN_DEFAULT_DIMENSIONS : null;
}

/** What the index holds, against what is configured: a sentence saying how they differ, or null. */
export function describeMismatch(
  stored: { model: string | null; dimensions: number | null },
  configured: { model: string | null; dimensions: number | null },
): string | null {
  if (stored.model === null || configured.model === null) return null;
  if (stored.model !== configured.model) {
    return `the index holds vectors of ${stored.model}, the configuration asks for ${configured.model}`;
  }
  if (stored.dimensions !== null && configured.dimensions !== null && stored.dimensions !== configured.dimensions) {
    return `the index holds ${stored.dimensions}-dimensional vectors, the configuration asks for ${configured.dimensions}`;
  }
  return null;
}

export function normalize(vector: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += vector[i]! * vector[i]!;
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let i = 0; i < vector.length; i++) vector[i]! /= norm;
  return vector;
}
