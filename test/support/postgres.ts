/**
 * PostgreSQL for the tests of the PostgreSQL store (src/store/pg/): `TEST_DATABASE_URL` when set, otherwise a
 * throw-away cluster started once per test process in a temporary folder (as the `postgres` user when run as root:
 * PostgreSQL refuses to run as root), on a free port, without fsync, and stopped when the process exits, failed
 * tests or not. Undefined when PostgreSQL is not installed (the suites skip and say why).
 */
import pg from 'pg';
import { startThrowawayCluster } from '../../bench/lib/pg-cluster';
import { randomHex } from '../../src/ids';
import type { Store } from '../../src/store/ports';
import { openPgStore, type PgStoreOptions } from '../../src/store/pg/store';

let cluster: Promise<string | undefined> | undefined;
/** Why there is no PostgreSQL for the tests, once known. */
let missing: string | undefined;

/** The database the PostgreSQL tests use, or undefined (then `postgresMissing()` says why). */
export function testPostgresUrl(): Promise<string | undefined> {
  const given = process.env['TEST_DATABASE_URL'];
  if (given !== undefined && given !== '') return Promise.resolve(given);
  cluster ??= startCluster().catch((err: unknown) => {
    missing = `a PostgreSQL cluster could not be started: ${(err as Error).message}`;
    return undefined;
  });
  return cluster;
}

/** Why the PostgreSQL tests are skipped (after `testPostgresUrl()` answered undefined). */
export function postgresMissing(): string {
  return missing ?? 'PostgreSQL is not available';
}

const told = new Set<string>();

/**
 * For a suite's `before`: the test database's URL, or the suite skipped with the reason printed once. CI sets
 * `REQUIRE_POSTGRES=1` (it installs PostgreSQL): there a missing PostgreSQL fails the suite instead.
 */
export async function requirePostgres(ctx: Mocha.Context): Promise<string> {
  const url = await testPostgresUrl();
  if (url !== undefined) return url;
  const reason = postgresMissing();
  if (process.env['REQUIRE_POSTGRES'] === '1') throw new Error(`PostgreSQL is required here: ${reason}`);
  if (!told.has(reason)) console.log(`      (PostgreSQL tests skipped: ${reason})`);
  told.add(reason);
  ctx.skip();
}

async function startCluster(): Promise<string | undefined> {
  const started = await startThrowawayCluster();
  if ('missing' in started) {
    missing = started.missing;
    return undefined;
  }
  return started.url;
}

/** A schema of its own for one test's stores (so suites do not see each other's rows), dropped by `drop`. */
export type PgSchema = {
  name: string;
  /** A store over the schema (several may be open at once: as many instances). */
  open(options?: Omit<PgStoreOptions, 'url' | 'schema'>): Promise<Store>;
  drop(): Promise<void>;
};

export function freshPgSchema(url: string): PgSchema {
  const name = `t_${process.pid}_${randomHex(6)}`;
  return {
    name,
    open: (options = {}) => openPgStore({ poolSize: 4, ...options, url, schema: name }),
    drop: async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

/** A store over a fresh schema; closing it drops the schema. */
export async function openFreshPgStore(url: string): Promise<Store> {
  const schema = freshPgSchema(url);
  const store = await schema.open();
  return {
    ...store,
    // The repositories are own properties of the store; its methods are bound here.
    unitOfWork: (work) => store.unitOfWork(work),
    writable: () => store.writable(),
    close: async () => {
      await store.close();
      await schema.drop();
    },
  };
}
