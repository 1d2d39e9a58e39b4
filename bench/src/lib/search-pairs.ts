import { ConfigSchema, databasePath, openReader, Searcher } from '@dindex/daemon';

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
 * One query over the socket and in-process, each timed. Which goes first alternates with `i`,
 * so that neither always finds the pages the other has just read.
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
    return { ...socket, directMs: timeDirect() };
  }
  const directMs = timeDirect();
  return { ...(await timeSocket()), directMs };
}
