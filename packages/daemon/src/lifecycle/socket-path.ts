import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { DindexError, MAX_SOCKET_PATH_BYTES } from '@dindex/protocol';

/**
 * Checks that the socket can be bound safely: the path fits in sun_path, and its directory is
 * ours and closed to others (who could otherwise swap the socket for their own).
 */
export function prepareSocketDirectory(socketPath: string, socketMode: number): void {
  const bytes = Buffer.byteLength(socketPath);
  if (bytes > MAX_SOCKET_PATH_BYTES) {
    throw new DindexError('SOCKET_PATH_TOO_LONG',
      `socket path is ${bytes} bytes, over the ${MAX_SOCKET_PATH_BYTES}-byte limit for Unix sockets: ${socketPath}; ` +
      'set DINDEX_SOCKET (or --socket) to a shorter path', { path: socketPath, bytes, limit: MAX_SOCKET_PATH_BYTES });
  }
  const dir = path.dirname(socketPath);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = fs.statSync(dir);
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) {
    throw new DindexError('SOCKET_DIR_INSECURE',
      `socket directory ${dir} is owned by uid ${st.uid}, not by you (uid ${uid}); choose a directory of your own with DINDEX_SOCKET`,
      { dir, owner: st.uid });
  }
  // A group-accessible socket (socket_mode 0660) may live in a group-readable directory.
  const forbidden = socketMode & 0o070 ? 0o027 : 0o077;
  if (st.mode & forbidden) {
    const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
    throw new DindexError('SOCKET_DIR_INSECURE',
      `socket directory ${dir} has mode ${mode}, open to other users; run: chmod 700 ${dir}`, { dir, mode });
  }
}

/**
 * Removes a socket file left by a dead daemon. If something still answers there, another
 * daemon (perhaps of another data directory) owns it and we must not steal it.
 */
export async function removeStaleSocket(socketPath: string): Promise<void> {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(socketPath);
  } catch {
    return;
  }
  if (!st.isSocket()) {
    throw new DindexError('SOCKET_IN_USE', `${socketPath} exists and is not a socket; remove it or choose another DINDEX_SOCKET`);
  }
  if (await answers(socketPath)) {
    throw new DindexError('SOCKET_IN_USE',
      `another process is listening on ${socketPath}; stop it or choose another DINDEX_SOCKET`, { socket: socketPath });
  }
  fs.rmSync(socketPath, { force: true });
}

function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.connect(socketPath);
    const done = (alive: boolean): void => {
      probe.destroy();
      resolve(alive);
    };
    probe.once('connect', () => done(true));
    probe.once('error', () => done(false));
    probe.setTimeout(1000, () => done(false));
  });
}
