import type Database from 'better-sqlite3';

/**
 * The database schema, as numbered migrations; `PRAGMA user_version` holds the applied number.
 * Documents own chunks; `chunks_fts` is an FTS5 index whose content is the chunks table
 * (title, heading path and text as separately weighted columns), kept in step by triggers.
 * Vectors (little-endian f32, unit length) belong to chunks; a chunk committed before its vector
 * could be made is listed in `vectors_pending`. `meta` records the model that made the vectors
 * and `vectors_seq`, the last commit that changed them (the HNSW file is checked against it).
 * `jobs` holds background jobs with their last checkpoint.
 */
const MIGRATIONS: string[] = [
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;
  INSERT INTO meta (key, value) VALUES ('last_commit_seq', 0);

  CREATE TABLE documents (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL,
    title TEXT,
    content_hash TEXT NOT NULL,
    metadata TEXT,
    chunk_count INTEGER NOT NULL,
    commit_seq INTEGER NOT NULL,
    indexed_at INTEGER NOT NULL
  );
  CREATE INDEX documents_source ON documents (source);

  CREATE TABLE chunks (
    rowid INTEGER PRIMARY KEY,
    doc_rowid INTEGER NOT NULL REFERENCES documents (rowid) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    title TEXT,
    heading TEXT,
    text TEXT NOT NULL
  );
  CREATE INDEX chunks_doc ON chunks (doc_rowid);

  CREATE VIRTUAL TABLE chunks_fts USING fts5 (
    title, heading, text,
    content = 'chunks', content_rowid = 'rowid',
    tokenize = 'porter unicode61 remove_diacritics 2'
  );
  CREATE TRIGGER chunks_fts_insert AFTER INSERT ON chunks BEGIN
    INSERT INTO chunks_fts (rowid, title, heading, text) VALUES (new.rowid, new.title, new.heading, new.text);
  END;
  CREATE TRIGGER chunks_fts_delete AFTER DELETE ON chunks BEGIN
    INSERT INTO chunks_fts (chunks_fts, rowid, title, heading, text) VALUES ('delete', old.rowid, old.title, old.heading, old.text);
  END;
  CREATE VIRTUAL TABLE chunks_vocab USING fts5vocab (chunks_fts, row);
  `,
  `
  CREATE TABLE vectors (
    chunk_id INTEGER PRIMARY KEY REFERENCES chunks (rowid) ON DELETE CASCADE,
    vector BLOB NOT NULL
  );
  CREATE TABLE vectors_pending (
    chunk_id INTEGER PRIMARY KEY REFERENCES chunks (rowid) ON DELETE CASCADE,
    -- The commit that listed it: a chunk id can be reused after a delete, and a vector made
    -- for the old chunk must not land on the new one.
    since_seq INTEGER NOT NULL,
    -- Why the embedder refused this chunk's text, if it did; the filler skips it until a re-embed.
    refused TEXT
  );
  CREATE INDEX vectors_pending_refused ON vectors_pending (chunk_id) WHERE refused IS NOT NULL;
  INSERT INTO meta (key, value) VALUES ('vectors', 0), ('vectors_pending', 0), ('vectors_seq', 0),
    ('embedding_model', NULL), ('embedding_dimensions', NULL);
  `,
  `
  CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    spec TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER,
    error TEXT,
    -- Where the source stands after the last committed batch (JSON, the source's own shape);
    -- written in the same transaction as that batch's documents, so a resumed job repeats nothing.
    checkpoint TEXT,
    -- The source's own tally at that checkpoint (JSON): rejected records, problems, progress.
    report TEXT,
    documents INTEGER NOT NULL DEFAULT 0,
    chunks INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0
  );
  `,
  `
  -- The chunks written since a commit: search threads refresh what they hold in memory from them.
  CREATE INDEX documents_commit_seq ON documents (commit_seq);
  `,
  `
  -- No statement ever used it (a source filter is instr(), checked per candidate), and it cost
  -- every commit: new sources fall between old ones, so each document inserted dirtied its own
  -- index page, and at a million chunks commits took a third longer (30.5 against 40.8 ms per
  -- thousand chunks).
  DROP INDEX documents_source;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new Error(`the database has schema version ${current}, newer than this dindex (${SCHEMA_VERSION}); upgrade dindex`);
  }
  for (let version = current; version < SCHEMA_VERSION; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
