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
  vectors: number;
  pending: number;
  /** Chunks with neither a vector nor a place in the pending list. */
  unembedded: number;
  /** The counters kept in `meta` equal the counted rows. */
  countersAgree: boolean;
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
    const count = (sql: string): number => (db.prepare(sql).get() as { n: number }).n;
    const vectors = count('SELECT count(*) AS n FROM vectors');
    const pending = count('SELECT count(*) AS n FROM vectors_pending');
    const unembedded = count(`SELECT count(*) AS n FROM chunks c
      WHERE NOT EXISTS (SELECT 1 FROM vectors v WHERE v.chunk_id = c.rowid) AND NOT EXISTS (SELECT 1 FROM vectors_pending p WHERE p.chunk_id = c.rowid)`);
    const meta = new Map((db.prepare('SELECT key, value FROM meta').all() as Array<{ key: string; value: unknown }>).map((r) => [r.key, r.value]));
    const countersAgree = meta.get('documents') === documents && meta.get('chunks') === chunks
      && meta.get('vectors') === vectors && meta.get('vectors_pending') === pending;
    return { sqlite, fts, documents, chunks, torn, ids, vectors, pending, unembedded, countersAgree };
  } finally {
    db.close();
  }
}
