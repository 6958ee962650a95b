import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

/** Where the numbered SQL migrations live (db/migrations at the top of the repository, read from dist/src/store/sqlite/). */
export const MIGRATIONS_DIR = path.resolve(__dirname, '..', '..', '..', '..', 'db', 'migrations');

/**
 * Opens the database (":memory:" for tests), sets WAL and foreign keys, and applies every migration
 * numbered above PRAGMA user_version, each in its own transaction together with the version bump.
 */
export function openDatabase(file: string, migrationsDir: string = MIGRATIONS_DIR): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  // better-sqlite3 waits synchronously: a short wait keeps the service answering when another process
  // (the admin command line) holds the write lock; past it a request answers 503 storage_busy.
  db.pragma('busy_timeout = 1000');
  db.pragma('synchronous = NORMAL');
  migrate(db, migrationsDir);
  return db;
}

/** Applies pending migrations; returns the numbers applied. */
export function migrate(db: Db, migrationsDir: string): number[] {
  const current = db.pragma('user_version', { simple: true }) as number;
  const files = fs
    .readdirSync(migrationsDir)
    .filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f))
    .sort();
  const applied: number[] = [];
  for (const file of files) {
    const version = Number(file.slice(0, 4));
    if (version <= current) continue;
    const sql = fs.readFileSync(path.join(migrationsDir, file), 'utf8');
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${version}`);
    })();
    applied.push(version);
  }
  return applied;
}

/** SQLite's own check of a database file (`ok` when sound): for crash tests of the embedded default. */
export function integrityCheck(file: string): string {
  const db = new Database(file, { readonly: true });
  try {
    return String(db.pragma('integrity_check', { simple: true }));
  } finally {
    db.close();
  }
}
