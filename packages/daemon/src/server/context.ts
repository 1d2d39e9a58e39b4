import type { Logger } from 'pino';
import type { z } from 'zod';
import type { DaemonStateSchema } from '@dindex/protocol';
import type { DaemonPaths } from '../lifecycle/paths.js';

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
}

export interface ConnectionHandle {
  readonly id: number;
  /** Called by the hello handler once the protocol versions agree. */
  completeHandshake(): void;
}

export interface RequestContext {
  readonly signal: AbortSignal;
  readonly connection: ConnectionHandle;
  readonly daemon: DaemonServices;
  readonly log: Logger;
}
