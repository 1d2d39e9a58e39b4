import { setTimeout as sleep } from 'node:timers/promises';
import type { Handler } from '../dispatcher.js';

export const handlePing: Handler<'ping'> = async (body, { signal }) => {
  if (body.delay_ms) await sleep(body.delay_ms, undefined, { signal }).catch(() => undefined);
  return { pong: true };
};
