import type { Document } from '@dindex/protocol';

/** Messages between the write pipeline (main thread) and the writer worker. */
export interface WriterSettings {
  databaseFile: string;
  batchSize: number;
  commitIntervalMs: number;
  chunkSize: number;
  chunkOverlap: number;
}

export type ToWriter =
  | { op: 'documents'; batch: number; documents: Document[] }
  | { op: 'delete'; batch: number; ids: string[] }
  | { op: 'commit'; batch: number }
  | { op: 'close' };

export interface BatchOutcome {
  batch: number;
  documents: number;
  chunks: number;
  skipped: number;
  deleted: number;
}

export type FromWriter =
  | { op: 'ready'; lastCommitSeq: number }
  | { op: 'committed'; seq: number; tookMs: number; batches: BatchOutcome[] }
  | { op: 'failed'; batches: number[]; code: 'STORAGE_ERROR'; message: string }
  | { op: 'closed' };
