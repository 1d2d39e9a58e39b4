import crypto from 'node:crypto';
import { DindexError } from '@dindex/protocol';
import type { BatchResult } from './write-pipeline.js';

interface IndexStream {
  connection: number;
  started: number;
  batches: Array<Promise<BatchResult>>;
}

export interface StreamSummary {
  documents: number;
  chunks: number;
  skipped: number;
  commit_seq: number;
  took_ms: number;
}

/** Open `index.begin` streams: the batches each one has queued, so `index.end` can await them. */
export class IndexStreams {
  readonly #streams = new Map<string, IndexStream>();

  /** Streams begun and not yet ended. */
  get count(): number {
    return this.#streams.size;
  }

  open(connection: number): string {
    const id = crypto.randomUUID();
    this.#streams.set(id, { connection, started: performance.now(), batches: [] });
    return id;
  }

  /** Throws UNKNOWN_STREAM unless `connection` opened `id` and has not ended it. */
  get(connection: number, id: string): IndexStream {
    const stream = this.#streams.get(id);
    if (!stream || stream.connection !== connection) {
      throw new DindexError('UNKNOWN_STREAM', `no open index stream "${id}" on this connection; start one with index.begin`);
    }
    return stream;
  }

  add(connection: number, id: string, batch: Promise<BatchResult>): void {
    // Failures surface at index.end; until then the rejection is held, not unhandled.
    batch.catch(() => {});
    this.get(connection, id).batches.push(batch);
  }

  /** Waits until every batch of the stream is committed, then closes it. */
  async end(connection: number, id: string, lastCommitSeq: () => number): Promise<StreamSummary> {
    const stream = this.get(connection, id);
    this.#streams.delete(id);
    const results = await Promise.all(stream.batches);
    const sum = (key: 'documents' | 'chunks' | 'skipped'): number => results.reduce((n, r) => n + r[key], 0);
    return {
      documents: sum('documents'),
      chunks: sum('chunks'),
      skipped: sum('skipped'),
      commit_seq: results.length ? Math.max(...results.map((r) => r.seq)) : lastCommitSeq(),
      took_ms: Math.round((performance.now() - stream.started) * 100) / 100,
    };
  }

  /** A connection went away: its open streams end unacknowledged (queued writes still land). */
  dropConnection(connection: number): void {
    for (const [id, stream] of this.#streams) if (stream.connection === connection) this.#streams.delete(id);
  }
}
