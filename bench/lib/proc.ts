/** Child processes of the bench: the service itself, the fake switch, the Express baseline. */
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import * as net from 'node:net';
import path from 'node:path';

const DIST = path.resolve(__dirname, '..', '..');

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resident set size of a process, in MB (Linux /proc; `ps` elsewhere). */
export function rssMb(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmRSS:\s+(\d+) kB/.exec(status);
    if (m) return Number(m[1]) / 1024;
  } catch {
    // not Linux
  }
  const out = execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' });
  return Number(out.trim()) / 1024;
}

let ticksPerS: number | undefined;
/** CPU time (user + system) a process has used so far, in ms (Linux /proc). */
export function cpuMs(pid: number): number {
  ticksPerS ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  // Fields after the command name (which may hold spaces): state is the 3rd field, utime the 14th, stime the 15th.
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerS;
}

/** A child speaking the bench's IPC convention: `{ type: 'ready', port }` first, `{ type: 'exit' }` to stop. */
export type Child = { proc: ChildProcess; port: number; stop(): Promise<void> };

function stopper(proc: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        resolve();
        return;
      }
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      proc.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      if (proc.connected) proc.send({ type: 'exit' });
      else proc.kill('SIGTERM');
    });
}

/** Forks one of the bench's own scripts (dist/bench/<script>.js) and waits for its port. */
export function forkReady(script: string, args: string[] = []): Promise<Child> {
  const proc = fork(path.join(DIST, 'bench', `${script}.js`), args, { stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`${script} exited early (${String(code)})`)));
    proc.on('message', (m: { type: string; port?: number }) => {
      if (m.type === 'ready') resolve({ proc, port: m.port ?? 0, stop: stopper(proc) });
    });
  });
}

/** Sends an IPC request and waits for the answer of the same type. */
export function ask<T>(proc: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (m: { type: string }): void => {
      if (m.type !== type) return;
      proc.off('message', on);
      resolve(m as T);
    };
    proc.on('message', on);
    proc.send({ type });
  });
}

export type Service = {
  proc: ChildProcess;
  pid: number;
  base: string;
  /** From the first start on an empty database. */
  accountId?: string;
  apiKey?: string;
  stop(): Promise<void>;
};

/**
 * Starts the real service (`node dist/src/main.js`) on a SQLite file, against the fake switch, logging at
 * `warn`, and waits until it answers HTTP. The bench's own `DATABASE_URL` is not passed on: a service is on
 * PostgreSQL only when `env` says so (then `dbPath` is unused), and with several switches when `env` has `SWITCHES`.
 */
export async function startService(opts: {
  dbPath: string;
  eslPort: number;
  env?: Record<string, string>;
  /** Node flags, e.g. `--cpu-prof` (the profile is written when the service stops). */
  execArgv?: string[];
}): Promise<Service> {
  const port = await freePort();
  // BENCH_SERVICE_FLAGS: Node flags for the service in every row (to compare a setting; space-separated).
  const flags = (process.env['BENCH_SERVICE_FLAGS'] ?? '').split(' ').filter((f) => f !== '');
  const proc = spawn(
    process.execPath,
    [...flags, ...(opts.execArgv ?? []), path.join(DIST, 'src', 'main.js')],
    {
      env: {
        ...inherited(),
        PORT: String(port),
        HOST: '127.0.0.1',
        DB_PATH: opts.dbPath,
        ESL_HOST: '127.0.0.1',
        ESL_PORT: String(opts.eslPort),
        ESL_PASSWORD: 'ClueCon',
        LOG_LEVEL: 'warn',
        ANON_CONNECTS_PER_MINUTE: '0',
        ...opts.env,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  proc.stdout?.setEncoding('utf8');
  proc.stdout?.on('data', (chunk: string) => {
    if (out.length < 100_000) out += chunk;
  });
  const exited = new Promise<never>((_resolve, reject) =>
    proc.once('exit', (code) => reject(new Error(`service exited (${String(code)}): ${out.slice(-2000)}`))),
  );
  exited.catch(() => undefined);
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const up = await fetch(`${base}/v2/nothing`).then(
      () => true,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline || proc.exitCode !== null)
      await Promise.race([exited, Promise.reject(new Error('service did not start'))]);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const accountId = /account_id:\s+([0-9a-f]{32})/.exec(out)?.[1];
  const apiKey = /api_key:\s+(\S+)/.exec(out)?.[1];
  return {
    proc,
    pid: proc.pid ?? 0,
    base,
    ...(accountId !== undefined && { accountId }),
    ...(apiKey !== undefined && { apiKey }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) {
          resolve();
          return;
        }
        const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
        proc.removeAllListeners('exit');
        proc.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        proc.kill('SIGTERM');
      }),
  };
}

/** This process's environment without `DATABASE_URL` (the instance rows' server, not the services' store). */
function inherited(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env['DATABASE_URL'];
  return env;
}

/** JSON request to the service; throws on a non-2xx answer. */
export async function api<T = { data: unknown }>(
  base: string,
  method: string,
  urlPath: string,
  opts: { token?: string; body?: unknown } = {},
): Promise<T> {
  const res = await fetch(`${base}${urlPath}`, {
    method,
    headers: {
      ...(opts.token !== undefined && { 'X-Auth-Token': opts.token }),
      ...(opts.body !== undefined && { 'Content-Type': 'application/json' }),
    },
    ...(opts.body !== undefined && { body: JSON.stringify(opts.body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${urlPath}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}
