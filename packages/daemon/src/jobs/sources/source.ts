import type { Document } from '@dindex/protocol';
import type { SourceReport } from '../job-messages.js';

/**
 * A job's source: reads its input as a stream and yields, in order, every record it consumed
 * — a document, or nothing for a record it skipped — each with the checkpoint that resumes
 * right after it. Sources run in a job's own thread.
 */
export interface SourceItem {
  document: Document | null;
  checkpoint: unknown;
}

export interface SourceContext {
  readonly signal: AbortSignal;
  /** Where the previous run stopped, as this source yielded it, or null. */
  readonly checkpoint: unknown;
  /** How far the source is, in its unit (bytes read, pages fetched); sent on at most a few times a second. */
  progress(current: number, total: number | null): void;
  /** A record that could not be read. */
  error(where: string, message: string): void;
  /** A record deliberately left out; `why` is kept among the problems when given. */
  reject(where?: string, why?: string): void;
}

export type Source = (ctx: SourceContext) => AsyncIterable<SourceItem>;

export function emptyReport(): SourceReport {
  return { rejected: 0, errors: 0, problems: [], current: 0, total: null };
}
