import crypto from 'node:crypto';
import PQueue from 'p-queue';
import type { Logger } from 'pino';
import { DindexError, JobStateSchema, type JobInfo, type JobSpec, type JobState } from '@dindex/protocol';
import type { JobsConfig, ScrapeConfig } from '../config/schema.js';
import type { WritePipeline } from '../pipeline/write-pipeline.js';
import { AddressRefusedError, checkUrlAddress } from './web/address-guard.js';
import { resolveImportFile } from './import-access.js';
import { Job } from './job.js';
import { JobRun } from './job-run.js';

export interface JobManagerOptions {
  pipeline: WritePipeline;
  /** Read on each use, so a reloaded configuration applies to the next job. */
  config(): { jobs: JobsConfig; scrape: ScrapeConfig };
  /** The daemon's socket: whether it is private decides which files imports may read. */
  socket(): string;
  log: Logger;
}

interface Watcher {
  onProgress(info: JobInfo): void;
  onEnd(info: JobInfo): void;
}

const INTERRUPTED = 'the daemon stopped before the job finished; resume it with `dindex jobs resume`';

/** Watchers hear of progress at most this often; of state changes at once. */
const PROGRESS_EVENT_MS = 250;

/**
 * The jobs: their records (kept in memory, stored through the write pipeline), a bounded
 * number running at once (p-queue), and the watchers of each.
 *
 *   queued ──▶ running ──▶ done | failed
 *     │           ├─ cancel ──▶ cancelled ──┐
 *     │           └─ daemon stops or dies ──▶ interrupted ──┤ resume ──▶ queued
 *     └─ cancel ──▶ cancelled                 failed ───────┘
 */
export class JobManager {
  readonly #options: JobManagerOptions;
  readonly #jobs = new Map<string, Job>();
  readonly #runs = new Map<string, { run: JobRun; ended: Promise<void>; stopAs: JobState }>();
  readonly #watchers = new Map<string, Set<Watcher>>();
  readonly #eventTimers = new Map<string, NodeJS.Timeout>();
  readonly #queue: PQueue;
  #closing = false;

  constructor(options: JobManagerOptions) {
    this.#options = options;
    this.#queue = new PQueue({ concurrency: options.config().jobs.concurrency });
  }

  /** Loads the stored jobs; those a crash left queued or running become interrupted. */
  async restore(): Promise<void> {
    const saves: Array<Promise<unknown>> = [];
    for (const row of this.#options.pipeline.takeStoredJobs()) {
      const job = Job.fromRow(row);
      this.#jobs.set(job.id, job);
      if (job.active) {
        job.setState('interrupted', INTERRUPTED);
        // A disk that is full must not keep the daemon from starting: the next state change stores it.
        saves.push(this.#options.pipeline.saveJob(job.row()).catch((err: Error) => {
          this.#options.log.warn({ job: job.id, err: err.message }, 'could not store that the job was interrupted');
        }));
      }
    }
    await Promise.all(saves);
  }

  async start(spec: JobSpec): Promise<JobInfo> {
    this.#assertOpen();
    const file = await this.#check(spec);
    const job = Job.create(crypto.randomUUID().slice(0, 8), spec);
    this.#jobs.set(job.id, job);
    await this.#options.pipeline.saveJob(job.row());
    this.#enqueue(job, file);
    return job.info();
  }

  list(state: JobState | undefined, limit: number): JobInfo[] {
    return [...this.#jobs.values()]
      .filter((job) => state === undefined || job.state === state)
      .sort((a, b) => b.createdAt - a.createdAt)
      .slice(0, limit)
      .map((job) => job.info());
  }

  get(id: string): JobInfo {
    return this.#require(id).info();
  }

  /** Jobs running now. */
  get running(): number {
    return this.#runs.size;
  }

  /** Counts by state, for status and metrics. */
  counts(): Record<JobState, number> {
    const counts = Object.fromEntries(JobStateSchema.options.map((state) => [state, 0])) as Record<JobState, number>;
    for (const job of this.#jobs.values()) counts[job.state]++;
    return counts;
  }

  async cancel(id: string): Promise<JobInfo> {
    const job = this.#require(id);
    const running = this.#runs.get(id);
    if (running) {
      running.stopAs = 'cancelled';
      running.run.stop();
      await running.ended;
    } else if (job.state === 'queued') {
      await this.#settle(job, 'cancelled', null);
    } else {
      throw new DindexError('JOB_STATE', `job ${id} is ${job.state}; only a queued or running job can be cancelled`);
    }
    return job.info();
  }

  async resume(id: string): Promise<JobInfo> {
    this.#assertOpen();
    const job = this.#require(id);
    if (!job.resumable) {
      throw new DindexError('JOB_STATE', `job ${id} is ${job.state}; only an interrupted, failed or cancelled job can be resumed`);
    }
    const file = await this.#check(job.spec);
    job.setState('queued');
    await this.#options.pipeline.saveJob(job.row());
    this.#enqueue(job, file);
    return job.info();
  }

  /** Calls `onProgress` with the job now and as it changes; resolves with the job once it has ended. */
  watch(id: string, onProgress: (info: JobInfo) => void, signal: AbortSignal): Promise<JobInfo> {
    const job = this.#require(id);
    if (!job.active) return Promise.resolve(job.info());
    onProgress(job.info());
    return new Promise((resolve) => {
      let watchers = this.#watchers.get(id);
      if (!watchers) this.#watchers.set(id, (watchers = new Set()));
      const watcher: Watcher = { onProgress, onEnd: resolve };
      watchers.add(watcher);
      signal.addEventListener('abort', () => watchers.delete(watcher), { once: true });
    });
  }

  /** At stop: running jobs are stopped once their handed-over batches commit, and left interrupted. */
  async close(): Promise<void> {
    this.#closing = true;
    this.#queue.clear();
    const waits = [...this.#runs.values()].map((entry) => {
      entry.stopAs = 'interrupted';
      entry.run.stop();
      return entry.ended;
    });
    for (const job of this.#jobs.values()) {
      if (job.state === 'queued') waits.push(this.#settle(job, 'interrupted', INTERRUPTED));
    }
    await Promise.all(waits);
  }

  #enqueue(job: Job, file: string | null): void {
    void this.#queue.add(async () => {
      if (job.state !== 'queued' || this.#closing) return;
      await this.#execute(job, file);
    });
  }

  async #execute(job: Job, file: string | null): Promise<void> {
    const { pipeline, log } = this.#options;
    job.setState('running');
    // Registered before anything is awaited, so a cancel or a stop from now on finds the run.
    const run = new JobRun({ job, file, pipeline, scrape: this.#options.config().scrape, log, onChange: () => this.#changed(job, false) });
    let ended: () => void = () => {};
    const entry = { run, ended: new Promise<void>((resolve) => (ended = resolve)), stopAs: 'cancelled' as JobState };
    this.#runs.set(job.id, entry);
    await pipeline.saveJob(job.row());
    this.#changed(job, true);
    log.info({ job: job.id, spec: job.spec }, 'job started');
    const outcome = await run.outcome;
    this.#runs.delete(job.id);
    if (outcome.kind === 'done') await this.#settle(job, 'done', null);
    else if (outcome.kind === 'failed') await this.#settle(job, 'failed', outcome.error);
    else await this.#settle(job, entry.stopAs, entry.stopAs === 'interrupted' ? INTERRUPTED : null);
    log.info({ job: job.id, state: job.state, counts: job.counts }, 'job ended');
    ended();
  }

  /** A job reaches a state after running (or instead of it): stored, then watchers told. */
  async #settle(job: Job, state: JobState, error: string | null): Promise<void> {
    job.setState(state, error);
    await this.#options.pipeline.saveJob(job.row()).catch((err: Error) => {
      this.#options.log.error({ job: job.id, err: err.message }, 'could not store the job\'s state');
    });
    this.#changed(job, true);
  }

  /** Tells watchers: state changes at once, progress at most every PROGRESS_EVENT_MS. */
  #changed(job: Job, now: boolean): void {
    const watchers = this.#watchers.get(job.id);
    if (!watchers || watchers.size === 0) return;
    if (!job.active) {
      clearTimeout(this.#eventTimers.get(job.id));
      this.#eventTimers.delete(job.id);
      this.#watchers.delete(job.id);
      const info = job.info();
      for (const watcher of watchers) watcher.onEnd(info);
      return;
    }
    const send = (): void => {
      this.#eventTimers.delete(job.id);
      // A job that has ended while its state was being stored is told by onEnd, once stored.
      if (!job.active) return;
      const info = job.info();
      for (const watcher of watchers) watcher.onProgress(info);
    };
    if (now) {
      clearTimeout(this.#eventTimers.get(job.id));
      send();
    } else if (!this.#eventTimers.has(job.id)) {
      this.#eventTimers.set(job.id, setTimeout(send, PROGRESS_EVENT_MS));
    }
  }

  /** Checks what a job will read before it is accepted; returns the import's resolved file. */
  async #check(spec: JobSpec): Promise<string | null> {
    const { jobs, scrape } = this.#options.config();
    if (spec.kind === 'import') return resolveImportFile(spec.path, this.#options.socket(), jobs.import_roots);
    for (const url of spec.urls) {
      try {
        await checkUrlAddress(new URL(url), scrape.allow_private_addresses);
      } catch (err) {
        // A name that does not resolve now is the crawl's problem, reported per page.
        if (err instanceof AddressRefusedError) throw new DindexError('ADDRESS_NOT_ALLOWED', err.message);
      }
    }
    return null;
  }

  #require(id: string): Job {
    const job = this.#jobs.get(id);
    if (!job) throw new DindexError('JOB_NOT_FOUND', `no job ${id}; \`dindex jobs list\` shows the known jobs`);
    return job;
  }

  #assertOpen(): void {
    if (this.#closing) throw new DindexError('SHUTTING_DOWN', 'the daemon is stopping and starts no jobs');
  }
}
