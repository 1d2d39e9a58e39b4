import net from 'node:net';
import { FrameDecoder, encodeFrame, PROTOCOL_VERSION } from '@dindex/protocol';

/**
 * A hand-driven connection for hostile-peer tests: sends raw bytes or frames and collects
 * every decoded message, plus whether the daemon closed the connection.
 */
export class RawSocket {
  readonly socket: net.Socket;
  readonly messages: Array<Record<string, unknown>> = [];
  closed = false;
  readonly #decoder = new FrameDecoder({ maxFrameBytes: 1 << 30 });
  #waiters: Array<() => void> = [];

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (chunk) => {
      for (const frame of this.#decoder.push(chunk)) {
        if ('message' in frame) this.messages.push(frame.message as Record<string, unknown>);
      }
      this.#wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.#wake();
    });
    socket.on('error', () => {});
  }

  static connect(path: string): Promise<RawSocket> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(path, () => resolve(new RawSocket(socket)));
      socket.once('error', reject);
    });
  }

  send(message: unknown): void {
    this.socket.write(encodeFrame(message));
  }

  async hello(): Promise<void> {
    this.send({ kind: 'req', id: 'hello', type: 'hello', body: { protocol: PROTOCOL_VERSION, client: 'raw-test' } });
    const answer = await this.response('hello');
    if (answer.ok !== true) throw new Error(`hello failed: ${JSON.stringify(answer)}`);
  }

  /** Waits for the answer to request `id`. */
  async response(id: unknown, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    await this.until(() => this.messages.some((m) => m.kind === 'res' && m.id === id), timeoutMs);
    return this.messages.find((m) => m.kind === 'res' && m.id === id)!;
  }

  until(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out; messages so far: ${JSON.stringify(this.messages).slice(0, 500)}`)), timeoutMs);
      const check = (): void => {
        if (predicate()) {
          clearTimeout(timer);
          resolve();
        } else this.#waiters.push(check);
      };
      this.#waiters.push(check);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  #wake(): void {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }
}
