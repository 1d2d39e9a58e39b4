import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * The files under the given paths, depth first, in name order. Hidden entries and
 * `node_modules` are skipped inside directories (a path named explicitly is always taken);
 * symbolic links to directories are not followed, so a link loop cannot trap the walk.
 */
export async function* walkFiles(paths: string[]): AsyncGenerator<string> {
  for (const given of paths) {
    const absolute = path.resolve(given);
    const st = await fs.stat(absolute);
    if (st.isDirectory()) yield* walkDirectory(absolute);
    else if (st.isFile()) yield absolute;
  }
}

async function* walkDirectory(dir: string): AsyncGenerator<string> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walkDirectory(full);
    else if (entry.isFile()) yield full;
  }
}
