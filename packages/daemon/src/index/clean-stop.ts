import fs from 'node:fs';

/**
 * A stamp of the database files, written when the writer closes cleanly (after folding the WAL
 * into the database). A start that finds the files exactly as stamped can skip the integrity
 * checks: nothing crashed and nothing touched them since a clean stop. Those checks read the
 * whole index (seconds per 100k chunks), which would otherwise delay every start.
 */
interface FileStamp {
  size: number;
  mtimeMs: number;
  ino: number;
}

type Stamp = Record<'database' | 'wal', FileStamp | null>;

export function recordCleanStop(databaseFile: string): void {
  fs.writeFileSync(stampPath(databaseFile), JSON.stringify(stamp(databaseFile)), { mode: 0o600 });
}

/** True when the files are as the last clean stop left them; the stamp is used up either way. */
export function takeCleanStop(databaseFile: string): boolean {
  let recorded: string;
  try {
    recorded = fs.readFileSync(stampPath(databaseFile), 'utf8');
  } catch {
    return false;
  }
  fs.rmSync(stampPath(databaseFile), { force: true });
  return recorded === JSON.stringify(stamp(databaseFile));
}

function stamp(databaseFile: string): Stamp {
  return { database: fileStamp(databaseFile), wal: fileStamp(`${databaseFile}-wal`) };
}

function fileStamp(file: string): FileStamp | null {
  try {
    const { size, mtimeMs, ino } = fs.statSync(file);
    return { size, mtimeMs, ino };
  } catch {
    return null;
  }
}

function stampPath(databaseFile: string): string {
  return `${databaseFile}.clean`;
}
