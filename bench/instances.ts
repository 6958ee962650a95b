/**
 * The instance rows: the service on PostgreSQL with two switches, as one and as two instances
 * (docs/switches.md). Run by `npm run bench` when `DATABASE_URL` is set, or alone:
 * `node dist/bench/instances.js [--smoke]` (then, without `DATABASE_URL`, on a throw-away cluster of its own).
 * Every row creates its own database on the server (`c2c_bench_<random>`) and drops it; no other is touched.
 * Alone, it prints its own table (bench/results.json is written by bench/run.ts only).
 */
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { GREGORIAN_UNIX_OFFSET_S } from '../src/calls/time';
import { historyRecord } from './lib/history-fill';
import { cannon, quantile, type LoadResult } from './lib/load';
import { startThrowawayCluster } from './lib/pg-cluster';
import { api, cpuMs, forkReady, startService, type Child, type Service } from './lib/proc';
import { log, machine, ORDER, report, round, type Row } from './lib/rows';
import { connectPath, createConfig, login, waitConnected } from './lib/service-setup';

const sizes = (smoke: boolean) =>
  smoke
    ? { durationS: 2, warmupS: 0.5, connections: 20, historyRows: 20_000, takeovers: 1, downS: 2 }
    : { durationS: 10, warmupS: 2, connections: 50, historyRows: 1_000_000, takeovers: 3, downS: 10 };
type Size = ReturnType<typeof sizes>;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const SWITCH_NAMES = ['fs1', 'fs2'] as const;
const FINAL = new Set(['completed', 'busy', 'no_answer', 'failed', 'canceled']);

/** A database of its own on the server of `url`, dropped after `work` (its connections ended first). */
async function withDatabase<T>(url: string, work: (dbUrl: string) => Promise<T>): Promise<T> {
  const name = `c2c_bench_${crypto.randomBytes(6).toString('hex')}`;
  const admin = async (sql: string): Promise<void> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const dbUrl = new URL(url);
  dbUrl.pathname = `/${name}`;
  try {
    return await work(dbUrl.toString());
  } finally {
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

/** Two fake switches, each in its own process. */
async function twoSwitches(mode: 'accept' | 'real'): Promise<Child[]> {
  return Promise.all(SWITCH_NAMES.map(() => forkReady('switch-proc', [mode])));
}

async function stopAll(children: Array<{ stop(): Promise<void> }>): Promise<void> {
  await Promise.all(children.map((c) => c.stop()));
}

/** One instance of the service over the database, with both switches (fs1, fs2). */
function startInstance(dbUrl: string, switches: Child[]): Promise<Service> {
  const list = switches.map((sw, i) => ({
    name: SWITCH_NAMES[i],
    host: '127.0.0.1',
    port: sw.port,
    weight: 1,
  }));
  return startService({
    dbPath: path.join(os.tmpdir(), 'c2c-bench-unused.db'),
    eslPort: switches[0]?.port ?? 0,
    env: { DATABASE_URL: dbUrl, SWITCHES: JSON.stringify(list) },
  });
}

type SwitchHealth = { up: boolean; load: number; tracked: boolean };

/** `/health`'s switches (empty when it does not answer, e.g. a killed instance). */
async function switchesOf(svc: Service): Promise<Record<string, SwitchHealth>> {
  try {
    const res = await fetch(`${svc.base}/health`);
    const body = (await res.json()) as { data?: { switches?: Record<string, SwitchHealth> } };
    return body.data?.switches ?? {};
  } catch {
    return {};
  }
}

async function until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** A fresh database with its account, a token and one configuration (extension 2600). */
async function prepare(
  first: Service,
): Promise<{ token: string; accountId: string; cfg: string; path: string }> {
  const token = await login(first);
  const accountId = first.accountId ?? '';
  const cfg = await createConfig(first, token, { name: 'Bench instances', extension: '2600' });
  return { token, accountId, cfg, path: connectPath(accountId, cfg) };
}

const merge = (runs: LoadResult[]): LoadResult => {
  const latencies = runs.flatMap((r) => r.latencies);
  return {
    rps: runs.reduce((a, r) => a + r.rps, 0),
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    requests: runs.reduce((a, r) => a + r.requests, 0),
    non2xx: runs.reduce((a, r) => a + r.non2xx, 0),
    errors: runs.reduce((a, r) => a + r.errors, 0),
    latencies,
  };
};

/** pg_connect_1 and pg_connect_2: the token connect on one instance, then the same connections over two. */
function connectRows(url: string, size: Size): Promise<Row[]> {
  log('pg connect on one and on two instances');
  return withDatabase(url, async (db) => {
    const switches = await twoSwitches('accept');
    const services: Service[] = [];
    try {
      services.push(await startInstance(db, switches));
      services.push(await startInstance(db, switches));
      const a = services[0]!;
      const { token, path: p } = await prepare(a);
      for (const s of services) await waitConnected(s, p, token);
      const headers = { 'X-Auth-Token': token };
      const half = Math.max(1, Math.round(size.connections / 2));
      const spread = (durationS: number): Promise<LoadResult[]> =>
        Promise.all(
          services.map((s) => cannon({ url: `${s.base}${p}`, connections: half, durationS, headers })),
        );
      await spread(size.warmupS);
      const cpu = (): number => services.reduce((t, s) => t + cpuMs(s.pid), 0);
      const idleBefore = cpuMs(services[1]!.pid);
      let before = cpuMs(a.pid);
      const one = await cannon({
        url: `${a.base}${p}`,
        connections: size.connections,
        durationS: size.durationS,
        headers,
      });
      const cpuOne = (cpuMs(a.pid) - before) / Math.max(1, one.requests + one.non2xx);
      const idleCpu = round((cpuMs(services[1]!.pid) - idleBefore) / size.durationS / 10);
      const each = services.map((s) => cpuMs(s.pid));
      before = cpu();
      const runs = await spread(size.durationS);
      const two = merge(runs);
      const cpuTwo = (cpu() - before) / Math.max(1, two.requests + two.non2xx);
      const cpuEach = services.map((s, i) => round((cpuMs(s.pid) - each[i]!) / size.durationS / 10));
      const views = await Promise.all(services.map(switchesOf));
      const tracks = views.map((v) => SWITCH_NAMES.filter((n) => v[n]?.tracked === true).join('+') || 'none');
      const failed = (r: LoadResult): string =>
        r.non2xx + r.errors === 0 ? 'none failed' : `${r.non2xx} non-2xx, ${r.errors} errors`;
      const ratio = round(two.rps / one.rps, 2);
      const cores = os.cpus().length;
      return [
        {
          id: 'pg_connect_1',
          value: round(one.rps),
          unit: 'req/s',
          p50: round(one.p50, 2),
          p99: round(one.p99, 2),
          note:
            `token connect, 1 instance on PostgreSQL, 2 fake switches (accept), ${size.connections} connections, ` +
            `${size.durationS} s; service CPU ${round(cpuOne, 3)} ms per connect; ${failed(one)}; the second ` +
            `instance (idle, connected to both switches) used ${idleCpu} % CPU meanwhile`,
        },
        {
          id: 'pg_connect_2',
          value: round(two.rps),
          unit: 'req/s',
          p50: round(two.p50, 2),
          p99: round(two.p99, 2),
          baseline: round(one.rps),
          ratio,
          target: 'ratio ≥ 1.5 (informative here)',
          pass: ratio >= 1.5,
          note:
            `the same ${size.connections} connections split over 2 instances (${half} each, run side by side: ` +
            `${runs.map((r) => round(r.rps)).join(' + ')} req/s; CPU ${cpuEach.join(' % + ')} %; tracking ` +
            `${tracks.join(' / ')}); service CPU ${round(cpuTwo, 3)} ms per connect (both instances); ${failed(two)}; ratio = pg_connect_2 / pg_connect_1; on ${cores} cores shared by the ` +
            `instances, PostgreSQL, the load generator and the fake switches, the scale ratio is informative only`,
        },
      ];
    } finally {
      await stopAll(services);
      await stopAll(switches);
    }
  });
}

/**
 * Fills call_history of the migrated schema with N completed calls of one configuration, created evenly over
 * the year before now: the record and state of bench/lib/history-fill.ts, its times and ids set per row by
 * PostgreSQL itself (one INSERT … SELECT per 100,000 records).
 */
async function fillPgHistory(
  dbUrl: string,
  o: { accountId: string; clicktocallId: string; rows: number },
): Promise<{ fromMs: number; toMs: number }> {
  const toMs = Date.now() - 60_000;
  const fromMs = toMs - 365 * 86_400_000;
  const step = (toMs - fromMs) / o.rows;
  // A template at a known time, whose times, ids and timestamp become placeholders.
  const t0 = Date.UTC(2000, 0, 1);
  const offsets = [0, 20, 60, 62, 73, 5100];
  const template = historyRecord({ id: '@ID@', callId: '@CALL@', createdMs: t0, lead: '@LEAD@' });
  const placeholders = (text: string): string => {
    let out = text.replace(
      `"timestamp":${Math.floor(t0 / 1000) + GREGORIAN_UNIX_OFFSET_S}`,
      '"timestamp":@TS@',
    );
    for (const k of offsets) out = out.split(new Date(t0 + k).toISOString()).join(`@T${k}@`);
    return out;
  };
  const isoSql = (k: number): string =>
    `to_char(timestamp 'epoch' + (c + ${k}) * interval '1 millisecond', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  const fill = (param: string): string => {
    let sql = param;
    const swaps: Array<[string, string]> = [
      ['@ID@', 'id'],
      ['@CALL@', 'call_id'],
      ['@LEAD@', 'i::text'],
      ['@TS@', `(c / 1000 + ${GREGORIAN_UNIX_OFFSET_S})::text`],
      ...offsets.map((k): [string, string] => [`@T${k}@`, isoSql(k)]),
    ];
    for (const [from, to] of swaps) sql = `replace(${sql}, '${from}', ${to})`;
    return `${sql}::json`;
  };
  const insert = `
    INSERT INTO call_history (id, call_id, account_id, clicktocall_id, created_ms, status, final, doc, state, updated_ms)
    SELECT id, call_id, $3, $4, c, 'completed', true, ${fill('$1::text')}, ${fill('$2::text')}, c
    FROM (
      SELECT i, c, md5($5 || i::text) AS id, 'c2c-' || $4 || '-' || lpad(to_hex(i), 10, '0') AS call_id
      FROM (SELECT i, ($6::bigint + floor(i * $7::float8))::bigint AS c FROM generate_series($8::int, $9::int) i) t
    ) s`;
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  try {
    const salt = crypto.randomBytes(8).toString('hex');
    const batch = 100_000;
    for (let start = 0; start < o.rows; start += batch) {
      const end = Math.min(o.rows, start + batch) - 1;
      await client.query(insert, [
        placeholders(JSON.stringify(template.doc)),
        placeholders(JSON.stringify(template.state)),
        o.accountId,
        o.clicktocallId,
        salt,
        Math.round(fromMs),
        step,
        start,
        end,
      ]);
    }
    await client.query('ANALYZE call_history');
  } finally {
    await client.end();
  }
  return { fromMs, toMs };
}

/** pg_history_first_page and pg_history_deep_page: the history list of one configuration with N records. */
function historyRows(url: string, size: Size): Promise<Row[]> {
  log(`pg history with ${size.historyRows} records`);
  return withDatabase(url, async (db) => {
    const switches = await twoSwitches('accept');
    let svc: Service | undefined;
    try {
      svc = await startInstance(db, switches);
      const { token, accountId, cfg } = await prepare(svc);
      const t0 = Date.now();
      const filled = await fillPgHistory(db, { accountId, clicktocallId: cfg, rows: size.historyRows });
      const fillS = round((Date.now() - t0) / 1000, 1);
      log(`  filled in ${fillS} s`);
      const auth = { 'X-Auth-Token': token };
      const histPath = `/v2/accounts/${accountId}/clicktocall/${cfg}/history`;
      const fromS = Math.floor((filled.fromMs + filled.toMs) / 2 / 1000) + GREGORIAN_UNIX_OFFSET_S;
      const deepKey =
        (
          await api<{ next_start_key?: string }>(svc.base, 'GET', `${histPath}?created_to=${fromS}`, {
            token,
          })
        ).next_start_key ?? '';
      const out: Row[] = [];
      for (const [id, urlPath] of [
        ['pg_history_first_page', histPath],
        ['pg_history_deep_page', `${histPath}?start_key=${deepKey}`],
      ] as const) {
        const check = await api<{ data: unknown[] }>(svc.base, 'GET', urlPath, { token });
        const url1 = `${svc.base}${urlPath}`;
        await cannon({ url: url1, connections: 1, durationS: size.warmupS, headers: auth });
        const r = await cannon({ url: url1, connections: 1, durationS: size.durationS, headers: auth });
        out.push({
          id,
          value: round(r.p99, 2),
          unit: 'ms (p99)',
          p50: round(r.p50, 2),
          p99: round(r.p99, 2),
          target: 'p99 < 50 ms',
          pass: r.p99 < 50,
          note:
            `${size.historyRows} records on PostgreSQL (filled by INSERT … SELECT in ${fillS} s); page of ` +
            `${check.data.length}; 1 connection, ${round(r.rps)} req/s` +
            (id === 'pg_history_deep_page' ? '; start_key from the middle of the year' : ''),
        });
      }
      return out;
    } finally {
      if (svc) await svc.stop();
      await stopAll(switches);
    }
  });
}

type Takeover = { ms: number; placed: number; final: number; completed: number; statuses: string };

/** One takeover: two instances, 20 calls placed through both in turn, the tracking holder killed. */
function takeoverOnce(url: string): Promise<Takeover> {
  return withDatabase(url, async (db) => {
    const switches = await twoSwitches('real');
    const services: Service[] = [];
    try {
      services.push(await startInstance(db, switches));
      services.push(await startInstance(db, switches));
      const { token, accountId, cfg, path: p } = await prepare(services[0]!);
      // Every switch tracked by one instance or the other.
      await until('both switches tracked', 15_000, async () => {
        const views = await Promise.all(services.map(switchesOf));
        return SWITCH_NAMES.every((n) => views.some((v) => v[n]?.tracked === true));
      });
      let placed = 0;
      for (let i = 0; i < 20; i++) {
        const svc = services[i % 2]!;
        const res = await fetch(`${svc.base}${p}`, { method: 'POST', headers: { 'X-Auth-Token': token } });
        await res.text();
        if (res.status >= 200 && res.status < 300) placed += 1;
      }
      // The calls under way (each lasts about 5 s): then the instance tracking (most) switches dies.
      await sleep(500);
      const views = await Promise.all(services.map(switchesOf));
      const held = views.map((v) => SWITCH_NAMES.filter((n) => v[n]?.tracked === true).length);
      const victimIndex = held[1]! > held[0]! ? 1 : 0;
      const victim = services[victimIndex]!;
      const survivor = services[1 - victimIndex]!;
      const exited = new Promise((resolve) => victim.proc.once('exit', resolve));
      const killedAt = performance.now();
      victim.proc.kill('SIGKILL');
      await until('the survivor tracking both switches', 30_000, async () => {
        const v = await switchesOf(survivor);
        return SWITCH_NAMES.every((n) => v[n]?.tracked === true);
      });
      const ms = performance.now() - killedAt;
      await exited;
      // Every record final, read through the survivor (or what is final after 60 s).
      const histPath = `/v2/accounts/${accountId}/clicktocall/${cfg}/history`;
      let docs: Array<{ status: string }> = [];
      const deadline = Date.now() + 60_000;
      for (;;) {
        docs = (await api<{ data: Array<{ status: string }> }>(survivor.base, 'GET', histPath, { token }))
          .data;
        if ((docs.length >= placed && docs.every((d) => FINAL.has(d.status))) || Date.now() > deadline) break;
        await sleep(250);
      }
      const counts = new Map<string, number>();
      for (const d of docs) counts.set(d.status, (counts.get(d.status) ?? 0) + 1);
      return {
        ms,
        placed,
        final: docs.filter((d) => FINAL.has(d.status)).length,
        completed: counts.get('completed') ?? 0,
        statuses: [...counts].map(([s, n]) => `${n} ${s}`).join(', '),
      };
    } finally {
      await stopAll(services);
      await stopAll(switches);
    }
  });
}

/** takeover_ms: the median of N takeovers. */
async function takeoverRow(url: string, size: Size): Promise<Row> {
  const runs: Takeover[] = [];
  for (let i = 0; i < size.takeovers; i++) {
    log(`takeover ${i + 1} of ${size.takeovers}`);
    runs.push(await takeoverOnce(url));
  }
  const ms = runs.map((r) => r.ms);
  const median = quantile(ms, 0.5);
  return {
    id: 'takeover_ms',
    value: round(median),
    unit: `ms (median of ${runs.length})`,
    target: '< 5000 ms',
    pass: median < 5000,
    note:
      `2 instances, 2 fake switches (real scenarios, speed 1), 20 calls placed through both in turn, the ` +
      `tracking instance killed (SIGKILL) 0.5 s later; from the kill until the survivor's /health shows both ` +
      `switches tracked: min ${round(Math.min(...ms))} ms, max ${round(Math.max(...ms))} ms; records final / ` +
      `placed: ${runs.map((r) => `${r.final}/${r.placed} (${r.statuses})`).join('; ')}; completed: ` +
      runs.map((r) => r.completed).join(', '),
  };
}

/** switch_down_errors: one of two switches stopped a third into a steady connect load. */
function switchDownRow(url: string, size: Size): Promise<Row> {
  log('one switch down under load');
  return withDatabase(url, async (db) => {
    const switches = await twoSwitches('accept');
    let svc: Service | undefined;
    try {
      svc = await startInstance(db, switches);
      const s = svc;
      const { token, path: p } = await prepare(s);
      await waitConnected(s, p, token);
      const headers = { 'X-Auth-Token': token };
      const url1 = `${s.base}${p}`;
      await cannon({ url: url1, connections: size.connections, durationS: size.warmupS, headers });
      let stoppedAt: number | undefined;
      let leftAfterMs: number | undefined;
      let running = true;
      const watch = (async (): Promise<void> => {
        while (running && leftAfterMs === undefined) {
          const v = await switchesOf(s);
          if (stoppedAt !== undefined && v['fs2']?.up === false) leftAfterMs = performance.now() - stoppedAt;
          await sleep(20);
        }
      })();
      const stopper = (async (): Promise<void> => {
        await sleep((size.downS * 1000) / 3);
        stoppedAt = performance.now();
        await switches[1]!.stop();
      })();
      const r = await cannon({ url: url1, connections: size.connections, durationS: size.downS, headers });
      running = false;
      await Promise.all([watch, stopper]);
      const bad = r.non2xx + r.errors;
      const total = r.requests + bad;
      const pct = (bad / Math.max(1, total)) * 100;
      return {
        id: 'switch_down_errors',
        value: round(pct, 3),
        unit: '% failed',
        p50: round(r.p50, 2),
        p99: round(r.p99, 2),
        target: '< 1 %',
        pass: pct < 1,
        note:
          `1 instance on PostgreSQL, 2 fake switches (accept), ${size.connections} connections for ${size.downS} s, ` +
          `fs2's process stopped at ${round(size.downS / 3, 1)} s; ${r.non2xx} non-2xx and ${r.errors} errors ` +
          `of ${total} requests (${round(r.rps)} req/s 2xx); fs2 out of rotation (/health up false) ` +
          (leftAfterMs === undefined ? 'never seen' : `${round(leftAfterMs)} ms after its stop began`),
      };
    } finally {
      if (svc) await svc.stop();
      await stopAll(switches);
    }
  });
}

/** Every instance row, on the PostgreSQL server of `url` (a database of its own per row). */
export async function benchInstances(o: { url: string; smoke: boolean }): Promise<Row[]> {
  const size = sizes(o.smoke);
  return [
    ...(await connectRows(o.url, size)),
    ...(await historyRows(o.url, size)),
    await takeoverRow(o.url, size),
    await switchDownRow(o.url, size),
  ];
}

async function main(): Promise<void> {
  const smoke = process.argv.includes('--smoke') || process.env['BENCH_SIZE'] === 'small';
  const started = Date.now();
  let url = process.env['DATABASE_URL'];
  let stop: (() => void) | undefined;
  if (url === undefined || url === '') {
    const cluster = await startThrowawayCluster();
    if ('missing' in cluster) throw new Error(`no DATABASE_URL and no cluster: ${cluster.missing}`);
    ({ url, stop } = cluster);
    log(`throw-away PostgreSQL cluster at ${url}`);
  }
  try {
    const rows = await benchInstances({ url, smoke });
    rows.sort((a, b) => ORDER.indexOf(a.id) - ORDER.indexOf(b.id));
    process.stdout.write(
      report(rows, {
        size: smoke ? 'smoke' : 'full',
        durationS: round((Date.now() - started) / 1000),
        machine: machine(),
      }),
    );
  } finally {
    stop?.();
  }
}

if (require.main === module)
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
