import path from 'node:path';

/**
 * Where dindex keeps its files, per the design. Pure functions of the environment, so the
 * daemon and every client agree on the same paths.
 */
export interface PathEnvironment {
  env: Record<string, string | undefined>;
  homedir: string;
  uid: number;
}

/** sun_path holds 108 bytes on Linux (104 on macOS), including the terminating NUL. */
export const MAX_SOCKET_PATH_BYTES = process.platform === 'linux' ? 107 : 103;

export function resolveHome(pe: PathEnvironment): string {
  if (pe.env.DINDEX_HOME) return path.resolve(pe.env.DINDEX_HOME);
  const dataHome = pe.env.XDG_DATA_HOME || path.join(pe.homedir, '.local', 'share');
  return path.join(dataHome, 'dindex');
}

export function resolveSocket(pe: PathEnvironment): string {
  if (pe.env.DINDEX_SOCKET) return path.resolve(pe.env.DINDEX_SOCKET);
  if (pe.env.XDG_RUNTIME_DIR) return path.join(pe.env.XDG_RUNTIME_DIR, 'dindex', 'dindex.sock');
  return path.join('/tmp', `dindex-${pe.uid}`, 'dindex.sock');
}

export function resolveConfigPath(pe: PathEnvironment, home: string): string {
  return pe.env.DINDEX_CONFIG ? path.resolve(pe.env.DINDEX_CONFIG) : path.join(home, 'config.toml');
}

export function logFilePath(home: string): string {
  return path.join(home, 'daemon.log');
}

export function lockFilePath(home: string): string {
  return path.join(home, 'daemon.lock');
}
