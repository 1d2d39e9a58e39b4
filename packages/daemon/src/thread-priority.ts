import fs from 'node:fs';
import os from 'node:os';

/** Niceness of the threads that write, chunk, embed and import: below searches and the event loop. */
const BACKGROUND_NICENESS = 5;

/**
 * Lowers the calling thread's scheduling priority, where the system allows it (Linux gives each
 * thread its own niceness, found through /proc/thread-self; raising one's niceness needs no
 * privilege). On a machine busy with an import, searches and the connections' event loop then get
 * the cores first, and the import still has every cycle they leave. Elsewhere: nothing.
 */
export function runInBackground(): void {
  try {
    const tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) os.setPriority(tid, Math.max(os.getPriority(tid), BACKGROUND_NICENESS));
  } catch {
    // No per-thread niceness here (not Linux, or /proc not mounted): the threads share the cores evenly.
  }
}
