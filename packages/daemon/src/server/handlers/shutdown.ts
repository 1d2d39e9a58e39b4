import type { Handler } from '../dispatcher.js';

export const handleShutdown: Handler<'shutdown'> = (_body, { daemon }) => {
  daemon.requestShutdown('shutdown request');
  return { pid: daemon.pid, stopping: true };
};
