import type { HandlerMap } from '../dispatcher.js';
import { handleHello } from './hello.js';
import { handlePing } from './ping.js';
import { handleShutdown } from './shutdown.js';
import { handleStatus } from './status.js';

export const handlers: HandlerMap = {
  hello: handleHello,
  ping: handlePing,
  status: handleStatus,
  shutdown: handleShutdown,
};
