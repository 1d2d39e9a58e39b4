import type { Document, JobProblem, JobSpec } from '@dindex/protocol';
import type { ScrapeConfig } from '../config/schema.js';

/**
 * Messages between the main thread and a job's thread. The thread reads and parses the
 * source and sends documents in batches, each with the source's checkpoint after it; it
 * sends the next batch only while fewer than `BATCH_WINDOW` are waiting for room in the
 * write pipeline, so a job holds a bounded amount of memory however large its source is.
 */
export const BATCH_WINDOW = 2;

/** What a source has tallied so far; saved with each checkpoint, so it survives a resume. */
export interface SourceReport {
  /** Records deliberately not indexed: redirects, other namespaces, non-text pages, robots.txt. */
  rejected: number;
  /** Records that could not be read: bad lines, failed fetches. */
  errors: number;
  /** The latest problems, oldest first. */
  problems: JobProblem[];
  /** How far the source had got, in its progress unit. */
  current: number;
  total: number | null;
}

export interface JobThreadData {
  spec: JobSpec;
  /** The import's file, resolved and checked by the main thread. */
  file: string | null;
  /** Where the last run stopped (the source's own shape), or null to start from the beginning. */
  checkpoint: unknown;
  report: SourceReport | null;
  scrape: ScrapeConfig;
}

export type FromJobThread =
  | { op: 'batch'; documents: Document[]; checkpoint: string; report: string }
  | { op: 'progress'; current: number; total: number | null }
  | { op: 'done' }
  | { op: 'failed'; message: string };

/** A batch found room in the pipeline. (A job is stopped by terminating its thread.) */
export type ToJobThread = { op: 'ack' };

export const MAX_PROBLEMS = 20;
