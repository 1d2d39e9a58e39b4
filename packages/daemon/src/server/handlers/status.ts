import { PROTOCOL_VERSION } from '@dindex/protocol';
import type { Handler } from '../dispatcher.js';

export const handleStatus: Handler<'status'> = (_body, { daemon }) => {
  const memory = process.memoryUsage();
  const load = daemon.load();
  return {
    running: true,
    state: daemon.state(),
    pid: daemon.pid,
    version: daemon.version,
    protocol: PROTOCOL_VERSION,
    socket: daemon.paths.socket,
    home: daemon.paths.home,
    config: daemon.paths.config,
    started_at: daemon.startedAt.toISOString(),
    uptime_s: Math.round((Date.now() - daemon.startedAt.getTime()) / 100) / 10,
    memory: { rss: memory.rss, heap_used: memory.heapUsed, heap_total: memory.heapTotal, external: memory.external },
    connections: load.connections,
    inflight: load.inflight,
    pipeline: daemon.index.pipeline.status(),
  };
};
