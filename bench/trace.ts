/**
 * `npm run bench -- --trace [rate …] [--cpu-prof] [--seconds=N] [--open=N]`: where the slow connects of the open-loop rows
 * spend their time. The service runs with bench/trace-preload.ts loaded (event-loop delay, GC, slow SQLite calls);
 * for each rate (default 500 and 1000 req/s, 10 s), the added latency of every connect (request written →
 * `bgapi originate` read by the fake switch) is matched with what happened in the service meanwhile, and the
 * slowest 1 % are attributed: a GC, a slow SQLite call (its SQL), another stall of the event loop, or nothing seen.
 * `--open=N` first leaves N calls open in the service (the fake switch never ends them), as the full run's earlier
 * rows do before its latency rows.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openLoop, quantile } from './lib/load';
import { addedLatency, type Added } from './lib/added-latency';
import { api, cpuMs, forkReady, startService } from './lib/proc';
import type { Trace } from './trace-preload';

const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const r2 = (n: number): number => Math.round(n * 100) / 100;

type Span = { from: bigint; to: bigint; what: string; ms: number };

export async function traceRun(
  rates: number[],
  opts: { durationS?: number; cpuProfile?: boolean; open?: number } = {},
): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'c2c-trace-'));
  const sw = await forkReady('switch-proc', ['accept']);
  try {
    for (const rate of rates)
      await traceRate(dir, sw, rate, opts.durationS ?? 10, opts.cpuProfile === true, opts.open ?? 0);
  } finally {
    await sw.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function traceRate(
  dir: string,
  sw: Awaited<ReturnType<typeof forkReady>>,
  rate: number,
  durationS: number,
  cpuProfile: boolean,
  open: number,
): Promise<void> {
  const traceFile = path.join(dir, `trace-${rate}.json`);
  const profDir = path.join(dir, `prof-${rate}`);
  const svc = await startService({
    dbPath: path.join(dir, `trace-${rate}.db`),
    eslPort: sw.port,
    env: { C2C_TRACE_FILE: traceFile },
    execArgv: [
      '--require',
      path.join(__dirname, 'trace-preload.js'),
      ...(cpuProfile ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []),
    ],
  });
  let added: Added[] = [];
  let sent = 0;
  let cpu = 0;
  try {
    const { auth_token: token } = await api<{ auth_token: string }>(svc.base, 'PUT', '/v2/api_auth', {
      body: { data: { api_key: svc.apiKey } },
    });
    const { data } = await api<{ data: { id: string } }>(
      svc.base,
      'PUT',
      `/v2/accounts/${svc.accountId ?? ''}/clicktocall`,
      { token, body: { data: { name: 'Trace', extension: '2600' } } },
    );
    const url = `${svc.base}/v2/accounts/${svc.accountId ?? ''}/clicktocall/${data.id}/connect?contact=%2B15551234567`;
    const headers = { 'X-Auth-Token': token };
    if (open > 0) {
      // Calls left open before the measure, 1,000 a second (the service queues what it cannot take at once).
      const placed = await openLoop({
        url,
        rate: 1000,
        durationS: Math.ceil(open / 1000),
        headers,
        onAnswer: () => undefined,
      });
      log(`left ${placed.sent - placed.failed} calls open before the measure`);
    }
    // Warm-up: 2 s at the same rate, not measured.
    await openLoop({ url, rate, durationS: 2, headers, onAnswer: () => undefined });
    const cpuBefore = cpuMs(svc.pid);
    const res = await addedLatency(sw, { url, rate, durationS, headers });
    cpu = cpuMs(svc.pid) - cpuBefore;
    sent = res.sent;
    added = res.added;
  } finally {
    await svc.stop();
  }
  const trace = JSON.parse(fs.readFileSync(traceFile, 'utf8')) as Trace;
  report(rate, sent, added, trace);
  log(`service CPU: ${r2(cpu / sent)} ms per connect (${r2(cpu)} ms over the run)`);
  if (cpuProfile) for (const f of fs.readdirSync(profDir)) profileSummary(path.join(profDir, f));
}

type ProfileNode = { id: number; callFrame: { functionName: string; url: string; lineNumber: number } };
/** Self time by function, from a V8 .cpuprofile (the whole life of the service, start-up included). */
function profileSummary(file: string): void {
  const prof = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  prof.samples.forEach((id, i) => {
    const n = byId.get(id);
    const dt = prof.timeDeltas[i] ?? 0;
    total += dt;
    if (!n) return;
    const { functionName, url, lineNumber } = n.callFrame;
    const where = url.replace(/^.*\/(node_modules\/[^/]+|dist)\//, '$1/');
    const key = `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + dt);
  });
  log(`cpu profile: ${r2(total / 1e6)} s sampled; self time, top 25:`);
  for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25))
    log(`  ${((100 * us) / total).toFixed(1).padStart(5)} %  ${key}`);
}

/** The trace's records within [from, to] only (start-up and warm-up left out). */
function within(trace: Trace, from: bigint, to: bigint): Trace {
  const inside = (s: { atNs: string }): boolean => BigInt(s.atNs) >= from && BigInt(s.atNs) <= to;
  return {
    ...trace,
    stalls: trace.stalls.filter(inside),
    gcs: trace.gcs.filter(inside),
    slowSql: trace.slowSql.filter(inside),
  };
}

function spansOf(trace: Trace): Span[] {
  const spans: Span[] = [];
  const add = (list: Trace['gcs'], prefix: string, minMs: number): void => {
    for (const s of list) {
      if (s.ms < minMs) continue;
      const from = BigInt(s.atNs);
      spans.push({ from, to: from + BigInt(Math.round(s.ms * 1e6)), what: `${prefix}${s.what}`, ms: s.ms });
    }
  };
  add(trace.gcs, 'gc ', 1);
  add(trace.slowSql, 'sql ', 1);
  add(trace.stalls, '', 3);
  return spans;
}

function report(rate: number, sent: number, added: Added[], whole: Trace): void {
  const ms = added.map((a) => a.ms);
  const from = added.reduce((m, a) => (a.sent < m ? a.sent : m), added[0]?.sent ?? 0n);
  const to = added.reduce((m, a) => (a.at > m ? a.at : m), 0n);
  const trace = within(whole, from, to);
  log(`\n== ${rate} req/s: ${added.length} of ${sent} connects matched`);
  log(
    `added latency ms: p50 ${r2(quantile(ms, 0.5))}  p99 ${r2(quantile(ms, 0.99))}  p99.9 ${r2(quantile(ms, 0.999))}  max ${r2(Math.max(...ms))}`,
  );
  const d = trace.loopDelayMs;
  log(
    `service event-loop delay ms: p50 ${r2(d.p50)}  p99 ${r2(d.p99)}  p99.9 ${r2(d.p999)}  max ${r2(d.max)}`,
  );
  const gcMs = trace.gcs.reduce((s, g) => s + g.ms, 0);
  const major = trace.gcs.filter((g) => g.what === 'major');
  log(
    `gc: ${trace.gcs.length} (${r2(gcMs)} ms in all), major ${major.length}, longest ${r2(Math.max(0, ...trace.gcs.map((g) => g.ms)))} ms`,
  );
  log(
    `sqlite: ${trace.sqlCalls} calls, ${r2(trace.sqlMs)} ms in all; slower than 1 ms: ${trace.slowSql.length}`,
  );
  const bySql = new Map<string, number[]>();
  for (const s of trace.slowSql) bySql.set(s.what, [...(bySql.get(s.what) ?? []), s.ms]);
  for (const [what, list] of [...bySql].sort((a, b) => b[1].length - a[1].length).slice(0, 6))
    log(
      `  ${list.length} × ${what} (max ${r2(Math.max(...list))} ms, sum ${r2(list.reduce((a, b) => a + b, 0))} ms)`,
    );
  log(
    `event-loop stalls over 3 ms: ${trace.stalls.length}, longest ${r2(Math.max(0, ...trace.stalls.map((s) => s.ms)))} ms`,
  );

  // The slowest 1 %: what overlapped each one's wait.
  const spans = spansOf(trace);
  const slow = [...added].sort((a, b) => b.ms - a.ms).slice(0, Math.max(1, Math.ceil(added.length / 100)));
  const blame = new Map<string, number>();
  for (const req of slow) {
    const hits = spans.filter((s) => s.from < req.at && s.to > req.sent);
    const key =
      hits.length === 0
        ? 'nothing seen in the service'
        : [...new Set(hits.sort((a, b) => b.ms - a.ms).map((h) => h.what.split(' (')[0] ?? h.what))]
            .slice(0, 2)
            .join(' + ');
    blame.set(key, (blame.get(key) ?? 0) + 1);
  }
  log(`the slowest ${slow.length} (from ${r2(slow[slow.length - 1]?.ms ?? 0)} ms) overlapped:`);
  for (const [key, n] of [...blame].sort((a, b) => b[1] - a[1])) log(`  ${n} × ${key}`);
}

/** `traceRun` as the command line asks: the rates (numbers), `--cpu-prof`, `--seconds=N`. */
export function traceFromArgs(args: string[]): Promise<void> {
  const rates = args
    .filter((a) => !a.startsWith('--'))
    .map(Number)
    .filter((n) => Number.isFinite(n) && n > 0);
  const numberOf = (name: string): number | undefined => {
    const m = new RegExp(`^--${name}=(\\d+)$`).exec(args.find((a) => a.startsWith(`--${name}=`)) ?? '');
    return m?.[1] === undefined ? undefined : Number(m[1]);
  };
  const seconds = numberOf('seconds');
  const open = numberOf('open');
  return traceRun(rates.length > 0 ? rates : [500, 1000], {
    cpuProfile: args.includes('--cpu-prof'),
    ...(seconds !== undefined && { durationS: seconds }),
    ...(open !== undefined && { open }),
  });
}

if (require.main === module) {
  traceFromArgs(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  });
}
