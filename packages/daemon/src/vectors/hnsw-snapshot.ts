import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';

/**
 * The HNSW index on disk: `vectors.hnsw` and, beside it, `vectors.hnsw.json` saying what the
 * file holds (commit sequence, size, shape) and its SHA-256. usearch aborts the whole process
 * on some damaged files, so a file is loaded only when its checksum matches; anything else —
 * missing, stale, truncated, another shape — means a rebuild from SQLite.
 */
const SnapshotMetaSchema = z.object({
  version: z.literal(1),
  seq: z.number().int(),
  size: z.number().int(),
  dimensions: z.number().int(),
  quantization: z.string(),
  connectivity: z.number().int(),
  bytes: z.number().int(),
  sha256: z.string(),
});

export type SnapshotMeta = z.infer<typeof SnapshotMetaSchema>;
export type SnapshotShape = Omit<SnapshotMeta, 'version' | 'bytes' | 'sha256'>;

export interface SnapshotPaths {
  file: string;
  meta: string;
}

export function snapshotPaths(home: string): SnapshotPaths {
  const file = path.join(home, 'vectors.hnsw');
  return { file, meta: `${file}.json` };
}

/** Null when the file holds exactly `expected`; otherwise why it cannot be used. */
export async function checkSnapshot(paths: SnapshotPaths, expected: SnapshotShape): Promise<string | null> {
  let meta: SnapshotMeta;
  try {
    meta = SnapshotMetaSchema.parse(JSON.parse(fs.readFileSync(paths.meta, 'utf8')));
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no saved vector index' : `unreadable ${paths.meta}`;
  }
  for (const key of Object.keys(expected) as Array<keyof SnapshotShape>) {
    if (meta[key] !== expected[key]) return `the saved vector index has ${key} ${meta[key]}, expected ${expected[key]}`;
  }
  let bytes: number;
  try {
    bytes = fs.statSync(paths.file).size;
  } catch {
    return `${paths.file} is missing`;
  }
  if (bytes !== meta.bytes) return `${paths.file} has ${bytes} bytes, ${meta.bytes} were saved`;
  if ((await sha256(paths.file)) !== meta.sha256) return `${paths.file} does not match its checksum`;
  return null;
}

/** Writes the file with `save`, then its description; each by write-then-rename. */
export async function writeSnapshot(paths: SnapshotPaths, shape: SnapshotShape, save: (file: string) => void): Promise<void> {
  const temporary = `${paths.file}.tmp`;
  save(temporary);
  fsync(temporary);
  const meta: SnapshotMeta = { version: 1, ...shape, bytes: fs.statSync(temporary).size, sha256: await sha256(temporary) };
  fs.renameSync(temporary, paths.file);
  fs.writeFileSync(`${paths.meta}.tmp`, JSON.stringify(meta));
  fsync(`${paths.meta}.tmp`);
  fs.renameSync(`${paths.meta}.tmp`, paths.meta);
  fsync(path.dirname(paths.file));
}

/** Streamed, so hashing a large file leaves the thread free to answer searches in between. */
async function sha256(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  await pipeline(fs.createReadStream(file, { highWaterMark: 1 << 20 }), hash);
  return hash.digest('hex');
}

function fsync(file: string): void {
  const fd = fs.openSync(file, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
