import type Database from 'better-sqlite3';
import type { z } from 'zod';
import type { IntegrityCheckSchema } from '@dindex/protocol';

export type IntegrityCheck = z.infer<typeof IntegrityCheckSchema>;

const COUNTERS = {
  documents: 'SELECT count(*) FROM documents',
  chunks: 'SELECT count(*) FROM chunks',
  vectors: 'SELECT count(*) FROM vectors',
  vectors_pending: 'SELECT count(*) FROM vectors_pending',
} as const;

/**
 * The database's own checks, on the writer's connection: SQLite's (quick at start, full on
 * demand), FTS5's integrity-check against the chunks it indexes, and the counters kept in
 * `meta`. What can be rebuilt is, when `repair` is set: the full-text index from the chunks,
 * the counters from the tables. Damage to the tables themselves cannot be repaired here.
 */
export function checkDatabase(db: Database.Database, options: { full: boolean; repair: boolean }): IntegrityCheck[] {
  const checks: IntegrityCheck[] = [];
  const problems = (db.pragma(options.full ? 'integrity_check(20)' : 'quick_check(20)') as Array<Record<string, string>>)
    .map((row) => Object.values(row)[0]!)
    .filter((line) => line !== 'ok');
  checks.push({
    name: 'sqlite',
    ok: problems.length === 0,
    detail: problems.length === 0 ? `${options.full ? 'integrity_check' : 'quick_check'}: ok` : problems.slice(0, 5).join('; '),
    repaired: false,
  });
  if (problems.length > 0) return checks;

  const ftsProblem = ftsIntegrity(db);
  let ftsRepaired = false;
  if (ftsProblem !== null && options.repair) {
    db.exec("INSERT INTO chunks_fts (chunks_fts) VALUES ('rebuild')");
    ftsRepaired = ftsIntegrity(db) === null;
  }
  checks.push({
    name: 'fts',
    ok: ftsProblem === null || ftsRepaired,
    detail: ftsProblem === null ? 'full-text index matches the chunks' : `${ftsProblem}${ftsRepaired ? '; rebuilt from the chunks' : ''}`,
    repaired: ftsRepaired,
  });

  const meta = new Map((db.prepare('SELECT key, value FROM meta').all() as Array<{ key: string; value: unknown }>).map((r) => [r.key, r.value]));
  const wrong = Object.entries(COUNTERS).flatMap(([key, sql]) => {
    const actual = db.prepare(sql).pluck().get() as number;
    return Number(meta.get(key) ?? 0) === actual ? [] : [{ key, recorded: Number(meta.get(key) ?? 0), actual }];
  });
  if (wrong.length > 0 && options.repair) {
    const write = db.prepare('UPDATE meta SET value = ? WHERE key = ?');
    db.transaction(() => wrong.forEach((w) => write.run(w.actual, w.key)))();
  }
  checks.push({
    name: 'counters',
    ok: wrong.length === 0 || options.repair,
    detail: wrong.length === 0 ? 'counters match the tables'
      : `${wrong.map((w) => `${w.key} recorded ${w.recorded}, counted ${w.actual}`).join('; ')}${options.repair ? '; corrected' : ''}`,
    repaired: wrong.length > 0 && options.repair,
  });
  return checks;
}

/** FTS5's own check of the index against its content table; null when it passes. */
function ftsIntegrity(db: Database.Database): string | null {
  try {
    db.exec("INSERT INTO chunks_fts (chunks_fts, rank) VALUES ('integrity-check', 1)");
    return null;
  } catch (err) {
    return `full-text index: ${(err as Error).message}`;
  }
}
