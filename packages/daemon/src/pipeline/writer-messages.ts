import type { MessagePort } from 'node:worker_threads';
import type { Document } from '@dindex/protocol';
import type { PreparedDocument } from './prepare-document.js';

/**
 * Messages of the write pipeline: main thread → chunker thread → writer thread, in order (a
 * delete after an index of the same id must stay after it); results go back to the main thread.
 */
export interface PipelineSettings {
  databaseFile: string;
  batchSize: number;
  commitIntervalMs: number;
  chunkSize: number;
  chunkOverlap: number;
}

export interface ChunkerData {
  settings: PipelineSettings;
  /** Where prepared writes go: the writer thread. */
  writer: MessagePort;
}

export interface WriterData {
  settings: PipelineSettings;
  /** Where prepared writes come from: the chunker thread. */
  chunker: MessagePort;
}

export type ToChunker =
  | { op: 'documents'; batch: number; documents: Document[] }
  | { op: 'delete'; batch: number; ids: string[] }
  | { op: 'commit'; batch: number }
  | { op: 'close' };

export type ToWriter =
  | { op: 'documents'; batch: number; documents: PreparedDocument[] }
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

export type PipelineEvent =
  | { op: 'ready'; lastCommitSeq: number }
  | { op: 'committed'; seq: number; tookMs: number; batches: BatchOutcome[] }
  | { op: 'failed'; batches: number[]; code: 'STORAGE_ERROR'; message: string }
  | { op: 'closed' };
