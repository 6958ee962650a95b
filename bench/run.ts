/**
 * `npm run bench`: the service measured as a whole process against its targets, each beside a baseline
 * run in the same process tree at the same time (ratios hold on a noisy machine; absolute numbers drift).
 * `--smoke` (or BENCH_SIZE=small) runs every row with tiny sizes in well under a minute.
 * Prints a table and writes bench/results.json.
 */
import autocannon from 'autocannon';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GREGORIAN_UNIX_OFFSET_S } from '../src/calls/time';
import { benchIngest } from './ingest';
import { openSqliteStore } from '../src/store/sqlite/store';
import { fillHistory } from './lib/history-fill';
import { addedLatency } from './lib/added-latency';
import { cannon, quantile, type LoadResult } from './lib/load';
import { api, ask, cpuMs, forkReady, rssMb, startService, type Child, type Service } from './lib/proc';
import { log, machine, ORDER, report, round, type Row, type RowId } from './lib/rows';
import { connectPath as connectPathOf, createConfig, login, waitConnected } from './lib/service-setup';
import { benchInstances } from './instances';
import { benchParsers } from './parsers';
import { traceFromArgs } from './trace';
import { benchDelivery } from './webhooks';

const smoke = process.argv.includes('--smoke') || process.env['BENCH_SIZE'] === 'small';
const SIZE = smoke
  ? {
      durationS: 2,
      warmupS: 0.5,
      connections: 20,
      ingestCalls: 200,
      historyRows: 20_000,
      rssCalls: 1000,
      latencyS: 2,
      webhookEvents: 500,
      parserCalls: 100,
    }
  : {
      durationS: 10,
      warmupS: 2,
      connections: 50,
      ingestCalls: 5000,
      historyRows: 1_000_000,
      rssCalls: 10_000,
      latencyS: 10,
      webhookEvents: 10_000,
      parserCalls: 1000,
    };

const rows: Row[] = [];

function add(row: Row): void {
  rows.push(row);
  log(`${row.id}: ${row.value} ${row.unit}${row.ratio === undefined ? '' : ` (ratio ${row.ratio})`}`);
}

async function warm(url: string, extra: Partial<Parameters<typeof cannon>[0]> = {}): Promise<void> {
  await cannon({ url, connections: SIZE.connections, durationS: SIZE.warmupS, ...extra });
}

async function measure(url: string, extra: Partial<Parameters<typeof cannon>[0]> = {}): Promise<LoadResult> {
  await warm(url, extra);
  const r = await cannon({ url, connections: SIZE.connections, durationS: SIZE.durationS, ...extra });
  if (r.non2xx > 0 || r.errors > 0) log(`  ${url}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return r;
}

function vsBaseline(id: RowId, r: LoadResult, baseline: LoadResult, target?: number): Row {
  const ratio = round(r.rps / baseline.rps, 2);
  return {
    id,
    value: round(r.rps),
    unit: 'req/s',
    p50: round(r.p50, 2),
    p99: round(r.p99, 2),
    baseline: round(baseline.rps),
    ratio,
    ...(target !== undefined && { target: `≥ ${target * 100} % of baseline`, pass: ratio >= target }),
    note: `${SIZE.connections} connections, ${SIZE.durationS} s; baseline p50/p99 ${round(baseline.p50, 2)}/${round(baseline.p99, 2)} ms`,
  };
}

/** Rows 1, 2 and 6: the HTTP paths, beside the Express baseline; returns what row 4 reuses. */
async function httpRows(dir: string, sw: Child, baselineSrv: Child, hooks: Child) {
  const dbPath = path.join(dir, 'service.db');
  // Private networks allowed: the webhook receiver of the connect row is on 127.0.0.1.
  const env = { WEBHOOKS_ALLOW_PRIVATE_NETWORKS: 'true' };
  let svc = await startService({ dbPath, eslPort: sw.port, env });
  const accountId = svc.accountId ?? '';
  const token = await login(svc);
  const create = (data: object): Promise<string> => createConfig(svc, token, data);
  const cfgToken = await create({ name: 'Bench token', extension: '2600' });
  const cfgAnon = await create({ name: 'Bench anonymous', extension: '2600', auth_required: false });
  const cfgHistory = await create({ name: 'Bench history', extension: '2600' });
  // Webhooks on, against the same connect without: extension 2486 is busy at the switch (its originate answers
  // -ERR USER_BUSY at once), so every call ends at once and, with a callback, sends its final event.
  const hookUrl = `http://127.0.0.1:${hooks.port}/hooks`;
  const cfgBusy = await create({ name: 'Bench busy', extension: '2486' });
  const cfgBusyHooks = await create({
    name: 'Bench busy webhooks',
    extension: '2486',
    status_callback: { url: hookUrl },
  });
  const cfgBusyOriginating = await create({
    name: 'Bench busy webhooks originating',
    extension: '2486',
    status_callback: { url: hookUrl, events: ['originating'] },
  });
  const c2c = `/v2/accounts/${accountId}/clicktocall`;
  const connectPath = (id: string): string => connectPathOf(accountId, id);
  const auth = { 'X-Auth-Token': token };
  await waitConnected(svc, connectPath(cfgToken), token);
  const baseUrl = `http://127.0.0.1:${baselineSrv.port}`;

  // Row 1: non-blocking connect, token and anonymous, beside the bare Express server.
  log('connect (row 1)');
  const helloGet = await measure(`${baseUrl}/hello`);
  // The service's CPU time over the measured run only (after its warm-up), per request answered.
  const tokenUrl = `${svc.base}${connectPath(cfgToken)}`;
  await warm(tokenUrl, { headers: auth });
  const cpuBefore = cpuMs(svc.pid);
  const tokenRun = await cannon({
    url: tokenUrl,
    connections: SIZE.connections,
    durationS: SIZE.durationS,
    headers: auth,
  });
  const cpuPerConnect = (cpuMs(svc.pid) - cpuBefore) / (tokenRun.requests + tokenRun.non2xx);
  const anonRun = await measure(`${svc.base}${connectPath(cfgAnon)}`);
  const helloGet2 = await measure(`${baseUrl}/hello`);
  const helloBest = helloGet2.rps > helloGet.rps ? helloGet2 : helloGet;
  const tokenRow = vsBaseline('connect_token', tokenRun, helloBest, 0.5);
  add({ ...tokenRow, note: `${tokenRow.note ?? ''}; service CPU ${round(cpuPerConnect, 3)} ms per connect` });
  add(vsBaseline('connect_anonymous', anonRun, helloBest, 0.5));

  await webhookConnectRow(svc, hooks, auth, [cfgBusy, cfgBusyHooks, cfgBusyOriginating].map(connectPath));

  // Row 2: HTTP request sent → bgapi bytes at the fake switch, open loop at fixed rates.
  for (const rate of [100, 500, 1000] as const) {
    log(`added latency at ${rate} req/s (row 2)`);
    const res = await addedLatency(sw, {
      url: `${svc.base}${connectPath(cfgToken)}`,
      rate,
      durationS: SIZE.latencyS,
      headers: auth,
    });
    const added = res.added.map((a) => a.ms);
    const median = quantile(added, 0.5);
    const p99 = quantile(added, 0.99);
    const p999 = quantile(added, 0.999);
    const matched = `${added.length} of ${res.sent} requests matched at ${rate} req/s open loop over ${SIZE.latencyS} s (${res.failed} failed)`;
    const note = `${matched}; p99.9 ${round(p999, 2)} ms, max ${round(Math.max(...added), 2)} ms`;
    if (rate === 100)
      add({
        id: 'added_latency_100',
        value: round(median, 3),
        unit: 'ms (median)',
        p50: round(median, 3),
        p99: round(p99, 3),
        target: 'median < 2 ms',
        pass: median < 2,
        note,
      });
    else
      add({
        id: rate === 500 ? 'added_latency_500' : 'added_latency_1000',
        value: round(p99, 2),
        unit: `ms (p99; p99.9 ${round(p999, 2)} ms)`,
        p50: round(median, 3),
        p99: round(p99, 2),
        ...(rate === 500 && { target: 'p99 < 20 ms, p99.9 < 50 ms', pass: p99 < 20 && p999 < 50 }),
        note,
      });
  }

  // Row 6: CRUD beside the same Express baseline (GET, and PUT with a JSON body for create).
  log('crud (row 6)');
  const body = JSON.stringify({ data: { name: 'Bench CRUD', extension: '2601' } });
  const json = { ...auth, 'Content-Type': 'application/json' };
  const helloPut = await measure(`${baseUrl}/hello`, {
    method: 'PUT',
    body,
    headers: { 'Content-Type': 'application/json' },
  });
  const createRun = await measure(`${svc.base}${c2c}`, { method: 'PUT', body, headers: json });
  const fetchRun = await measure(`${svc.base}${c2c}/${cfgToken}`, { headers: auth });
  const listRun = await measure(`${svc.base}${c2c}`, { headers: auth });
  add(vsBaseline('crud_create', createRun, helloPut));
  add(vsBaseline('crud_fetch', fetchRun, helloBest));
  add(vsBaseline('crud_list', listRun, helloBest));
  rows[rows.length - 1]!.note += `; list pages 50 of ${createRun.requests + 3} configurations`;

  // Row 4: history of one configuration with N records, through HTTP.
  await svc.stop();
  log(`filling ${SIZE.historyRows} history records (row 4)`);
  const t0 = Date.now();
  const store = openSqliteStore({ file: dbPath });
  const filled = await fillHistory(store, {
    accountId,
    clicktocallId: cfgHistory,
    rows: SIZE.historyRows,
    spanDays: 365,
  });
  await store.close();
  log(`  filled in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  svc = await startService({ dbPath, eslPort: sw.port });
  const hist = `${svc.base}${c2c}/${cfgHistory}/history`;
  const midMs = (filled.fromMs + filled.toMs) / 2;
  const fromS = Math.floor(midMs / 1000) + GREGORIAN_UNIX_OFFSET_S;
  // A key from the middle of the history, as a client paging down would hold it.
  const deepKey = await fetch(`${hist}?created_to=${fromS}`, { headers: auth })
    .then((r) => r.json() as Promise<{ next_start_key?: string }>)
    .then((b) => b.next_start_key ?? '');
  const windowQuery = `created_from=${fromS}&created_to=${fromS + 86_399}`;
  const queries: Array<[RowId, string]> = [
    ['history_first_page', hist],
    ['history_deep_page', `${hist}?start_key=${deepKey}`],
    ['history_window', `${hist}?${windowQuery}`],
  ];
  for (const [id, url] of queries) {
    const check = await api<{ data: unknown[] }>(svc.base, 'GET', url.slice(svc.base.length), { token });
    const r = await measure(url, { headers: auth, connections: 1 });
    add({
      id,
      value: round(r.p99, 2),
      unit: 'ms (p99)',
      p50: round(r.p50, 2),
      p99: round(r.p99, 2),
      target: 'p99 < 5 ms',
      pass: r.p99 < 5,
      note: `${SIZE.historyRows} records; page of ${check.data.length}; 1 connection, ${round(r.rps)} req/s`,
    });
  }
  await svc.stop();
}

/** Row 5: RSS of the service process with N calls tracked at once (ringing forever on the real scenarios). */
async function rssRow(dir: string): Promise<void> {
  log(`rss with ${SIZE.rssCalls} tracked calls (row 5)`);
  const sw = await forkReady('switch-proc', ['real']);
  const svc = await startService({ dbPath: path.join(dir, 'rss.db'), eslPort: sw.port });
  try {
    const accountId = svc.accountId ?? '';
    const token = await login(svc);
    // An extension ending in 999: the first party rings until the call is cancelled (README table).
    const cfg = await createConfig(svc, token, { name: 'Bench ringing', extension: '2999' });
    const url = `${svc.base}${connectPathOf(accountId, cfg)}`;
    await waitConnected(svc, url.slice(svc.base.length), token);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const idle = rssMb(svc.pid);
    await new Promise<void>((resolve, reject) => {
      autocannon(
        { url, connections: 20, amount: SIZE.rssCalls - 1, headers: { 'X-Auth-Token': token } },
        (err: Error | null) => (err ? reject(err) : resolve()),
      );
    });
    // Let every call's ringing events arrive and settle.
    let stats = await ask<{ activeCalls: number }>(sw.proc, 'stats');
    for (let i = 0; i < 50 && stats.activeCalls < SIZE.rssCalls; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      stats = await ask<{ activeCalls: number }>(sw.proc, 'stats');
    }
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const rss = rssMb(svc.pid);
    add({
      id: 'rss_10k_calls',
      value: round(rss, 1),
      unit: 'MB',
      target: '< 150 MB',
      pass: rss < 150,
      note: `${stats.activeCalls} calls up at the switch, each tracked (ringing); idle RSS before the calls ${round(idle, 1)} MB`,
    });
  } finally {
    await svc.stop();
    await sw.stop();
  }
}

/**
 * The token connect with webhooks on (default events: the final one) beside the same connect without, and with
 * `originating` asked for (written in the connect's own transaction), in turn: A B C A B C.
 */
async function webhookConnectRow(
  svc: Service,
  hooks: Child,
  headers: Record<string, string>,
  [plainPath, hooksPath, originatingPath]: string[],
): Promise<void> {
  log('connect with webhooks');
  await ask(hooks.proc, 'reset');
  const runs: LoadResult[][] = [[], [], []];
  for (let i = 0; i < 2; i++)
    for (const [k, p] of [plainPath, hooksPath, originatingPath].entries())
      runs[k]!.push(await measure(`${svc.base}${p!}`, { headers }));
  const mean = (rs: LoadResult[]): LoadResult => ({
    ...rs[0]!,
    rps: rs.reduce((a, r) => a + r.rps, 0) / rs.length,
    p50: rs.reduce((a, r) => a + r.p50, 0) / rs.length,
    p99: rs.reduce((a, r) => a + r.p99, 0) / rs.length,
    requests: rs.reduce((a, r) => a + r.requests, 0),
  });
  const [plain, hooked, originating] = runs.map(mean) as [LoadResult, LoadResult, LoadResult];
  const during = await ask<{ count: number }>(hooks.proc, 'stats');
  // Every connect of B and C (warm-ups included) sends one event: wait for the backlog to drain.
  const expected = await eventsWritten(svc, headers);
  const drainStart = Date.now();
  let drained = during;
  while (drained.count < expected && Date.now() - drainStart < 120_000) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    drained = await ask<{ count: number }>(hooks.proc, 'stats');
  }
  add({
    ...vsBaseline('connect_token_webhooks', hooked, plain, 0.9),
    note:
      `every call busy at once (extension 2486), with status_callback (final events) beside without, two runs each in turn; ` +
      `with originating asked for too ${round(originating.rps)} req/s (ratio ${round(originating.rps / plain.rps, 2)}); ` +
      `${during.count} of ${expected} events delivered by the end of the runs, all ${drained.count} ${round((Date.now() - drainStart) / 1000, 1)} s later`,
  });
}

/** How many webhook events the account's deliveries hold (one page of 1: the list is newest first, keys count). */
async function eventsWritten(svc: Service, headers: Record<string, string>): Promise<number> {
  const accountId = svc.accountId ?? '';
  const res = await fetch(`${svc.base}/v2/accounts/${accountId}/webhook_deliveries?paginate=false`, {
    headers,
  });
  return ((await res.json()) as { data: unknown[] }).data.length;
}

/** Webhook events delivered per second to a local receiver, beside a bare HTTP client's POSTs. */
async function deliveryRow(dir: string, hooks: Child, eslPort: number): Promise<void> {
  log(`webhook delivery of ${SIZE.webhookEvents} events`);
  const r = await benchDelivery(dir, hooks, eslPort, SIZE.webhookEvents);
  add({
    id: 'webhook_delivery',
    value: round(r.eventsPerS),
    unit: 'events/s',
    baseline: round(r.baselinePerS),
    ratio: round(r.eventsPerS / r.baselinePerS, 2),
    target: '≥ 500 events/s',
    pass: r.eventsPerS >= 500 && r.distinct === r.events,
    note: `${r.events} events of ${r.events / 5} calls waiting in the outbox, ${r.distinct} distinct delivered, ${r.bodyBytes}-byte payloads, signed; 4 in flight (the per-destination bound); baseline: the same number of POSTs of that size from a bare keep-alive client, 4 at a time`,
  });
}

async function parserRows(): Promise<void> {
  log(`esl parsers, ours and modesl, on the same bytes of ${SIZE.parserCalls} calls (row 7)`);
  for (const row of await benchParsers({ calls: SIZE.parserCalls, rounds: smoke ? 1 : 3 })) add(row);
}

async function ingestRow(): Promise<void> {
  log(`esl ingest of ${SIZE.ingestCalls} calls (row 3)`);
  const { service, baseline } = await benchIngest(SIZE.ingestCalls);
  add({
    id: 'esl_ingest',
    value: round(service.eventsPerS),
    unit: 'events/s',
    baseline: round(baseline.eventsPerS),
    ratio: round(service.eventsPerS / baseline.eventsPerS, 2),
    target: '≥ 20000 events/s',
    pass: service.eventsPerS >= 20_000,
    note:
      `${service.events} events of ${service.calls} calls (${round(service.bytes / service.events / 1024, 1)} KB/event avg): ` +
      `${round(service.callsPerS)} calls/s, ${round(service.mbPerS)} MB/s; baseline ${round(baseline.callsPerS)} calls/s, ${round(baseline.mbPerS)} MB/s`,
  });
}

async function main(): Promise<void> {
  if (process.argv.includes('--trace')) {
    await traceFromArgs(process.argv.slice(2));
    return;
  }
  const started = Date.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'c2c-bench-'));
  log(`${smoke ? 'smoke' : 'full'} run; data in ${dir}`);
  try {
    await ingestRow();
    await parserRows();
    const sw = await forkReady('switch-proc', ['accept']);
    const baselineSrv = await forkReady('baseline-server');
    const hooks = await forkReady('webhook-receiver');
    try {
      await httpRows(dir, sw, baselineSrv, hooks);
      await deliveryRow(dir, hooks, sw.port);
    } finally {
      await hooks.stop();
      await baselineSrv.stop();
      await sw.stop();
    }
    await rssRow(dir);
    // The instance rows (several instances over PostgreSQL): only when a server is given.
    const databaseUrl = process.env['DATABASE_URL'];
    if (databaseUrl !== undefined && databaseUrl !== '')
      rows.push(...(await benchInstances({ url: databaseUrl, smoke })));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  rows.sort((a, b) => ORDER.indexOf(a.id) - ORDER.indexOf(b.id));
  const results = {
    date: new Date().toISOString(),
    machine: machine(),
    size: smoke ? 'smoke' : 'full',
    duration_s: round((Date.now() - started) / 1000),
    rows,
  };
  const file = path.resolve(__dirname, '..', '..', 'bench', 'results.json');
  fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(
    report(rows, {
      size: results.size,
      durationS: results.duration_s,
      machine: results.machine,
      written: path.relative(process.cwd(), file),
    }),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
