/**
 * The PostgreSQL connection pool of the store (src/store/pg/store.ts) and its migrations (db/postgres/NNNN_name.sql,
 * tracked in `schema_migrations`, applied under an advisory lock so that instances starting together do not race).
 */
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { StoreBusyError } from '../ports';

/** What the repositories query through: the pool (one statement, autocommit) or one client (a transaction). */
export type Sql = {
  query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
};

/** Where the PostgreSQL migrations live (db/postgres at the top of the repository, read from dist/src/store/pg/). */
export const PG_MIGRATIONS_DIR = path.resolve(__dirname, '..', '..', '..', '..', 'db', 'postgres');

/** The two-int advisory lock spaces of the store: the key's first half (the second is a hash of a name). */
export const LOCK_MIGRATIONS = 0x63326301;
export const LOCK_THROTTLE = 0x63326302;

/** How long a statement waits for a lock held by another transaction before the store answers busy. */
export const LOCK_TIMEOUT_MS = 1000;
/** How long a caller waits for a connection of the pool before the store answers busy. */
export const CONNECT_TIMEOUT_MS = 5000;

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** bigint (int8, the seqs, the Unix-ms columns, count(*)) as a number: every value the store keeps is below 2^53. */
const INT8_OID = 20;
const textParser = (oid: number): ((value: string) => unknown) =>
  oid === INT8_OID ? Number : (pg.types.getTypeParser(oid, 'text') as (value: string) => unknown);
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    format === 'binary'
      ? (pg.types.getTypeParser(oid, 'binary') as unknown)
      : textParser(oid)) as pg.CustomTypesConfig['getTypeParser'],
};

/** `postgres://user:secret@host/db` → `postgres://user@host/db`: what may be logged or printed of a URL. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    return u.toString();
  } catch {
    return '(an unparsable database URL)';
  }
}

/** A pool over the database, with the store's session settings (schema, lock timeout, bigint as number). */
export function createPool(opts: { url: string; poolSize?: number; schema?: string }): pg.Pool {
  if (opts.schema !== undefined && !SCHEMA_NAME.test(opts.schema))
    throw new Error(`not a schema name the store uses: ${JSON.stringify(opts.schema)} (a-z, 0-9, _)`);
  const settings = [`-c lock_timeout=${LOCK_TIMEOUT_MS}`];
  if (opts.schema !== undefined) settings.push(`-c search_path=${opts.schema}`);
  return new pg.Pool({
    connectionString: opts.url,
    max: opts.poolSize ?? 10,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    options: settings.join(' '),
    types,
  });
}

/**
 * A lock or serialization timeout (another transaction holds what this one needs), a statement cancelled by its
 * timeout, or no connection of the pool free in time: the store is busy.
 */
export function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === '55P03' || code === '40001' || code === '40P01' || code === '57014') return true;
  return err instanceof Error && /timeout exceeded when trying to connect/.test(err.message);
}

export const translate = (err: unknown): Error =>
  isBusy(err) ? new StoreBusyError({ cause: err }) : err instanceof Error ? err : new Error(String(err));

/**
 * Applies every migration of `dir` not yet recorded in `schema_migrations`, each in its own transaction with its
 * record, under a session advisory lock on the schema's name (a second instance waits, then finds them applied).
 * Creates the schema when one is named. Returns the numbers applied.
 */
export async function migratePg(
  pool: pg.Pool,
  opts: { schema?: string; dir?: string } = {},
): Promise<number[]> {
  const dir = opts.dir ?? PG_MIGRATIONS_DIR;
  const files = fs
    .readdirSync(dir)
    .filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f))
    .sort();
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    // Another instance may be migrating: wait for it as long as a migration may take, not the usual lock timeout.
    await client.query('SET lock_timeout = 0');
    await client.query('SELECT pg_advisory_lock($1, hashtext(coalesce($2, current_schema(), $3)))', [
      LOCK_MIGRATIONS,
      opts.schema ?? null,
      'public',
    ]);
    try {
      await client.query('RESET lock_timeout');
      if (opts.schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS ${opts.schema}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS schema_migrations (
           version    integer PRIMARY KEY,
           name       text NOT NULL,
           applied_at timestamptz NOT NULL DEFAULT now()
         )`,
      );
      const done = new Set(
        (await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map(
          (r) => r.version,
        ),
      );
      const applied: number[] = [];
      for (const file of files) {
        const version = Number(file.slice(0, 4));
        if (done.has(version)) continue;
        const sql = fs.readFileSync(path.join(dir, file), 'utf8');
        await client.query('BEGIN');
        try {
          await client.query(sql);
          await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
            version,
            file,
          ]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          throw new Error(`migration ${file} failed: ${(err as Error).message}`, { cause: err });
        }
        applied.push(version);
      }
      return applied;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1, hashtext(coalesce($2, current_schema(), $3)))', [
        LOCK_MIGRATIONS,
        opts.schema ?? null,
        'public',
      ]);
    }
  } catch (err) {
    broken = err instanceof Error ? err : new Error(String(err));
    throw err;
  } finally {
    client.release(broken);
  }
}
