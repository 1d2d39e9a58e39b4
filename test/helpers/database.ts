import path from 'node:path';
import Database from 'better-sqlite3';

export interface IntegrityReport {
  sqlite: string;
  fts: 'ok' | string;
  documents: number;
  chunks: number;
  /** Documents whose chunk_count disagrees with their stored chunks. */
  torn: number;
  ids: Set<string>;
}

/** Opens the daemon's database directly (read-only) and runs SQLite's and FTS5's own checks. */
export function inspectIndex(home: string): IntegrityReport {
  const db = new Database(path.join(home, 'index.db'));
  try {
    const sqlite = (db.pragma('integrity_check', { simple: true }) as string);
    let fts = 'ok';
    try {
      db.exec("INSERT INTO chunks_fts (chunks_fts, rank) VALUES ('integrity-check', 1)");
    } catch (err) {
      fts = (err as Error).message;
    }
    const documents = (db.prepare('SELECT count(*) AS n FROM documents').get() as { n: number }).n;
    const chunks = (db.prepare('SELECT count(*) AS n FROM chunks').get() as { n: number }).n;
    const torn = (db.prepare(`SELECT count(*) AS n FROM documents d
      WHERE d.chunk_count != (SELECT count(*) FROM chunks c WHERE c.doc_rowid = d.rowid)`).get() as { n: number }).n;
    const ids = new Set((db.prepare('SELECT id FROM documents').all() as Array<{ id: string }>).map((r) => r.id));
    return { sqlite, fts, documents, chunks, torn, ids };
  } finally {
    db.close();
  }
}
