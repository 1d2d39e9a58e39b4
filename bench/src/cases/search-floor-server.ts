import fs from 'node:fs';
import net from 'node:net';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { FRAME_HEADER_BYTES } from '@dindex/protocol';

/**
 * The floor under a search over the socket: a raw Unix-socket server in its own process that
 * answers a request (spin ms as a double, answer bytes as a uint32, a byte 0 for inline or 1
 * for the thread) with that many bytes after spinning that
 * long, on its event loop ("inline") or in a worker thread, the daemon's way ("thread"). No
 * MessagePack, no validation, no index: what is left is the socket, the thread hop and the
 * wake-ups of this machine.
 */
function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

function frame(bytes: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + bytes.length);
  out.writeUInt32BE(bytes.length, 0);
  out.set(bytes, FRAME_HEADER_BYTES);
  return out;
}

if (!isMainThread) {
  parentPort!.on('message', ({ ms, bytes }: { ms: number; bytes: number }) => {
    spin(ms);
    parentPort!.postMessage(new Uint8Array(bytes));
  });
} else {
  const socketPath = process.argv[2]!;
  fs.rmSync(socketPath, { force: true });
  const thread = new Worker(new URL(import.meta.url));
  net.createServer((socket) => {
    socket.on('data', (request) => {
      const ms = request.readDoubleBE(0);
      const bytes = request.readUInt32BE(8);
      if (request[12] === 0) {
        spin(ms);
        socket.write(frame(new Uint8Array(bytes)));
      } else {
        thread.once('message', (answer: Uint8Array) => socket.write(frame(answer)));
        thread.postMessage({ ms, bytes });
      }
    });
  }).listen(socketPath, () => process.send?.('ready'));
}
