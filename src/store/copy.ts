/**
 * Copies a SQLite store (src/store/sqlite/, db/migrations/) into an empty PostgreSQL one (src/store/pg/,
 * db/postgres/): every table, row for row, with its ids, seqs (SQLite's rowid) and the identity sequences moved past
 * them so that new rows do not collide. One read transaction on the SQLite file (a consistent snapshot, even while
 * the service runs) and one PostgreSQL transaction (all or nothing). The admin command line's `copy-to-postgres`.
 */
import fs from 'node:fs';
// A tool between the two adapters, not a service: it reads the SQLite file itself.
import Database from 'better-sqlite3';
import type pg from 'pg';
import { createPool, migratePg, redactUrl } from './pg/database';
import { MIGRATIONS_DIR } from './sqlite/database';

/** A copy refused before anything was written (a clear message for the operator). */
export class CopyRefused extends Error {}

/** A table and its columns, in an order the foreign keys allow; `rowid` is `seq` in PostgreSQL. */
type TableSpec = { name: string; columns: string[]; booleans?: string[]; identity: boolean };

const TABLES: TableSpec[] = [
  {
    name: 'accounts',
    columns: ['rowid', 'id', 'name', 'realm', 'parent_id', 'context', 'allow_sip_uri', 'created_at'],
    booleans: ['allow_sip_uri'],
    identity: true,
  },
  {
    name: 'api_keys',
    columns: ['rowid', 'account_id', 'key_hash', 'created_at', 'revoked_at'],
    identity: true,
  },
  {
    name: 'auth_tokens',
    columns: ['rowid', 'token_hash', 'account_id', 'api_key_id', 'expires_at', 'created_at'],
    identity: true,
  },
  {
    name: 'clicktocalls',
    columns: ['rowid', 'id', 'account_id', 'doc', 'revision', 'created_at', 'updated_at', 'deleted_at'],
    identity: true,
  },
  {
    name: 'call_history',
    columns: [
      'rowid',
      'id',
      'call_id',
      'account_id',
      'clicktocall_id',
      'created_ms',
      'status',
      'final',
      'doc',
      'updated_ms',
      'state',
      'status_callback',
    ],
    booleans: ['final'],
    identity: true,
  },
  {
    name: 'webhook_outbox',
    columns: [
      'rowid',
      'event_id',
      'account_id',
      'clicktocall_id',
      'call_id',
      'sequence',
      'type',
      'occurred_ms',
      'url',
      'destination',
      'method',
      'record',
      'state',
      'attempts',
      'next_attempt_ms',
      'last_attempt_ms',
      'last_status',
      'last_error',
      'delivered_ms',
    ],
    identity: true,
  },
  {
    name: 'webhook_secrets',
    columns: ['account_id', 'secret', 'created_ms', 'previous_secret', 'previous_until_ms'],
    identity: false,
  },
  { name: 'webhook_stops', columns: ['account_id', 'url', 'stopped_ms'], identity: false },
  {
    name: 'clicktocall_links',
    columns: [
      'rowid',
      'id',
      'account_id',
      'clicktocall_id',
      'created_ms',
      'expires_ms',
      'max_calls',
      'calls',
      'calls_per_minute',
      'origins',
      'contact',
      'contact_prefixes',
      'revoked_ms',
    ],
    identity: true,
  },
  { name: 'service_keys', columns: ['name', 'key', 'created_ms'], identity: false },
];

/** Rows sent in one INSERT (PostgreSQL takes at most 65535 parameters a statement). */
const ROWS_PER_INSERT = 500;

/** The newest SQLite migration: the source must be at it (the service migrates it when it starts). */
function latestSqliteVersion(): number {
  return Math.max(
    ...fs
      .readdirSync(MIGRATIONS_DIR)
      .filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f))
      .map((f) => Number(f.slice(0, 4))),
  );
}

export type CopyResult = {
  /** The target, without its password. */
  to: string;
  /** Rows copied, per table. */
  tables: Record<string, number>;
};

/**
 * Copies the SQLite store in `from` into the PostgreSQL database at `to` (its `schema` when named), which must hold
 * no rows yet (its tables are created when missing). Refuses with {@link CopyRefused} otherwise.
 */
export async function copySqliteToPostgres(opts: {
  from: string;
  to: string;
  schema?: string;
}): Promise<CopyResult> {
  if (!fs.existsSync(opts.from)) throw new CopyRefused(`no SQLite store at ${opts.from}`);
  const source = new Database(opts.from, { readonly: true, fileMustExist: true });
  const pool = createPool({
    url: opts.to,
    poolSize: 1,
    ...(opts.schema !== undefined && { schema: opts.schema }),
  });
  pool.on('error', () => undefined);
  try {
    const version = Number(source.pragma('user_version', { simple: true }));
    const latest = latestSqliteVersion();
    if (version !== latest)
      throw new CopyRefused(
        `the SQLite store is at migration ${version}, not ${latest}: start the service on it once (it migrates), then copy`,
      );
    await migratePg(pool, opts.schema !== undefined ? { schema: opts.schema } : {});
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      try {
        const tables = await copyTables(source, client);
        await client.query('COMMIT');
        return { to: redactUrl(opts.to), tables };
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      }
    } catch (err) {
      if (!(err instanceof CopyRefused)) broken = err instanceof Error ? err : new Error(String(err));
      throw err;
    } finally {
      client.release(broken);
    }
  } finally {
    source.close();
    await pool.end();
  }
}

async function copyTables(source: Database.Database, client: pg.PoolClient): Promise<Record<string, number>> {
  // Nobody adds rows while the target is checked and filled.
  for (const t of TABLES) await client.query(`LOCK TABLE ${t.name} IN EXCLUSIVE MODE`);
  const filled: string[] = [];
  for (const t of TABLES) {
    const found = await client.query<{ n: number }>(`SELECT count(*) AS n FROM ${t.name}`);
    const n = found.rows[0]?.n ?? 0;
    if (n > 0) filled.push(`${t.name} (${n} rows)`);
  }
  if (filled.length > 0)
    throw new CopyRefused(
      `the PostgreSQL store is not empty: ${filled.join(', ')}; copy into an empty database or schema`,
    );
  const counts: Record<string, number> = {};
  // One snapshot of the source for every table.
  source.exec('BEGIN');
  try {
    for (const t of TABLES) counts[t.name] = await copyTable(source, client, t);
  } finally {
    source.exec('ROLLBACK');
  }
  return counts;
}

async function copyTable(source: Database.Database, client: pg.PoolClient, t: TableSpec): Promise<number> {
  const order = t.columns.includes('rowid') ? 'rowid' : t.columns[0]!;
  const rows = source
    .prepare(`SELECT ${t.columns.join(', ')} FROM ${t.name} ORDER BY ${order}`)
    .raw(true)
    .iterate() as IterableIterator<unknown[]>;
  const targetColumns = t.columns.map((c) => (c === 'rowid' ? 'seq' : c));
  const booleanAt = t.columns.map((c) => t.booleans?.includes(c) ?? false);
  const insert = async (batch: unknown[][]): Promise<void> => {
    const values: unknown[] = [];
    const tuples = batch.map((row) => {
      const start = values.length;
      row.forEach((value, i) => values.push(booleanAt[i] ? value === 1 : value));
      return `(${row.map((_, i) => `$${start + i + 1}`).join(', ')})`;
    });
    const overriding = t.identity ? ' OVERRIDING SYSTEM VALUE' : '';
    await client.query(
      `INSERT INTO ${t.name} (${targetColumns.join(', ')})${overriding} VALUES ${tuples.join(', ')}`,
      values,
    );
  };
  let count = 0;
  let batch: unknown[][] = [];
  for (const row of rows) {
    batch.push(row);
    if (batch.length === ROWS_PER_INSERT) {
      await insert(batch);
      count += batch.length;
      batch = [];
    }
  }
  if (batch.length > 0) {
    await insert(batch);
    count += batch.length;
  }
  // New rows take seqs after the copied ones.
  if (t.identity)
    await client.query(
      `SELECT setval(pg_get_serial_sequence('${t.name}', 'seq'), max(seq)) FROM ${t.name} HAVING count(*) > 0`,
    );
  return count;
}
