import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { DindexError } from '@dindex/protocol';
import type { ScrapeConfig } from '../config/schema.js';
import { WritePipeline } from '../pipeline/write-pipeline.js';
import type { Job } from './job.js';
import type { FromJobThread, JobThreadData, SourceReport, ToJobThread } from './job-messages.js';

export type RunOutcome = { kind: 'done' } | { kind: 'failed'; error: string } | { kind: 'stopped' };

export interface JobRunOptions {
  job: Job;
  /** The import's file, resolved by the import path rule. */
  file: string | null;
  pipeline: WritePipeline;
  scrape: ScrapeConfig;
  log: Logger;
  /** Called when the job's progress or counters changed. */
  onChange(): void;
}

/**
 * One run of a job: its thread reads the source; here its batches enter the write pipeline
 * in order, each taking room in the ingest queue first (so a job is held back like any other
 * producer) and carrying its checkpoint into the commit. The run ends once its thread has
 * finished or been stopped and everything it handed over has committed.
 */
export class JobRun {
  readonly outcome: Promise<RunOutcome>;
  readonly #options: JobRunOptions;
  readonly #worker: Worker;
  readonly #commits = new Set<Promise<unknown>>();
  #chain: Promise<void> = Promise.resolve();
  /** The checkpoint the next batch continues from. */
  #after: string | null;
  #stopped = false;
  #finished = false;
  #failure: string | null = null;
  #end: (outcome: RunOutcome) => void = () => {};

  constructor(options: JobRunOptions) {
    this.#options = options;
    const { job } = options;
    const data: JobThreadData = {
      spec: job.spec, file: options.file, scrape: options.scrape,
      checkpoint: job.checkpoint === null ? null : JSON.parse(job.checkpoint),
      report: job.report,
    };
    this.#after = job.checkpoint;
    this.outcome = new Promise((resolve) => (this.#end = resolve));
    this.#worker = new Worker(new URL('./job-thread.js', import.meta.url), { workerData: data });
    this.#worker.on('message', (message: FromJobThread) => {
      this.#chain = this.#chain.then(() => this.#handle(message));
    });
    this.#worker.on('error', (err) => this.#fail(`the job's thread failed: ${err.message}`));
    this.#worker.on('exit', () => {
      this.#chain = this.#chain.then(() => this.#finish());
    });
  }

  /** Stops reading the source; what was handed over still commits, then `outcome` settles. */
  stop(): void {
    this.#stopped = true;
    void this.#worker.terminate();
  }

  async #handle(message: FromJobThread): Promise<void> {
    const { job, pipeline } = this.#options;
    switch (message.op) {
      case 'batch': {
        // After a failed commit nothing more goes in: the job resumes from its last checkpoint.
        if (this.#failure !== null) break;
        const bytes = WritePipeline.sizeOf(message.documents);
        await pipeline.admit(bytes);
        const report = JSON.parse(message.report) as SourceReport;
        const checkpoint = { id: job.id, after: this.#after, checkpoint: message.checkpoint, report: message.report };
        this.#after = message.checkpoint;
        const commit = pipeline.submitDocuments(message.documents, bytes, checkpoint)
          .then((result) => {
            if (result.checkpointed) job.committed(message.checkpoint, report, result);
            this.#options.onChange();
          }, (err: DindexError) => this.#fail(err.message));
        job.advance(report.current, report.total);
        this.#commits.add(commit);
        void commit.finally(() => this.#commits.delete(commit));
        this.#post({ op: 'ack' });
        break;
      }
      case 'progress':
        job.advance(message.current, message.total);
        this.#options.onChange();
        break;
      case 'failed':
        this.#fail(message.message);
        break;
      case 'done':
        this.#finished = true;
        job.stage = 'committing';
        this.#options.onChange();
        void this.#worker.terminate();
        break;
    }
  }

  /** After the thread's exit: waits for the commits of what it sent, then reports how it ended. */
  async #finish(): Promise<void> {
    await Promise.all(this.#commits);
    if (this.#failure !== null) this.#end({ kind: 'failed', error: this.#failure });
    else if (this.#stopped) this.#end({ kind: 'stopped' });
    else if (this.#finished) this.#end({ kind: 'done' });
    else this.#end({ kind: 'failed', error: 'the job\'s thread ended unexpectedly' });
  }

  #fail(message: string): void {
    if (this.#failure !== null) return;
    this.#failure = message;
    this.#options.log.warn({ job: this.#options.job.id, err: message }, 'job failed');
    void this.#worker.terminate();
  }

  #post(message: ToJobThread): void {
    try {
      this.#worker.postMessage(message);
    } catch {
      // The thread has already gone.
    }
  }
}
