import { afterAll, beforeAll } from 'vitest';
import { DaemonClient } from '@dindex/client';
import { makeTestEnv, type TestEnv } from './env.js';
import { spawnDaemon, type ForegroundDaemon } from './processes.js';

export interface SharedDaemon {
  readonly t: TestEnv;
  readonly daemon: ForegroundDaemon;
  readonly client: DaemonClient;
}

/** One daemon (and a connected client) for all tests of a file, stopped and removed after them. */
export function sharedDaemon(args: string[] = []): SharedDaemon {
  const state: Partial<{ -readonly [K in keyof SharedDaemon]: SharedDaemon[K] }> = {};
  beforeAll(async () => {
    state.t = makeTestEnv();
    state.daemon = await spawnDaemon(state.t, args);
    state.client = await DaemonClient.connect({ socket: state.t.socket });
  });
  afterAll(async () => {
    state.client?.close();
    state.daemon?.child.kill('SIGTERM');
    await state.daemon?.exited;
    state.t?.cleanup();
  });
  return state as SharedDaemon;
}
