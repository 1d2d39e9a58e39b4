import type { DaemonClient } from '@dindex/client';
import { ConfigSchema, databasePath, openReader, Searcher } from '@dindex/daemon';

/** Searches the daemon has answered so far, on its event loop and in its search threads (from its metrics). */
export async function searchesAnswered(client: DaemonClient): Promise<{ event_loop: number; threads: number }> {
  const answered = { event_loop: 0, threads: 0 };
  for (const [, thread, count] of (await client.metrics()).matchAll(/^dindex_search_thread_searches_total\{thread="([^"]+)"\} (\d+)$/gm)) {
    if (thread === 'event-loop') answered.event_loop += Number(count);
    else answered.threads += Number(count);
  }
  return answered;
}

/** The daemon's index searched in this process with the daemon's own code: the baseline of a search over the socket. */
export function inProcessSearcher(home: string): { search(query: string, k: number): void; close(): void } {
  const db = openReader(databasePath(home));
  const searcher = new Searcher(db, databasePath(home), ConfigSchema.parse({}).search);
  return {
    search: (query, k) => {
      searcher.search({ query, k });
    },
    close: () => db.close(),
  };
}

/**
 * One query over the socket and in-process, each timed, with a pause between them. Which goes
 * first alternates with `i`, so that neither always finds the pages the other has just read.
 */
export async function timedPair<T>(i: number, overSocket: () => Promise<T>, inProcess: () => void): Promise<{ answer: T; socketMs: number; directMs: number }> {
  const timeSocket = async (): Promise<{ answer: T; socketMs: number }> => {
    const t0 = performance.now();
    const answer = await overSocket();
    return { answer, socketMs: performance.now() - t0 };
  };
  const timeDirect = (): number => {
    const t0 = performance.now();
    inProcess();
    return performance.now() - t0;
  };
  if (i % 2 === 0) {
    const socket = await timeSocket();
    await pause();
    return { ...socket, directMs: timeDirect() };
  }
  const directMs = timeDirect();
  await pause();
  return { ...(await timeSocket()), directMs };
}

/**
 * Between the two halves of a pair. The in-process search leaves work running in this process
 * after it returns (the collector's background threads, as far as `--single-threaded-gc`
 * tells). Without a pause, that work overlapped the daemon's next search on this 2-core
 * machine: in some runs one search in twenty came out 10–27 ms slower, every 300–550 ms. With a
 * pause of 5 or 20 ms, or with the in-process half replaced by a busy wait, about one in a
 * hundred was slow.
 */
const PAIR_PAUSE_MS = 20;
const pause = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, PAIR_PAUSE_MS));
