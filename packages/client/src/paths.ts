import os from 'node:os';
import { resolvePaths, type PathOverrides, type ResolvedPaths } from '@dindex/protocol';

export type ClientPaths = ResolvedPaths;

/** The same resolution the daemon uses, so a client finds the daemon it would start. */
export function resolveClientPaths(options: PathOverrides & { env?: NodeJS.ProcessEnv | undefined }): ClientPaths {
  return resolvePaths(options.env ?? process.env, options, { homedir: os.homedir(), uid: process.getuid?.() ?? 0 });
}
