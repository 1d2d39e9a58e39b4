import os from 'node:os';
import {
  lockFilePath, logFilePath, resolveConfigPath, resolveHome, resolveSocket, type PathEnvironment,
} from '@dindex/protocol';

export interface DaemonPaths {
  home: string;
  socket: string;
  config: string;
  log: string;
  lock: string;
}

/** Flags win over the environment, which wins over the defaults of the design. */
export function resolveDaemonPaths(
  env: Record<string, string | undefined>,
  flags: { home?: string | undefined; socket?: string | undefined; config?: string | undefined },
): DaemonPaths {
  const pe: PathEnvironment = {
    env: {
      ...env,
      ...(flags.home ? { DINDEX_HOME: flags.home } : {}),
      ...(flags.socket ? { DINDEX_SOCKET: flags.socket } : {}),
      ...(flags.config ? { DINDEX_CONFIG: flags.config } : {}),
    },
    homedir: os.homedir(),
    uid: process.getuid?.() ?? 0,
  };
  const home = resolveHome(pe);
  return {
    home,
    socket: resolveSocket(pe),
    config: resolveConfigPath(pe, home),
    log: logFilePath(home),
    lock: lockFilePath(home),
  };
}
