import fs from 'node:fs/promises';
import path from 'node:path';
import { DindexError } from '@dindex/protocol';

/**
 * The design's rule for files an import job names: the daemon reads them for its caller only
 * while its socket is private to its own user (then the caller could read them anyway), or
 * when they lie under a configured `import_roots` directory (symbolic links resolved first,
 * so none leads out). With a shared socket nothing is said about files outside the roots, not
 * even whether they exist.
 */
export async function resolveImportFile(file: string, socket: string, importRoots: string[]): Promise<string> {
  const shared = !(await socketIsPrivate(socket));
  const roots = shared ? await Promise.all(importRoots.map((r) => fs.realpath(r).catch(() => path.resolve(r)))) : [];
  const within = (p: string): boolean => roots.some((root) => p === root || p.startsWith(root.endsWith('/') ? root : `${root}/`));
  const refuse = (): DindexError => new DindexError('PATH_NOT_ALLOWED',
    `the daemon's socket is shared with other users, so import jobs may only read files under import_roots (${importRoots.length ? importRoots.join(', ') : 'none configured'}); ${file} is not. Add a root with jobs.import_roots, or send the documents with \`dindex index\``);
  let real: string;
  try {
    real = await fs.realpath(file);
  } catch (err) {
    if (shared && !within(path.resolve(file))) throw refuse();
    throw unreadable(file, err);
  }
  if (shared && !within(real)) throw refuse();
  try {
    const stat = await fs.stat(real);
    if (!stat.isFile()) throw new DindexError('FILE_UNREADABLE', `cannot import ${file}: not a regular file`);
    await fs.access(real, fs.constants.R_OK);
  } catch (err) {
    throw err instanceof DindexError ? err : unreadable(file, err);
  }
  return real;
}

async function socketIsPrivate(socket: string): Promise<boolean> {
  try {
    const stat = await fs.stat(socket);
    return (stat.mode & 0o077) === 0 && stat.uid === process.getuid?.();
  } catch {
    return false;
  }
}

function unreadable(file: string, err: unknown): DindexError {
  const code = (err as NodeJS.ErrnoException).code;
  const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied (the daemon runs as its own user)' : (err as Error).message;
  return new DindexError('FILE_UNREADABLE', `cannot import ${file}: ${why}`);
}
