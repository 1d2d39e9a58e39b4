import type Database from 'better-sqlite3';
import { BUSY_TIMEOUT_MS } from './database.js';

/** `wal_checkpoint`'s answer: `busy` 1 when a reader kept it from finishing. */
interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

/**
 * Folds the WAL into the database file once the writer has been quiet for `quietMs`. SQLite
 * checkpoints by itself only when the WAL holds 1000 pages, so the last commits of an import
 * and the last steps of a merge stay in it while the index sits idle, and every page a search
 * reads is looked up there first; those found there are read with a system call instead of from
 * the mapped file, and are the first pages the system drops from its cache (an unmapped file).
 * After a merge at 450k chunks, 409 pages were left in the WAL: the first searches' p99 was
 * 14–33 ms in three runs, 15–16 ms with the WAL folded. The checkpoint never waits for a reader
 * (its busy timeout is 0): while a reader is in the WAL, pages its snapshot still needs are
 * left there, the file is not truncated, and it is tried again after the next quiet period.
 */
export class IdleCheckpoint {
  readonly #db: Database.Database;
  readonly #quietMs: number;
  readonly #failed: (err: Error) => void;
  #timer: NodeJS.Timeout | null = null;

  constructor(db: Database.Database, options: { quietMs: number; failed: (err: Error) => void }) {
    this.#db = db;
    this.#quietMs = options.quietMs;
    this.#failed = options.failed;
  }

  /** A transaction was committed: the countdown starts again. */
  wrote(): void {
    this.stop();
    this.#timer = setTimeout(() => this.#run(), this.#quietMs);
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #run(): void {
    this.#timer = null;
    let result: CheckpointResult | undefined;
    try {
      this.#db.pragma('busy_timeout = 0');
      result = (this.#db.pragma('wal_checkpoint(TRUNCATE)') as CheckpointResult[])[0];
    } catch (err) {
      this.#failed(err as Error);
    } finally {
      this.#db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    }
    if (result?.busy) this.wrote();
  }
}
