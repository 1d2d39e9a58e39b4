import type Database from 'better-sqlite3';

/** A job as stored; the jobs module turns it into what the protocol shows. */
export interface JobRow {
  id: string;
  spec: string;
  state: string;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  error: string | null;
  checkpoint: string | null;
  report: string | null;
  documents: number;
  chunks: number;
  skipped: number;
}

/** A job's lifecycle fields; its counters and checkpoint change only with committed batches. */
export type JobStateRow = Pick<JobRow, 'id' | 'spec' | 'state' | 'created_at' | 'started_at' | 'finished_at' | 'error'>;

/** Where a job's source stands after a batch of its documents, stored with that batch. */
export interface JobCheckpoint {
  id: string;
  /** The checkpoint this batch continues from: the one stored when the batch before it committed. */
  after: string | null;
  checkpoint: string;
  report: string;
}

/** The statements on the jobs table, used by the writer thread inside its commits. */
export class JobTable {
  readonly #upsert: Database.Statement<JobStateRow>;
  readonly #checkpoint: Database.Statement<[string, string, number, number, number, string, string | null]>;
  readonly #all: Database.Statement<[], JobRow>;

  constructor(db: Database.Database) {
    this.#upsert = db.prepare(`INSERT INTO jobs (id, spec, state, created_at, started_at, finished_at, error)
      VALUES (@id, @spec, @state, @created_at, @started_at, @finished_at, @error)
      ON CONFLICT (id) DO UPDATE SET state = excluded.state, started_at = excluded.started_at,
        finished_at = excluded.finished_at, error = excluded.error,
        -- A finished job is never resumed: its checkpoint (a crawl's can be large) is dropped.
        checkpoint = CASE excluded.state WHEN 'done' THEN NULL ELSE checkpoint END`);
    this.#checkpoint = db.prepare(`UPDATE jobs SET checkpoint = ?, report = ?,
      documents = documents + ?, chunks = chunks + ?, skipped = skipped + ? WHERE id = ? AND checkpoint IS ?`);
    this.#all = db.prepare('SELECT * FROM jobs ORDER BY created_at');
  }

  saveState(row: JobStateRow): void {
    this.#upsert.run(row);
  }

  /**
   * Records a checkpoint and adds what its batch committed to the job's counters — only when it
   * continues the stored one. A batch whose predecessor failed to commit must not move the
   * checkpoint past that predecessor's documents; its own documents are then simply found
   * unchanged when the job is resumed. Returns whether the checkpoint moved.
   */
  saveCheckpoint(job: JobCheckpoint, committed: { documents: number; chunks: number; skipped: number }): boolean {
    return this.#checkpoint.run(job.checkpoint, job.report, committed.documents, committed.chunks, committed.skipped, job.id, job.after).changes > 0;
  }

  all(): JobRow[] {
    return this.#all.all();
  }
}
