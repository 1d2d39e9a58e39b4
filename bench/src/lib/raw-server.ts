import { fork, type ChildProcess } from 'node:child_process';
import net from 'node:net';

export interface RawServer {
  child: ChildProcess;
  /** A connection to the server. */
  socket: net.Socket;
  stop(): void;
}

/**
 * A baseline server (one of the cases' `*-server.ts` scripts) in its own process, listening on
 * `socketPath`, and a connection to it: what dindex is measured against, with no dindex code.
 */
export async function startRawServer(script: URL, socketPath: string): Promise<RawServer> {
  const child = fork(script, [socketPath], { stdio: 'inherit' });
  await new Promise((resolve) => child.once('message', resolve));
  const socket = await new Promise<net.Socket>((resolve) => {
    const s = net.connect(socketPath, () => resolve(s));
  });
  return {
    child, socket,
    stop: () => {
      socket.destroy();
      child.kill();
    },
  };
}
