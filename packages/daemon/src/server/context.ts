import type { Logger } from 'pino';
import type { z } from 'zod';
import type { DaemonStateSchema, RequestId } from '@dindex/protocol';
import type { SearchService } from '../search/search-service.js';
import type { VectorIndex } from '../vectors/vector-index.js';
import type { DaemonPaths } from '../lifecycle/paths.js';
import type { DaemonMetrics } from '../observability/metrics.js';
import type { IndexStreams } from '../pipeline/index-streams.js';
import type { JobManager } from '../jobs/job-manager.js';
import type { WritePipeline } from '../pipeline/write-pipeline.js';

export type DaemonState = z.infer<typeof DaemonStateSchema>;

/** What handlers may see of the daemon; the daemon implements it, handlers never import it. */
export interface DaemonServices {
  readonly pid: number;
  readonly version: string;
  readonly paths: DaemonPaths;
  readonly startedAt: Date;
  state(): DaemonState;
  load(): { connections: number; inflight: number };
  /** Starts a graceful stop after the current answer has been sent. */
  requestShutdown(reason: string): void;
  readonly index: IndexServices;
  readonly metrics: DaemonMetrics;
  /** Where Prometheus can scrape the metrics over HTTP, when configured. */
  metricsUrl(): string | null;
}

/** The index: writes go through the pipeline, reads through the search service. */
export interface IndexServices {
  readonly pipeline: WritePipeline;
  readonly search: SearchService;
  readonly vectors: VectorIndex;
  readonly streams: IndexStreams;
  /** Background jobs (imports, scrapes) that feed the pipeline. */
  readonly jobs: JobManager;
}

export interface ConnectionHandle {
  readonly id: number;
  /** Called by the hello handler once the protocol versions agree. */
  completeHandshake(): void;
  /** Stops reading from this client until `until` settles (backpressure from a full queue). */
  holdReading(until: Promise<unknown>): void;
}

export interface RequestContext {
  /** The request's id, which an answer encoded elsewhere as a whole frame must carry. */
  readonly requestId: RequestId;
  readonly signal: AbortSignal;
  readonly connection: ConnectionHandle;
  readonly daemon: DaemonServices;
  readonly log: Logger;
  /** Pushes an event to the client for this request (a subscription such as `jobs.watch`). */
  emit(type: string, body: unknown): void;
}
