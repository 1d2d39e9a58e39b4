import path from 'node:path';

/**
 * Where dindex keeps its files, per the design. A pure function of the environment, explicit
 * overrides (flags, SDK options) and the machine's facts, so the daemon and every client agree.
 */
export interface PathOverrides {
  home?: string | undefined;
  socket?: string | undefined;
  config?: string | undefined;
}

export interface ResolvedPaths {
  home: string;
  socket: string;
  config: string;
}

/** sun_path holds 108 bytes on Linux (104 on macOS), including the terminating NUL. */
export const MAX_SOCKET_PATH_BYTES = process.platform === 'linux' ? 107 : 103;

/** Overrides win over the environment, which wins over the defaults of the design. */
export function resolvePaths(
  env: Record<string, string | undefined>,
  overrides: PathOverrides,
  machine: { homedir: string; uid: number },
): ResolvedPaths {
  const pick = (override: string | undefined, variable: string): string | undefined => override || env[variable] || undefined;
  const home = path.resolve(pick(overrides.home, 'DINDEX_HOME')
    ?? path.join(env.XDG_DATA_HOME || path.join(machine.homedir, '.local', 'share'), 'dindex'));
  const socket = pick(overrides.socket, 'DINDEX_SOCKET');
  const config = pick(overrides.config, 'DINDEX_CONFIG');
  return {
    home,
    socket: socket ? path.resolve(socket)
      : env.XDG_RUNTIME_DIR ? path.join(env.XDG_RUNTIME_DIR, 'dindex', 'dindex.sock')
        : path.join('/tmp', `dindex-${machine.uid}`, 'dindex.sock'),
    config: config ? path.resolve(config) : path.join(home, 'config.toml'),
  };
}

export function logFilePath(home: string): string {
  return path.join(home, 'daemon.log');
}

export function lockFilePath(home: string): string {
  return path.join(home, 'daemon.lock');
}
