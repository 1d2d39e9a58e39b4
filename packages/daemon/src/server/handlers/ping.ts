import { setTimeout as sleep } from 'node:timers/promises';
import type { Handler } from '../dispatcher.js';

const PONG = { pong: true } as const;

/** Answers at once (synchronously, the hot path of the IPC benchmark) unless asked to wait. */
export const handlePing: Handler<'ping'> = (body, ctx) => {
  if (!body.delay_ms) return PONG;
  return sleep(body.delay_ms, undefined, { signal: ctx.signal }).then(() => PONG, () => PONG);
};
