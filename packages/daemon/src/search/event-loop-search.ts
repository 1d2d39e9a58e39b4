import type { Logger } from 'pino';
import { EncodedFrame, type RequestId } from '@dindex/protocol';
import type { Config } from '../config/schema.js';
import type { Searcher } from '../index/searcher.js';
import { encodeAnswer, type SearchJob } from './answer-from-index.js';
import type { EncodedAnswer } from './search-pool.js';

/** What else the daemon is doing, as far as a search on the event loop would hold it up. */
export interface DaemonActivity {
  /** Requests in flight on every connection. */
  requests: number;
  /** Documents on their way into the index: an open index stream, a running job, a queue. */
  writing: boolean;
}

export interface EventLoopSearchOptions {
  /** The main thread's reader. */
  searcher: Searcher;
  settings: Config['search'];
  activity: () => DaemonActivity;
  /** The last commit the writer reported; a searcher behind it is not used. */
  lastCommitSeq: () => number;
  log: Logger;
  /** Told of each search answered here. */
  answered: () => void;
}

/** Rows of chunk lengths read per step between requests: about 3 ms at a million chunks. */
const SLICE_ROWS = 8192;
/** How often an idle daemon checks whether its searcher has fallen behind a commit. */
const POLL_MS = 100;
const WARM_UP_SEARCHES = 8;
const WARM_UP_K = 10;
const WARM_UP_PAUSE_MS = 50;
const RETRY_AFTER_FAULT_MS = 10_000;

/**
 * Searches answered on the event loop while the daemon has nothing else to do. Through a
 * search thread, a lone client's search pays for two wake-ups of sleeping threads, the thread's
 * and then the event loop's for the answer: at 106k chunks, 0.35 ms more at p50 and 3.4 ms at
 * p99 than on the event loop (`pnpm bench ingest-search`, 2026-12-05). On the event loop, a
 * search holds up whatever arrives while it runs. So a search is answered here only when no
 * other request is in flight and nothing is being written, and only by a searcher that is
 * already at the last commit and warmed up — brought there between requests, in slices, while
 * the daemon is idle. Everything else goes to the search threads.
 */
export class EventLoopSearch {
  readonly #searcher: Searcher;
  readonly #settings: Config['search'];
  readonly #activity: () => DaemonActivity;
  readonly #lastCommitSeq: () => number;
  readonly #log: Logger;
  readonly #answered: () => void;
  #warmUps: string[] = [];
  #timer: NodeJS.Timeout;
  #closed = false;

  constructor(options: EventLoopSearchOptions) {
    this.#searcher = options.searcher;
    this.#settings = options.settings;
    this.#activity = options.activity;
    this.#lastCommitSeq = options.lastCommitSeq;
    this.#log = options.log;
    this.#answered = options.answered;
    this.#timer = setTimeout(() => this.#step(), 0).unref();
  }

  /**
   * The answer, when the daemon is idle but for this search (counted in flight) and the
   * searcher is ready; null otherwise (a search thread answers).
   */
  answer(job: SearchJob, answerId: RequestId): EncodedAnswer | null {
    if (this.#closed || !this.#ready() || !this.#idle(1)) return null;
    const { mode, bytes } = encodeAnswer(this.#searcher, this.#settings, job, answerId);
    this.#answered();
    return { mode, frame: new EncodedFrame(bytes) };
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  #ready(): boolean {
    return this.#searcher.currentSeq === this.#lastCommitSeq() && this.#warmUps.length === 0;
  }

  /** Nothing in flight but `requests` requests, and nothing being written. */
  #idle(requests: number): boolean {
    const activity = this.#activity();
    return activity.requests <= requests && !activity.writing;
  }

  /**
   * One step toward ready, taken only when the daemon is idle: a slice of the chunk lengths,
   * or one warm-up search after the index has doubled (each compiles and caches for the real
   * searches, and holds up the event loop no longer than a search).
   */
  #step(): void {
    let next = POLL_MS;
    try {
      if (this.#idle(0)) {
        if (this.#searcher.currentSeq !== this.#lastCommitSeq()) {
          const current = this.#searcher.advance(SLICE_ROWS);
          if (current) this.#warmUps.push(...this.#searcher.warmUpQueries(WARM_UP_SEARCHES));
          next = current ? WARM_UP_PAUSE_MS : 0;
        } else {
          const query = this.#warmUps.shift();
          if (query !== undefined) {
            this.#searcher.search({ query, k: WARM_UP_K });
            next = WARM_UP_PAUSE_MS;
          }
        }
      }
    } catch (err) {
      // The search threads answer meanwhile, and report a fault of the index to the client.
      this.#warmUps = [];
      next = RETRY_AFTER_FAULT_MS;
      this.#log.warn({ err, retry_ms: next }, 'the event loop searcher could not catch up with the index');
    }
    if (!this.#closed) this.#timer = setTimeout(() => this.#step(), next).unref();
  }
}
