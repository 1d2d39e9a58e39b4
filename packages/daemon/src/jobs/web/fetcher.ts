import { Agent, request } from 'undici';
import type { ScrapeConfig } from '../../config/schema.js';
import { checkLiteralAddress, guardedLookup } from './address-guard.js';
import { normalizeUrl } from './url.js';

export interface FetchedPage {
  /** The URL the body came from, after redirects (normalised). */
  url: string;
  status: number;
  contentType: string | null;
  body: Buffer;
}

/** Why a fetch gave no page; `rejected` ones were refused on purpose rather than failed. */
export class FetchError extends Error {
  constructor(message: string, readonly rejected = false) {
    super(message);
    this.name = 'FetchError';
  }
}

/** Says why a URL (a redirect's target) must not be fetched, or null when it may be. */
export type UrlPolicy = (url: string) => Promise<string | null>;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * HTTP(S) GETs with the scraper's limits: the address guard on every connection, redirects
 * followed by hand (each target checked by the caller's policy, at most `max_redirects`), a
 * time limit, and a body size limit enforced while reading (Content-Length is not trusted).
 */
export class PageFetcher {
  readonly #agent: Agent;
  readonly #config: ScrapeConfig;

  constructor(config: ScrapeConfig) {
    this.#config = config;
    this.#agent = new Agent({
      connect: { lookup: guardedLookup(config.allow_private_addresses), timeout: config.timeout_ms },
      headersTimeout: config.timeout_ms,
      bodyTimeout: config.timeout_ms,
    });
  }

  async fetch(start: string, signal: AbortSignal, policy: UrlPolicy, maxBytes = this.#config.max_body_bytes): Promise<FetchedPage> {
    let url = start;
    for (let redirects = 0; ; redirects++) {
      // A name is checked in the connection's own lookup; an address written in the URL has none.
      try {
        checkLiteralAddress(new URL(url), this.#config.allow_private_addresses);
      } catch (err) {
        throw new FetchError((err as Error).message, true);
      }
      const response = await request(url, {
        dispatcher: this.#agent,
        method: 'GET',
        headers: { 'user-agent': this.#config.user_agent, accept: 'text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.1' },
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.#config.timeout_ms)]),
      }).catch((err: Error) => {
        throw new FetchError(describeFailure(err), err.name === 'AddressRefusedError');
      });
      const location = header(response.headers, 'location');
      if (REDIRECTS.has(response.statusCode) && location) {
        await response.body.dump();
        if (redirects >= this.#config.max_redirects) throw new FetchError(`more than ${this.#config.max_redirects} redirects`);
        const next = normalizeUrl(location, url);
        if (!next) throw new FetchError(`redirect to an unusable URL: ${location}`, true);
        const refusal = await policy(next);
        if (refusal) throw new FetchError(`redirect to ${next}: ${refusal}`, true);
        url = next;
        continue;
      }
      const declared = Number(header(response.headers, 'content-length') ?? 0);
      if (declared > maxBytes) {
        response.body.destroy();
        throw new FetchError(`body of ${declared} bytes is over the limit of ${maxBytes} (scrape.max_body_bytes)`, true);
      }
      const parts: Buffer[] = [];
      let size = 0;
      try {
        for await (const part of response.body as AsyncIterable<Buffer>) {
          size += part.length;
          if (size > maxBytes) {
            response.body.destroy();
            throw new FetchError(`body is over the limit of ${maxBytes} bytes (scrape.max_body_bytes)`, true);
          }
          parts.push(part);
        }
      } catch (err) {
        if (err instanceof FetchError) throw err;
        throw new FetchError(describeFailure(err as Error));
      }
      return { url, status: response.statusCode, contentType: header(response.headers, 'content-type'), body: Buffer.concat(parts) };
    }
  }

  close(): Promise<void> {
    return this.#agent.close();
  }
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | null {
  const value = headers[name];
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

function describeFailure(err: Error): string {
  const cause = (err as { cause?: Error }).cause;
  if (err.name === 'TimeoutError' || err.name === 'HeadersTimeoutError' || err.name === 'BodyTimeoutError') return 'timed out';
  return cause?.message ?? err.message;
}
