/**
 * A throw-away PostgreSQL cluster in a temporary folder (as the `postgres` user when run as root: PostgreSQL refuses
 * to run as root), on a free port of 127.0.0.1, without fsync, stopped when the process exits. Shared by the tests
 * of the PostgreSQL store (test/support/postgres.ts) and the bench's instance rows (bench/instances.ts).
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './proc';

/** A running cluster (`url`: its `postgres` database, as the `postgres` user), or why there is none. */
export type Cluster = { url: string; stop: () => void } | { missing: string };

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

/**
 * Starts a cluster; `{ missing }` when PostgreSQL is not installed or cannot run here; throws when a step fails.
 * The cluster is stopped and its folder removed by `stop()`, or at the process's exit or SIGINT/SIGTERM.
 */
export async function startThrowawayCluster(): Promise<Cluster> {
  const bin = binaries();
  if (bin === undefined)
    return {
      missing:
        'PostgreSQL is not installed (no initdb in PATH or /usr/lib/postgresql/*/bin); set TEST_DATABASE_URL',
    };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'c2c-pg-'));
  const data = path.join(dir, 'data');
  if (process.getuid?.() === 0) {
    const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    if (id.status !== 0) {
      fs.rmSync(dir, { recursive: true, force: true });
      return { missing: 'running as root and there is no postgres user to run PostgreSQL as' };
    }
    const uid = Number(id.stdout.trim());
    fs.chownSync(dir, uid, -1);
  }
  const pgCtl = path.join(bin, 'pg_ctl');
  let running = false;
  let removed = false;
  const stop = (): void => {
    if (running) runPg(pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop']);
    running = false;
    if (!removed) fs.rmSync(dir, { recursive: true, force: true });
    removed = true;
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
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, stop };
}
