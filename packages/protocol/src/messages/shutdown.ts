import { z } from 'zod';
import { defineRequest } from './define.js';

/** Asks the daemon to stop gracefully; it answers first, then drains and exits. */
export const shutdown = defineRequest('shutdown', {
  request: z.strictObject({}),
  response: z.object({ pid: z.number().int(), stopping: z.literal(true) }),
});
