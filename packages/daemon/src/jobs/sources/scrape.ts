import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { Document, ScrapeSpec } from '@dindex/protocol';
import type { ScrapeConfig } from '../../config/schema.js';
import { classifyContentType } from '../web/content-type.js';
import { FetchError, PageFetcher } from '../web/fetcher.js';
import { readHtml } from '../web/html-text.js';
import { RobotsCache, type RobotsRules } from '../web/robots.js';
import { normalizeUrl } from '../web/url.js';
import type { Source, SourceContext, SourceItem } from './source.js';

interface Target {
  url: string;
  depth: number;
}

/** What one fetch found; the crawl loop alone changes the crawl's state, from these. */
interface Visit {
  target: Target;
  document: Document | null;
  links: string[];
  /** The URL the page came from after redirects. */
  finalUrl: string | null;
  /** How long the host is left alone after this visit: host_delay_ms, or its longer Crawl-delay. */
  pauseMs: number;
}

/** What a visit works with. */
interface CrawlTools {
  ctx: SourceContext;
  fetcher: PageFetcher;
  robots: RobotsCache;
  /** Whether a redirect may be followed (see below). */
  policy(url: string): Promise<string | null>;
  pauseAfter(rules: RobotsRules | null): number;
}

const CheckpointSchema = z.object({
  done: z.array(z.string()),
  queue: z.array(z.tuple([z.string(), z.number().int()])),
  pages: z.number().int(),
});

/**
 * The frontier holds at most this many URLs per page the crawl may index, plus some slack: the crawl
 * is breadth first, so what is dropped is the deepest, and a crawl never fetches more than
 * max_pages anyway.
 */
const FRONTIER_PER_PAGE = 4;
const FRONTIER_SLACK = 1000;

/** The token matched against robots.txt `User-agent:` lines. */
const ROBOTS_AGENT = 'dindex';

/**
 * A crawl, breadth first from the start URLs: robots.txt honoured (with crawl-delay), one
 * request at a time per host with `host_delay_ms` between them, up to `concurrency` hosts at
 * once, links followed to `depth` and (by default) only on the start hosts, every URL fetched
 * once, at most `max_pages` pages indexed. Only HTML (its main content) and plain text are
 * indexed; a page's id and source are its URL after redirects. The checkpoint is the crawl's
 * state: the URLs done and those still to fetch.
 */
export function scrapeSource(spec: ScrapeSpec, config: ScrapeConfig): Source {
  return async function* (ctx): AsyncIterable<SourceItem> {
    const fetcher = new PageFetcher(config);
    const robots = new RobotsCache(fetcher, ROBOTS_AGENT, config.robots_cache_ms);
    const restored = ctx.checkpoint ? CheckpointSchema.parse(ctx.checkpoint) : null;
    const done: string[] = restored?.done ?? [];
    const queue: Target[] = restored?.queue.map(([url, depth]) => ({ url, depth })) ?? [];
    const seen = new Set<string>([...done, ...queue.map((t) => t.url)]);
    const hosts = new Set(spec.urls.map((u) => new URL(u).host));
    const frontierLimit = FRONTIER_PER_PAGE * spec.max_pages + FRONTIER_SLACK;
    let pages = restored?.pages ?? 0;
    if (!restored) {
      for (const url of spec.urls) {
        const normal = normalizeUrl(url);
        if (normal && !seen.has(normal)) {
          seen.add(normal);
          queue.push({ url: normal, depth: 0 });
        }
      }
    }
    /** Fetches under way, by URL; until one ends, its URL is still to do in the checkpoint. */
    const inflight = new Map<string, { target: Target; visit: Promise<Visit> }>();
    const busyHosts = new Set<string>();
    const nextAt = new Map<string, number>();
    const checkpoint = {
      // Serialised when a batch is sent, which happens while this generator is paused at a yield.
      toJSON: () => ({ done, queue: [...queue, ...[...inflight.values()].map((f) => f.target)].map((t) => [t.url, t.depth]), pages }),
    };
    const pauseAfter = (rules: RobotsRules | null): number => Math.max(config.host_delay_ms, rules?.crawlDelayMs ?? 0);
    const tools: CrawlTools = {
      ctx, fetcher, robots, pauseAfter,
      // Following a redirect is another request to a host, so it waits its turn too.
      policy: async (url) => {
        const rules = await robots.rules(url, ctx.signal);
        if (!rules.allowed(url)) return 'disallowed by robots.txt';
        await sleep(pauseAfter(rules), undefined, { signal: ctx.signal });
        return null;
      },
    };

    try {
      while (queue.length > 0 || inflight.size > 0) {
        // Start what politeness and the limits allow.
        const now = Date.now();
        for (let i = 0; i < queue.length && inflight.size < config.concurrency && pages + inflight.size < spec.max_pages; i++) {
          const target = queue[i]!;
          const host = new URL(target.url).host;
          if (busyHosts.has(host) || (nextAt.get(host) ?? 0) > now) continue;
          queue.splice(i--, 1);
          busyHosts.add(host);
          inflight.set(target.url, {
            target,
            visit: visit(target, tools).then((result) => {
              nextAt.set(host, Date.now() + result.pauseMs);
              busyHosts.delete(host);
              return result;
            }),
          });
        }
        if (inflight.size === 0) {
          if (pages >= spec.max_pages) break;
          // Every queued host is waiting out its delay.
          const wake = Math.min(...queue.map((t) => nextAt.get(new URL(t.url).host) ?? 0));
          await sleep(Math.max(1, wake - Date.now()), undefined, { signal: ctx.signal });
          continue;
        }
        const result = await Promise.race([...inflight.values()].map((f) => f.visit));
        inflight.delete(result.target.url);
        done.push(result.target.url);
        if (result.finalUrl && !seen.has(result.finalUrl)) {
          seen.add(result.finalUrl);
          done.push(result.finalUrl);
        }
        if (result.target.depth === 0 && result.finalUrl) hosts.add(new URL(result.finalUrl).host);
        if (result.document) pages++;
        if (result.target.depth < spec.depth) {
          for (const link of result.links) {
            // More links than could ever be fetched would only weigh on memory and the checkpoint.
            if (queue.length >= frontierLimit) break;
            const url = normalizeUrl(link);
            if (!url || seen.has(url) || (spec.same_host && !hosts.has(new URL(url).host))) continue;
            seen.add(url);
            queue.push({ url, depth: result.target.depth + 1 });
          }
        }
        ctx.progress(pages, Math.min(spec.max_pages, pages + queue.length + inflight.size));
        yield { document: result.document, checkpoint };
      }
    } finally {
      await fetcher.close().catch(() => {});
    }
  };
}

async function visit(target: Target, { ctx, fetcher, robots, policy, pauseAfter }: CrawlTools): Promise<Visit> {
  let empty: Visit = { target, document: null, links: [], finalUrl: null, pauseMs: pauseAfter(null) };
  try {
    const rules = await robots.rules(target.url, ctx.signal);
    empty = { ...empty, pauseMs: pauseAfter(rules) };
    if (!rules.allowed(target.url)) {
      ctx.reject(target.url, 'disallowed by robots.txt');
      return empty;
    }
    const page = await fetcher.fetch(target.url, ctx.signal, policy);
    const finalUrl = page.url;
    if (page.status < 200 || page.status > 299) {
      ctx.error(target.url, `HTTP ${page.status}`);
      return { ...empty, finalUrl };
    }
    const kind = classifyContentType(page.contentType);
    if (kind === null) {
      ctx.reject(finalUrl, `not HTML or text (${page.contentType ?? 'no content type'})`);
      return { ...empty, finalUrl };
    }
    const body = page.body.toString('utf8');
    const read = kind === 'html' ? readHtml(body, finalUrl) : { title: '', text: body.trim(), links: [] };
    if (read.text === '') {
      ctx.reject(finalUrl, 'no text');
      return { ...empty, finalUrl, links: read.links };
    }
    const document: Document = {
      id: finalUrl, source: finalUrl, title: read.title || finalUrl, text: read.text,
      metadata: { type: 'web' },
    };
    return { ...empty, document, links: read.links, finalUrl };
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    if (err instanceof FetchError && err.rejected) ctx.reject(target.url, err.message);
    else ctx.error(target.url, err instanceof FetchError ? err.message : `failed: ${(err as Error).message}`);
    return empty;
  }
}
