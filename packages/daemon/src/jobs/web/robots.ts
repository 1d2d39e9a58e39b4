import robotsParserModule from 'robots-parser';
import type { PageFetcher } from './fetcher.js';

// The package is CommonJS exporting the function itself; its types describe an ES default export.
const robotsParser = robotsParserModule as unknown as typeof robotsParserModule.default;
export interface RobotsRules {
  allowed(url: string): boolean;
  /** The host's crawl-delay for us, in ms, or 0. */
  crawlDelayMs: number;
}

const ALLOW_ALL: RobotsRules = { allowed: () => true, crawlDelayMs: 0 };
const DENY_ALL: RobotsRules = { allowed: () => false, crawlDelayMs: 0 };
const MAX_ROBOTS_BYTES = 512 * 1024;

/**
 * robots.txt per origin, fetched once and kept for `ttlMs`. As crawlers commonly do: a
 * missing one (4xx) allows everything; one that cannot be had (5xx, network) allows nothing.
 */
export class RobotsCache {
  readonly #entries = new Map<string, { rules: Promise<RobotsRules>; at: number }>();

  constructor(
    readonly fetcher: PageFetcher,
    /** The product token matched against `User-agent:` lines. */
    readonly agent: string,
    readonly ttlMs: number,
  ) {}

  rules(url: string, signal: AbortSignal): Promise<RobotsRules> {
    const origin = new URL(url).origin;
    const cached = this.#entries.get(origin);
    if (cached && Date.now() - cached.at < this.ttlMs) return cached.rules;
    const rules = this.#load(origin, signal);
    this.#entries.set(origin, { rules, at: Date.now() });
    return rules;
  }

  async #load(origin: string, signal: AbortSignal): Promise<RobotsRules> {
    const location = `${origin}/robots.txt`;
    try {
      const page = await this.fetcher.fetch(location, signal, async () => null, MAX_ROBOTS_BYTES);
      if (page.status >= 400 && page.status < 500) return ALLOW_ALL;
      if (page.status >= 500) return DENY_ALL;
      const robots = robotsParser(location, page.body.toString('utf8'));
      return {
        allowed: (target) => robots.isAllowed(target, this.agent) !== false,
        crawlDelayMs: (robots.getCrawlDelay(this.agent) ?? 0) * 1000,
      };
    } catch {
      return DENY_ALL;
    }
  }
}
