import { parentPort, workerData } from 'node:worker_threads';
import { DindexError } from '@dindex/protocol';
import { openReader } from '../index/database.js';
import { Searcher } from '../index/searcher.js';
import { encodeAnswer } from './answer-from-index.js';
import type { SearchThreadData, SearchThreadReply, SearchThreadRequest } from './search-pool.js';

/**
 * A search thread: its own read-only connection and term statistics, answering searches off
 * the event loop that serves the connections, so searches use every core and never delay
 * other requests.
 */
const REFRESH_INTERVAL_MS = 1000;
const WARM_UP_K = 10;
/** Warm-up searches once commits pause, on words of the index's own chunks. */
const WARM_UP_SEARCHES = 40;
/** While commits still come: enough to compile the ranking code, no more (40 took 0.65 s of a core per thread during a 100k import). */
const FIRST_WARM_UP_SEARCHES = 8;
const WARM_UP_PAUSE_MS = 50;
const { databaseFile, settings } = workerData as SearchThreadData;
const searcher = new Searcher(openReader(databaseFile), databaseFile, settings);

/**
 * Between searches, what the searcher holds follows the commits, so that a search after a large
 * import does not wait for it. The thread warms up as soon as the index has chunks, so that its
 * code is compiled for the first real searches, then each time the index has doubled — once
 * the commits pause: warm-up searches while an import runs took the writer's cycles (this thread
 * runs above the writer's niceness) for an index about to change again. One search at a time,
 * paced, so that real ones come in between.
 */
let refreshedSeq = -1;
let warmed = false;
async function keepWarm(): Promise<void> {
  try {
    const seq = searcher.refresh();
    const quiet = seq === refreshedSeq;
    refreshedSeq = seq;
    const queries = quiet ? searcher.warmUpQueries(WARM_UP_SEARCHES) : warmed ? [] : searcher.warmUpQueries(FIRST_WARM_UP_SEARCHES);
    warmed ||= queries.length > 0;
    for (const query of queries) {
      await new Promise((resolve) => setTimeout(resolve, WARM_UP_PAUSE_MS));
      searcher.search({ query, k: WARM_UP_K });
    }
  } catch {
    // Nothing to do here: the next real search meets the same fault and reports it.
  } finally {
    setTimeout(() => void keepWarm(), REFRESH_INTERVAL_MS).unref();
  }
}
void keepWarm();
const reply = (message: SearchThreadReply): void => parentPort!.postMessage(message);

/**
 * The answer's whole frame is encoded here and its bytes copied to the main thread, which only
 * writes them: cloning the result objects, then encoding them there, cost more than the hop
 * itself, and even wrapping encoded bytes in the envelope there took 0.1 ms of the main
 * thread's cold start after the hop. Copied, not transferred: with each answer's buffer
 * transferred, this thread's next search took 0.4 ms longer (5.2 against 4.8 ms at 100k
 * chunks, in a worker beside the same search on the main thread).
 */
parentPort!.on('message', ({ id, job, answerId }: SearchThreadRequest) => {
  try {
    reply({ id, ok: true, ...encodeAnswer(searcher, settings, job, answerId) });
  } catch (err) {
    const code = err instanceof DindexError ? err.code : 'INTERNAL';
    reply({ id, ok: false, code, message: (err as Error).message });
  }
});
