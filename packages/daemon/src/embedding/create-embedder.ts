import path from 'node:path';
import type { EmbeddingConfig } from '../config/schema.js';
import { BuiltinEmbedder } from './builtin-embedder.js';
import { configuredDimensions, configuredModel, type Embedder } from './embedder.js';
import { OpenAiEmbedder } from './openai-embedder.js';
import { TransformersEmbedder } from './transformers-embedder.js';

/** The configured embedder, ready to use; null for provider `none`. Throws EmbedderError when it cannot be had. */
export async function createEmbedder(config: EmbeddingConfig, home: string, env: Record<string, string | undefined>): Promise<Embedder | null> {
  const model = configuredModel(config);
  if (model === null) return null;
  switch (config.provider) {
    case 'builtin':
      return new BuiltinEmbedder(model, configuredDimensions(config)!);
    case 'openai':
      return new OpenAiEmbedder(model, config, env);
    case 'transformers':
      return TransformersEmbedder.load(model, config, config.model_dir || path.join(home, 'models'));
    default:
      return null;
  }
}
