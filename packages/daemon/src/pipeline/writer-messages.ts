import type { MessagePort } from 'node:worker_threads';
import type { Document, EmbeddingStatus } from '@dindex/protocol';
import type { EmbeddingConfig } from '../config/schema.js';
import type { IntegrityCheck } from '../index/integrity.js';
import type { JobCheckpoint, JobRow, JobStateRow } from '../index/job-table.js';
import type { PreparedDocument } from './prepare-document.js';

/**
 * Messages of the write pipeline: main thread → chunker thread → embedding thread (when an
 * embedder is configured) → writer thread, in order (a delete after an index of the same id
 * must stay after it); results go back to the main thread, and the vectors each commit added
 * or removed go from the writer to the vector index thread.
 */
export interface PipelineSettings {
  databaseFile: string;
  batchSize: number;
  commitIntervalMs: number;
  chunkSize: number;
  chunkOverlap: number;
  /** `provider:model` of the configured embedder, or null: chunks then get no vectors. */
  embeddingModel: string | null;
  /** Check the database (and repair what can be rebuilt) before serving. */
  startupChecks: boolean;
  /** Quiet time after which the writer merges FTS5's segments; 0: never. */
  mergeIdleMs: number;
}

export interface ChunkerData {
  settings: PipelineSettings;
  /** Where prepared writes go: the embedding thread, or the writer thread without one. */
  next: MessagePort;
}

export interface EmbedderData {
  settings: PipelineSettings;
  embedding: EmbeddingConfig;
  home: string;
  env: Record<string, string | undefined>;
  chunker: MessagePort;
  writer: MessagePort;
}

export interface WriterData {
  settings: PipelineSettings;
  /** Where prepared writes come from: the thread before the writer. */
  previous: MessagePort;
  /** Where the vector changes of every commit go: the vector index thread. */
  vectorUpdates: MessagePort;
}

/** Writes and requests that pass every thread unchanged, in order, to the writer. */
export type PassedOn =
  | { op: 'delete'; batch: number; ids: string[] }
  | { op: 'commit'; batch: number }
  | { op: 'reembed'; batch: number }
  | { op: 'doctor'; id: number; repair: boolean }
  /** A job's state changed; committed at once. */
  | { op: 'job'; batch: number; row: JobStateRow }
  | { op: 'close' };

/** `job`: documents from a job, whose checkpoint after them commits with them. */
export type ToChunker = { op: 'documents'; batch: number; documents: Document[]; job?: JobCheckpoint } | PassedOn;

/** A prepared document, with the vectors of its chunks (flat, `dimensions` apart) when they could be made. */
export interface EmbeddedDocument extends PreparedDocument {
  vectors?: Float32Array;
}

export type ToWriter =
  | { op: 'documents'; batch: number; documents: EmbeddedDocument[]; job?: JobCheckpoint }
  /** Vectors for chunks committed earlier as pending. */
  | { op: 'vectors'; chunks: PendingChunkRef[]; vectors: Float32Array }
  /** Pending chunks whose text the embedder refuses: kept pending, skipped until a re-embed. */
  | { op: 'vectors-refused'; chunks: PendingChunkRef[]; reason: string }
  | PassedOn;

/** A chunk waiting for its vector, as listed: its id and the commit that listed it. */
export interface PendingChunkRef {
  chunkId: number;
  sinceSeq: number;
}

export interface BatchOutcome {
  batch: number;
  documents: number;
  chunks: number;
  skipped: number;
  deleted: number;
  /** For a job's batch: whether its checkpoint was stored (see JobTable.saveCheckpoint). */
  checkpointed?: boolean;
}

/** What one commit changed among the vectors; the vector index thread applies it. */
export interface VectorUpdate {
  op: 'update';
  seq: number;
  /** Every vector was dropped (a re-embed) before the rest of this update. */
  reset: boolean;
  removed: number[];
  addedIds: number[];
  /** Flat, one vector per added id. */
  added: Float32Array<ArrayBuffer>;
}

export type ToVectorIndex = VectorUpdate | { op: 'end' };

export type PipelineEvent =
  /** `checksSkipped`: the files were as a clean stop left them (see index/clean-stop.ts). */
  | { op: 'ready'; lastCommitSeq: number; checks: IntegrityCheck[]; checksSkipped: boolean; jobs: JobRow[] }
  | { op: 'doctor-report'; id: number; checks: IntegrityCheck[] }
  | { op: 'committed'; seq: number; tookMs: number; batches: BatchOutcome[]; vectorsChanged: boolean }
  | { op: 'failed'; batches: number[]; code: StorageErrorCode; message: string }
  | { op: 'merge-failed'; message: string }
  | { op: 'merged'; steps: number; tookMs: number }
  | { op: 'checkpoint-failed'; message: string }
  | { op: 'closed' };

export type StorageErrorCode = 'STORAGE_ERROR' | 'DISK_FULL' | 'READ_ONLY';

/** The error code for a failed write, from SQLite's own code and the system error under it. */
export function storageErrorCode(err: unknown): StorageErrorCode {
  const code = String((err as { code?: unknown }).code ?? '');
  const message = String((err as Error).message ?? '');
  if (code === 'SQLITE_FULL' || /ENOSPC|disk is full|database or disk is full/i.test(message)) return 'DISK_FULL';
  if (code.startsWith('SQLITE_READONLY') || /EROFS|read-only|readonly/i.test(message)) return 'READ_ONLY';
  return 'STORAGE_ERROR';
}

/** How the embedding thread is doing; the main thread keeps the latest for `status`. */
export type EmbedderState = Pick<EmbeddingStatus, 'available' | 'last_error' | 'mismatch'> & {
  model: string;
  dimensions: number | null;
};

export type ToEmbedder = { op: 'query'; id: number; text: string };

export type EmbedderEvent =
  | { op: 'embedder-ready'; state: EmbedderState }
  | { op: 'embedder-failed'; message: string }
  | { op: 'embedder-state'; state: EmbedderState }
  | { op: 'query-vector'; id: number; vector: Float32Array }
  | { op: 'query-failed'; id: number; code: 'EMBEDDER_UNAVAILABLE' | 'EMBEDDING_MISMATCH'; message: string };
