import fs from 'node:fs';
import net from 'node:net';
import type { Logger } from 'pino';
import { DindexError, FrameWriter } from '@dindex/protocol';
import { Connection, toWireError, type ConnectionLimits } from './connection.js';
import type { DaemonServices } from './context.js';
import type { Dispatch } from './dispatcher.js';

export interface SocketServerDeps {
  dispatch: Dispatch;
  daemon: DaemonServices;
  log: Logger;
  /** Read for every new connection, so a config reload applies to the next client. */
  limits(): ConnectionLimits & { maxConnections: number };
  onConnectionClosed(id: number): void;
}

/** Accepts connections on the Unix socket and keeps track of them; no request logic here. */
export class SocketServer {
  readonly #server: net.Server;
  readonly #deps: SocketServerDeps;
  readonly #connections = new Set<Connection>();

  constructor(deps: SocketServerDeps) {
    this.#deps = deps;
    this.#server = net.createServer((socket) => this.#accept(socket));
    this.#server.on('error', (err) => deps.log.error({ err }, 'server error'));
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  get inflightCount(): number {
    let total = 0;
    for (const connection of this.#connections) total += connection.inflight;
    return total;
  }

  listen(socketPath: string, mode: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(new DindexError('STARTUP_FAILED', `cannot listen on ${socketPath}: ${err.message}`));
      this.#server.once('error', onError);
      this.#server.listen(socketPath, () => {
        this.#server.off('error', onError);
        try {
          fs.chmodSync(socketPath, mode);
          resolve();
        } catch (err) {
          reject(err);
        }
      });
    });
  }

  /** Serves a listening socket inherited from systemd (socket activation); resolves with its path if known. */
  adopt(fd: number): Promise<string | null> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(new DindexError('STARTUP_FAILED', `cannot serve the socket systemd passed (fd ${fd}): ${err.message}`));
      this.#server.once('error', onError);
      this.#server.listen({ fd }, () => {
        this.#server.off('error', onError);
        const address = this.#server.address();
        resolve(typeof address === 'string' ? address : null);
      });
    });
  }

  /** Stops accepting; established connections keep being served. */
  stopAccepting(): void {
    this.#server.close();
  }

  /** Waits until no request is running, or the timeout passes; true when all finished. */
  async drain(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const idle = Promise.all([...this.#connections].map((c) => c.whenIdle())).then(() => true as const);
    const finished = await Promise.race([idle, timedOut]);
    clearTimeout(timer);
    return finished;
  }

  closeAll(): void {
    for (const connection of this.#connections) connection.close();
  }

  #accept(socket: net.Socket): void {
    const limits = this.#deps.limits();
    if (this.#connections.size >= limits.maxConnections) {
      socket.on('error', () => {});
      new FrameWriter(socket).write({
        kind: 'error',
        error: toWireError(new DindexError('TOO_MANY_CONNECTIONS', `the daemon is at max_connections (${limits.maxConnections})`)),
      });
      socket.end();
      return;
    }
    const connection = new Connection(socket, {
      dispatch: this.#deps.dispatch,
      daemon: this.#deps.daemon,
      log: this.#deps.log,
      limits,
      onClose: (closed) => {
        this.#connections.delete(closed);
        this.#deps.onConnectionClosed(closed.id);
      },
    });
    this.#connections.add(connection);
  }
}
