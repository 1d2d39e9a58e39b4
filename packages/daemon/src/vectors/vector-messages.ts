import type { MessagePort } from 'node:worker_threads';
import type { VectorIndexStatus } from '@dindex/protocol';
import type { VectorsConfig } from '../config/schema.js';

/** Messages between the main thread and the vector index thread. */
export interface VectorWorkerData {
  databaseFile: string;
  home: string;
  config: VectorsConfig;
  /** Vector changes from the writer thread, one message per commit. */
  updates: MessagePort;
}

export type ToVectorWorker =
  /** `afterSeq`: the last commit that changed vectors when the search was asked (see the vector thread). */
  | { op: 'search'; id: number; vector: Float32Array; k: number; afterSeq: number }
  | { op: 'rebuild' }
  | { op: 'close' };

export type VectorWorkerEvent =
  | { op: 'state'; state: VectorIndexStatus }
  | { op: 'log'; level: 'info' | 'warn' | 'error'; message: string; data?: Record<string, unknown> }
  | { op: 'matches'; id: number; chunkIds: number[]; distances: number[] }
  | { op: 'search-failed'; id: number; code: 'VECTOR_INDEX_BUILDING'; message: string }
  | { op: 'closed' };
