/**
 * PostgreSQL for the tests of the PostgreSQL store (src/store/pg/): `TEST_DATABASE_URL` when set, otherwise a
 * throw-away cluster started once per test process in a temporary folder (as the `postgres` user when run as root:
 * PostgreSQL refuses to run as root), on a free port, without fsync, and stopped when the process exits, failed
 * tests or not. Undefined when PostgreSQL is not installed (the suites skip and say why).
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
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

/** The folder of initdb and pg_ctl: in PATH, else the newest /usr/lib/postgresql/<version>/bin. */
function binaries(): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter))
    if (dir !== '' && fs.existsSync(path.join(dir, 'initdb')) && fs.existsSync(path.join(dir, 'pg_ctl')))
      return dir;
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root)
    ? fs
        .readdirSync(root)
        .filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  return versions[0] === undefined ? undefined : path.join(root, versions[0], 'bin');
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });

/** Runs a PostgreSQL program, as `postgres` when this process is root. */
function runPg(program: string, args: string[]): SpawnSyncReturns<string> {
  const asRoot = process.getuid?.() === 0;
  const [command, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', program, ...args]] : [program, args];
  return spawnSync(command, argv, { encoding: 'utf8', timeout: 60_000 });
}

function check(result: SpawnSyncReturns<string>, what: string): void {
  if (result.error) throw new Error(`${what}: ${result.error.message}`);
  if (result.status !== 0)
    throw new Error(`${what} exited ${String(result.status)}: ${result.stderr.trim()}`);
}

async function startCluster(): Promise<string | undefined> {
  const bin = binaries();
  if (bin === undefined) {
    missing =
      'PostgreSQL is not installed (no initdb in PATH or /usr/lib/postgresql/*/bin); set TEST_DATABASE_URL';
    return undefined;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'c2c-pg-'));
  const data = path.join(dir, 'data');
  if (process.getuid?.() === 0) {
    const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    if (id.status !== 0) {
      fs.rmSync(dir, { recursive: true, force: true });
      missing = 'running as root and there is no postgres user to run PostgreSQL as';
      return undefined;
    }
    const uid = Number(id.stdout.trim());
    fs.chownSync(dir, uid, -1);
  }
  const pgCtl = path.join(bin, 'pg_ctl');
  let running = false;
  const stop = (): void => {
    if (running) runPg(pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop']);
    running = false;
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stop);
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      stop();
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  check(
    runPg(path.join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']),
    'initdb',
  );
  const port = await freePort();
  const settings = [
    `-p ${port}`,
    `-k ${dir}`,
    '-c listen_addresses=127.0.0.1',
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=300',
  ].join(' ');
  running = true;
  check(
    runPg(pgCtl, ['-D', data, '-o', settings, '-l', path.join(dir, 'log'), '-w', 'start']),
    'pg_ctl start',
  );
  return `postgres://postgres@127.0.0.1:${port}/postgres`;
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
