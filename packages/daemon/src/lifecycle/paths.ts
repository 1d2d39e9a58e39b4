import os from 'node:os';
import { lockFilePath, logFilePath, resolvePaths, type PathOverrides, type ResolvedPaths } from '@dindex/protocol';

export interface DaemonPaths extends ResolvedPaths {
  log: string;
  lock: string;
}

/** Flags win over the environment, which wins over the defaults of the design. */
export function resolveDaemonPaths(env: Record<string, string | undefined>, flags: PathOverrides): DaemonPaths {
  const paths = resolvePaths(env, flags, { homedir: os.homedir(), uid: process.getuid?.() ?? 0 });
  return { ...paths, log: logFilePath(paths.home), lock: lockFilePath(paths.home) };
}
