import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { EmbeddingConfig } from '../config/schema.js';
import { EmbedderError, normalize, type Embedder, type EmbeddingPurpose } from './embedder.js';

const EmbeddingsResponseSchema = z.object({
  data: z.array(z.object({ embedding: z.array(z.number()), index: z.number().int().optional() })),
});

/**
 * Any OpenAI-compatible `/embeddings` endpoint (OpenAI, Ollama, llama.cpp server, TEI, vLLM).
 * A call that times out, fails on the network, or gets 429 or 5xx is retried with doubling
 * backoff (a server's Retry-After is honoured); other answers fail at once with the server's
 * own words.
 */
export class OpenAiEmbedder implements Embedder {
  readonly model: string;
  readonly #config: EmbeddingConfig;
  readonly #endpoint: string;
  readonly #apiKey: string | undefined;

  constructor(model: string, config: EmbeddingConfig, env: Record<string, string | undefined>) {
    this.model = model;
    this.#config = config;
    this.#endpoint = `${config.url.replace(/\/+$/, '')}/embeddings`;
    this.#apiKey = env[config.api_key_env] || undefined;
  }

  async embed(texts: string[], _purpose: EmbeddingPurpose): Promise<Float32Array[]> {
    const { retries, retry_delay_ms: baseDelay } = this.#config;
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.#call(texts);
      if (outcome.ok) return outcome.vectors;
      if (!outcome.retryable || attempt >= retries) {
        throw new EmbedderError(`${this.#endpoint}: ${outcome.message}${attempt > 0 ? ` (after ${attempt + 1} attempts)` : ''}`, outcome.refused === true);
      }
      await sleep(outcome.retryAfterMs ?? baseDelay * 2 ** attempt);
    }
  }

  async #call(texts: string[]): Promise<
    { ok: true; vectors: Float32Array[] } | { ok: false; retryable: boolean; refused?: boolean; message: string; retryAfterMs?: number }
  > {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.#apiKey) headers.authorization = `Bearer ${this.#apiKey}`;
    let response: Response;
    try {
      response = await fetch(this.#endpoint, {
        method: 'POST',
        headers,
        body: JSON.stringify({ model: this.#config.model, input: texts }),
        signal: AbortSignal.timeout(this.#config.timeout_ms),
      });
    } catch (err) {
      const reason = err instanceof Error && err.name === 'TimeoutError' ? `no answer within ${this.#config.timeout_ms} ms` : describeNetworkError(err);
      return { ok: false, retryable: true, message: reason };
    }
    if (!response.ok) {
      const body = (await response.text().catch(() => '')).slice(0, 300);
      const retryable = response.status === 429 || response.status === 408 || response.status >= 500;
      const retryAfter = Number(response.headers.get('retry-after'));
      return {
        ok: false,
        retryable,
        refused: !retryable && response.status >= 400 && response.status < 500 && response.status !== 401 && response.status !== 403 && response.status !== 404,
        message: `HTTP ${response.status}${body ? `: ${body}` : ''}`,
        ...(retryable && retryAfter > 0 ? { retryAfterMs: Math.min(retryAfter * 1000, 60_000) } : {}),
      };
    }
    let parsed: z.infer<typeof EmbeddingsResponseSchema>;
    try {
      parsed = EmbeddingsResponseSchema.parse(await response.json());
    } catch (err) {
      return { ok: false, retryable: false, message: `the answer is not an embeddings response: ${(err as Error).message.slice(0, 300)}` };
    }
    if (parsed.data.length !== texts.length) {
      return { ok: false, retryable: false, message: `asked for ${texts.length} embeddings, got ${parsed.data.length}` };
    }
    const ordered = parsed.data.some((d) => d.index !== undefined)
      ? [...parsed.data].sort((a, b) => (a.index ?? 0) - (b.index ?? 0))
      : parsed.data;
    return { ok: true, vectors: ordered.map((d) => normalize(Float32Array.from(d.embedding))) };
  }
}

function describeNetworkError(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : null;
  return cause ?? (err instanceof Error ? err.message : String(err));
}
