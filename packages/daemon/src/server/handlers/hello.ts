import { DindexError, PROTOCOL_VERSION } from '@dindex/protocol';
import type { Handler } from '../dispatcher.js';

export const CAPABILITIES = ['ping', 'status', 'shutdown', 'index', 'delete', 'commit', 'stats', 'search:bm25'];

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
    capabilities: CAPABILITIES,
  };
};
