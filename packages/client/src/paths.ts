import os from 'node:os';
import { resolveConfigPath, resolveHome, resolveSocket, type PathEnvironment } from '@dindex/protocol';

export interface ClientPaths {
  home: string;
  socket: string;
  config: string;
}

/** The same resolution the daemon uses, so a client finds the daemon it would start. */
export function resolveClientPaths(options: {
  home?: string | undefined;
  socket?: string | undefined;
  config?: string | undefined;
  env?: NodeJS.ProcessEnv | undefined;
}): ClientPaths {
  const env = options.env ?? process.env;
  const pe: PathEnvironment = {
    env: {
      ...env,
      ...(options.home ? { DINDEX_HOME: options.home } : {}),
      ...(options.socket ? { DINDEX_SOCKET: options.socket } : {}),
      ...(options.config ? { DINDEX_CONFIG: options.config } : {}),
    },
    homedir: os.homedir(),
    uid: process.getuid?.() ?? 0,
  };
  const home = resolveHome(pe);
  return { home, socket: resolveSocket(pe), config: resolveConfigPath(pe, home) };
}
