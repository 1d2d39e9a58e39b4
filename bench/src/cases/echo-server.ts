import fs from 'node:fs';
import net from 'node:net';

/**
 * The baseline: a raw Node Unix-socket echo server in its own process, the least any
 * request/response over a local socket can cost.
 */
const socketPath = process.argv[2]!;
fs.rmSync(socketPath, { force: true });
net.createServer((socket) => socket.on('data', (chunk) => socket.write(chunk))).listen(socketPath, () => {
  process.send?.('ready');
});
