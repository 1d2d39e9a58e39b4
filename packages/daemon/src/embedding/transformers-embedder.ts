import type { EmbeddingConfig } from '../config/schema.js';
import { EmbedderError, TRANSFORMERS_DEFAULT_MODEL, type Embedder, type EmbeddingPurpose } from './embedder.js';

interface Tensor {
  data: Float32Array;
  dims: number[];
}
type FeatureExtractor = (texts: string[], options: { pooling: 'mean'; normalize: boolean }) => Promise<Tensor>;

/**
 * A local ONNX sentence-embedding model run by transformers.js (an optional dependency, loaded
 * only when this provider is configured). The model is read from `model_dir`, or fetched from
 * the Hugging Face hub into it where `allow_download` is on and the machine is online.
 */
export class TransformersEmbedder implements Embedder {
  readonly model: string;
  readonly #extract: FeatureExtractor;

  private constructor(model: string, extract: FeatureExtractor) {
    this.model = model;
    this.#extract = extract;
  }

  static async load(model: string, config: EmbeddingConfig, modelDir: string): Promise<TransformersEmbedder> {
    const name = config.model || TRANSFORMERS_DEFAULT_MODEL;
    let library: typeof import('@huggingface/transformers');
    try {
      library = await import('@huggingface/transformers');
    } catch (err) {
      throw new EmbedderError(`the transformers provider needs the optional package @huggingface/transformers, which is not installed (${(err as Error).message}); install it or choose another embedding.provider`);
    }
    library.env.localModelPath = modelDir;
    library.env.cacheDir = modelDir;
    library.env.allowLocalModels = true;
    library.env.allowRemoteModels = config.allow_download;
    try {
      const extractor = await library.pipeline('feature-extraction', name, { dtype: 'fp32' });
      return new TransformersEmbedder(model, extractor as unknown as FeatureExtractor);
    } catch (err) {
      const where = config.allow_download ? `${modelDir} or the Hugging Face hub` : `${modelDir} (downloads are off: embedding.allow_download)`;
      throw new EmbedderError(`cannot load the model ${name} from ${where}: ${(err as Error).message}`);
    }
  }

  async embed(texts: string[], _purpose: EmbeddingPurpose): Promise<Float32Array[]> {
    const output = await this.#extract(texts, { pooling: 'mean', normalize: true });
    const dimensions = output.dims.at(-1)!;
    return texts.map((_, i) => output.data.slice(i * dimensions, (i + 1) * dimensions));
  }
}
