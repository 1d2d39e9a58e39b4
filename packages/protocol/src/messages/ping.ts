import { z } from 'zod';
import { defineRequest } from './define.js';

/** Liveness and round-trip check; `delay_ms` holds the answer back (timeouts, cancellation). */
export const ping = defineRequest('ping', {
  request: z.strictObject({
    delay_ms: z.number().int().min(0).max(60_000).optional(),
  }),
  response: z.object({ pong: z.literal(true) }),
});
