import {
  JobSpecSchema, type JobInfo, type JobProgress, type JobSpec, type JobState,
} from '@dindex/protocol';
import type { JobRow, JobStateRow } from '../index/job-table.js';
import type { SourceReport } from './job-messages.js';
import { emptyReport } from './sources/index.js';

/** Progress is rated over this window. */
const RATE_WINDOW_MS = 10_000;

const RESUMABLE: ReadonlySet<JobState> = new Set(['interrupted', 'failed', 'cancelled']);
const ACTIVE: ReadonlySet<JobState> = new Set(['queued', 'running']);

/**
 * A job as the main thread knows it: its stored record (state, the last committed checkpoint
 * and counters) and its live progress. Counters change only when a batch commits, so they
 * always agree with the checkpoint stored beside them.
 */
export class Job {
  state: JobState;
  startedAt: number | null;
  finishedAt: number | null;
  error: string | null;
  /** The source's checkpoint after the last committed batch (JSON), null before the first. */
  checkpoint: string | null;
  /** The source's tally at that checkpoint. */
  report: SourceReport;
  readonly counts: { documents: number; chunks: number; skipped: number };
  stage: string;
  /** Live position, ahead of the committed one while batches are in flight. */
  #current: number;
  #total: number | null;
  #samples: Array<[number, number]> = [];

  private constructor(
    readonly id: string,
    readonly spec: JobSpec,
    readonly createdAt: number,
    row: Partial<JobRow>,
  ) {
    this.state = (row.state as JobState | undefined) ?? 'queued';
    this.startedAt = row.started_at ?? null;
    this.finishedAt = row.finished_at ?? null;
    this.error = row.error ?? null;
    this.checkpoint = row.checkpoint ?? null;
    this.report = row.report ? (JSON.parse(row.report) as SourceReport) : emptyReport();
    this.counts = { documents: row.documents ?? 0, chunks: row.chunks ?? 0, skipped: row.skipped ?? 0 };
    this.#current = this.report.current;
    this.#total = this.report.total;
    this.stage = this.state;
  }

  static create(id: string, spec: JobSpec): Job {
    return new Job(id, spec, Date.now(), {});
  }

  static fromRow(row: JobRow): Job {
    return new Job(row.id, JobSpecSchema.parse(JSON.parse(row.spec)), row.created_at, row);
  }

  get active(): boolean {
    return ACTIVE.has(this.state);
  }

  get resumable(): boolean {
    return RESUMABLE.has(this.state);
  }

  get unit(): JobProgress['unit'] {
    return this.spec.kind === 'scrape' ? 'pages' : 'bytes';
  }

  setState(state: JobState, error: string | null = null): void {
    this.state = state;
    this.stage = state;
    this.error = error;
    const now = Date.now();
    if (state === 'running') {
      this.stage = this.spec.kind === 'scrape' ? 'fetching' : 'reading';
      this.startedAt ??= now;
      this.finishedAt = null;
      this.#samples = [];
    } else if (state === 'queued') this.finishedAt = null;
    else this.finishedAt = now;
    if (state === 'done') this.checkpoint = null;
  }

  advance(current: number, total: number | null): void {
    this.#current = current;
    this.#total = total;
    const now = Date.now();
    this.#samples.push([now, current]);
    while (this.#samples.length > 2 && this.#samples[0]![0] < now - RATE_WINDOW_MS) this.#samples.shift();
  }

  /** A batch committed: the checkpoint after it and the counts it added. */
  committed(checkpoint: string, report: SourceReport, added: { documents: number; chunks: number; skipped: number }): void {
    this.checkpoint = checkpoint;
    this.report = report;
    this.counts.documents += added.documents;
    this.counts.chunks += added.chunks;
    this.counts.skipped += added.skipped;
  }

  row(): JobStateRow {
    return {
      id: this.id, spec: JSON.stringify(this.spec), state: this.state, created_at: this.createdAt,
      started_at: this.startedAt, finished_at: this.finishedAt, error: this.error,
    };
  }

  info(): JobInfo {
    const rate = this.#rate();
    const remaining = this.#total === null ? null : Math.max(0, this.#total - this.#current);
    return {
      id: this.id,
      spec: this.spec,
      state: this.state,
      created_at: new Date(this.createdAt).toISOString(),
      started_at: this.startedAt === null ? null : new Date(this.startedAt).toISOString(),
      finished_at: this.finishedAt === null ? null : new Date(this.finishedAt).toISOString(),
      progress: {
        stage: this.stage, current: this.#current, total: this.#total, unit: this.unit,
        rate: Math.round(rate * 10) / 10,
        eta_s: this.state === 'running' && remaining !== null && rate > 0 ? Math.round(remaining / rate) : null,
      },
      counts: { ...this.counts, rejected: this.report.rejected, errors: this.report.errors },
      problems: this.report.problems,
      error: this.error,
      resumable: this.resumable,
    };
  }

  #rate(): number {
    if (this.state !== 'running' || this.#samples.length < 2) return 0;
    const [t0, c0] = this.#samples[0]!;
    const [t1, c1] = this.#samples.at(-1)!;
    return t1 > t0 ? ((c1 - c0) * 1000) / (t1 - t0) : 0;
  }
}
