import path from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from './schema.js';

/** How long a connection waits for a lock another holds before it fails with SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 10_000;

export function databasePath(home: string): string {
  return path.join(home, 'index.db');
}

/**
 * The writer's connection: WAL, so readers never wait for it, and synchronous=FULL, so a
 * commit that returned is on disk. It also applies migrations.
 */
export function openWriter(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.pragma('cache_size = -65536');
  migrate(db);
  return db;
}

/**
 * A reader's connection: sees the last committed snapshot and never blocks the writer. Maps
 * as much of the file as SQLite allows (2 GiB): a search reads pages all over a large index,
 * and a mapped page costs no system call.
 */
export function openReader(file: string): Database.Database {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.pragma('cache_size = -65536');
  db.pragma('mmap_size = 2147418112');
  return db;
}
