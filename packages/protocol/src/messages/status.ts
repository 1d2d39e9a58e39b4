import { z } from 'zod';
import { defineRequest } from './define.js';

export const DaemonStateSchema = z.enum(['starting', 'running', 'draining', 'stopped']);

/** What the daemon is and how it is doing; `dindex daemon status --json` prints this. */
export const status = defineRequest('status', {
  request: z.strictObject({}),
  response: z.object({
    running: z.literal(true),
    state: DaemonStateSchema,
    pid: z.number().int(),
    version: z.string(),
    protocol: z.number().int(),
    socket: z.string(),
    home: z.string(),
    config: z.string(),
    started_at: z.string(),
    uptime_s: z.number(),
    memory: z.object({ rss: z.number(), heap_used: z.number(), heap_total: z.number(), external: z.number() }),
    connections: z.number().int(),
    inflight: z.number().int(),
  }),
});
