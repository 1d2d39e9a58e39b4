import type Database from 'better-sqlite3';

/** Leaf pages a merge step writes at most: about 40 ms here, so a commit that arrives waits little. */
const PAGES_PER_STEP = 1000;
/** The index is merged again once changes since the last merge amount to this fraction of its chunks. */
const MERGE_AFTER_CHANGE = 0.1;

/**
 * Merges FTS5's segments into one while the writer is idle. A search reads every segment for
 * every term (an index lookup and a page each), and FTS5's own merging, done while writing,
 * leaves about twenty of them at a million chunks: merged into one, the first searches for new
 * words cost a quarter as much. The merge goes in steps ('merge' with a negative page count:
 * all levels into one segment, a bounded amount at a time), each its own transaction, so that
 * writes go first: a step runs only when `idle()` says nothing is waiting, and every commit
 * restarts the countdown. Merging rewrites the whole index, so it waits until a tenth of the
 * index has changed since the last one: a trickle of writes into a large index does not have
 * it rewritten at every pause (at start, a leftover of segments counts as changed). A step
 * that fails (a full disk) is rolled back whole, and merging waits for the next commit.
 */
export class SegmentMerger {
  readonly #merge: Database.Statement<[number]>;
  readonly #changes: Database.Statement<[], number>;
  readonly #chunks: Database.Statement<[], number | null>;
  readonly #db: Database.Database;
  readonly #idleMs: number;
  readonly #idle: () => boolean;
  readonly #failed: (err: Error) => void;
  readonly #merged: (report: { steps: number; ms: number }) => void;
  readonly #stepped: () => void;
  #timer: NodeJS.Timeout | null = null;
  /** Chunks written and documents deleted since the last merge was completed. */
  #changed: number;
  /** Steps of the merge under way, and the time they took. */
  #steps = 0;
  #ms = 0;

  /**
   * `idleMs`: quiet time before merging, 0 for never; `idle`: whether no write is waiting;
   * `merged`: a merge is complete; `stepped`: a step was committed.
   */
  constructor(db: Database.Database, options: {
    idleMs: number; idle: () => boolean; failed: (err: Error) => void; merged: (report: { steps: number; ms: number }) => void; stepped: () => void;
  }) {
    this.#db = db;
    this.#merge = db.prepare<[number]>("INSERT INTO chunks_fts (chunks_fts, rank) VALUES ('merge', ?)");
    this.#changes = db.prepare<[], number>('SELECT total_changes()').pluck();
    this.#chunks = db.prepare<[], number | null>("SELECT value FROM meta WHERE key = 'chunks'").pluck();
    this.#changed = this.#indexChunks();
    this.#idleMs = options.idleMs;
    this.#idle = options.idle;
    this.#failed = options.failed;
    this.#merged = options.merged;
    this.#stepped = options.stepped;
  }

  /** After a commit (and at start): merging starts once the writer has been quiet for the idle time. */
  wrote(): void {
    this.stop();
    if (this.#idleMs > 0) this.#timer = setTimeout(() => this.#step(), this.#idleMs);
  }

  /** A commit changed `count` entries: chunks written, documents deleted. */
  changed(count: number): void {
    this.#changed += count;
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #step(): void {
    this.#timer = null;
    if (!this.#idle() || this.#changed === 0 || this.#changed < MERGE_AFTER_CHANGE * this.#indexChunks()) return;
    try {
      const before = this.#changes.get()!;
      const started = performance.now();
      this.#db.transaction(() => this.#merge.run(-PAGES_PER_STEP))();
      this.#stepped();
      // FTS5 changes at least two rows when a step did any work; fewer: one segment is left.
      if (this.#changes.get()! - before < 2) {
        if (this.#steps > 0) this.#merged({ steps: this.#steps, ms: this.#ms });
        this.#changed = this.#steps = this.#ms = 0;
        return;
      }
      this.#steps++;
      this.#ms += performance.now() - started;
    } catch (err) {
      this.#failed(err as Error);
      return;
    }
    // The next step after the messages that arrived meanwhile, so that a write waiting goes first.
    this.#timer = setTimeout(() => this.#step(), 0);
  }

  #indexChunks(): number {
    return Number(this.#chunks.get() ?? 0);
  }
}
