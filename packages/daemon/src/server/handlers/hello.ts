import { DindexError, ImportFormatSchema, PROTOCOL_VERSION, REQUESTS } from '@dindex/protocol';
import type { DaemonServices } from '../context.js';
import type { Handler } from '../dispatcher.js';

/** What this daemon can do: every request type, the search modes its configuration allows, the job kinds. */
function capabilities(daemon: DaemonServices): string[] {
  const modes = daemon.index.pipeline.embedder ? ['bm25', 'vector', 'hybrid'] : ['bm25'];
  return [
    ...Object.keys(REQUESTS),
    ...modes.map((mode) => `search:${mode}`),
    ...ImportFormatSchema.options.map((format) => `jobs:import:${format}`),
    'jobs:scrape',
  ];
}

export const handleHello: Handler<'hello'> = (body, { connection, daemon }) => {
  if (body.protocol !== PROTOCOL_VERSION) {
    throw new DindexError('PROTOCOL_MISMATCH',
      `client speaks protocol ${body.protocol}, daemon ${daemon.version} speaks ${PROTOCOL_VERSION}; ` +
      'restart the daemon with the same dindex version as the client (dindex daemon restart)',
      { client: body.protocol, daemon: PROTOCOL_VERSION, daemon_version: daemon.version });
  }
  connection.completeHandshake();
  return {
    daemon: 'dindex',
    version: daemon.version,
    protocol: PROTOCOL_VERSION,
    pid: daemon.pid,
    socket: daemon.paths.socket,
    home: daemon.paths.home,
    capabilities: capabilities(daemon),
  };
};
