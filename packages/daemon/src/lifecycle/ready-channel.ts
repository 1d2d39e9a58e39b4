import fs from 'node:fs';
import type { DindexError } from '@dindex/protocol';

/**
 * A client that spawns the daemon in the background passes it an extra pipe (`--ready-fd`). The
 * daemon writes one JSON line there, ready or failed, and closes it, so the client knows the
 * outcome at once, with the daemon's own error, instead of polling and guessing.
 */
export type ReadyMessage =
  | { ready: true; pid: number; socket: string }
  | { ready: false; error: { code: string; message: string; details?: unknown } };

export class ReadyChannel {
  #fd: number | null;

  constructor(fd: number | null) {
    this.#fd = fd;
  }

  ready(pid: number, socket: string): void {
    this.#send({ ready: true, pid, socket });
  }

  failed(error: DindexError): void {
    this.#send({ ready: false, error: { code: error.code, message: error.message, details: error.details } });
  }

  #send(message: ReadyMessage): void {
    if (this.#fd === null) return;
    const fd = this.#fd;
    this.#fd = null;
    try {
      fs.writeSync(fd, JSON.stringify(message) + '\n');
      fs.closeSync(fd);
    } catch {
      // The spawning client may have gone away; nothing to tell then.
    }
  }
}
