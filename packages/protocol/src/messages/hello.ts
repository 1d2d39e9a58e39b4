import { z } from 'zod';
import { defineRequest } from './define.js';

/** The handshake; must be the first request on every connection. */
export const hello = defineRequest('hello', {
  request: z.strictObject({
    protocol: z.number().int().nonnegative(),
    client: z.string().max(200),
  }),
  response: z.object({
    daemon: z.literal('dindex'),
    version: z.string(),
    protocol: z.number().int(),
    pid: z.number().int(),
    socket: z.string(),
    home: z.string(),
    capabilities: z.array(z.string()),
  }),
});
