/**
 * Loaded into the service by `npm run bench -- --trace` (`node --require dist/bench/trace-preload.js`): records
 * what can hold up a request, each on the system's monotonic clock (shared with the bench process), and writes
 * it to C2C_TRACE_FILE when the process exits (`%p` in the name: the process id, for a run that starts several):
 * - the event-loop delay histogram (perf_hooks) and every stall of the loop longer than 3 ms;
 * - every garbage collection (kind and duration);
 * - every SQLite statement or `exec` slower than 1 ms (its SQL), and how many ran.
 * Bench-only: the service itself has no tracing code.
 */
import fs from 'node:fs';
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import Database from 'better-sqlite3';

type Span = { atNs: string; ms: number; what: string };
export type Trace = {
  loopDelayMs: { p50: number; p99: number; p999: number; max: number; mean: number };
  stalls: Span[];
  gcs: Span[];
  slowSql: Span[];
  sqlCalls: number;
  sqlMs: number;
};

const file = process.env['C2C_TRACE_FILE']?.replace('%p', String(process.pid));
if (file !== undefined) start(file);

function start(out: string): void {
  const originNs = process.hrtime.bigint() - BigInt(Math.round(performance.now() * 1e6));
  const at = (perfMs: number): string => String(originNs + BigInt(Math.round(perfMs * 1e6)));
  const eld = monitorEventLoopDelay({ resolution: 1 });
  eld.enable();
  const stalls: Span[] = [];
  const gcs: Span[] = [];
  const slowSql: Span[] = [];
  let sqlCalls = 0;
  let sqlNs = 0n;

  const GC_KINDS: Record<number, string> = { 1: 'minor', 2: 'major', 4: 'incremental', 8: 'weak callbacks' };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0;
      gcs.push({ atNs: at(e.startTime), ms: e.duration, what: GC_KINDS[kind] ?? String(kind) });
    }
  }).observe({ entryTypes: ['gc'] });

  let last = process.hrtime.bigint();
  setInterval(() => {
    const now = process.hrtime.bigint();
    const lagMs = Number(now - last) / 1e6 - 1;
    if (lagMs > 3) stalls.push({ atNs: String(last), ms: lagMs, what: 'event loop' });
    last = now;
  }, 1).unref();

  const timed = <A extends unknown[], R>(fn: (...args: A) => R, what: (self: unknown, args: A) => string) =>
    function (this: unknown, ...args: A): R {
      const t0 = process.hrtime.bigint();
      try {
        return fn.apply(this, args);
      } finally {
        const ns = process.hrtime.bigint() - t0;
        sqlCalls += 1;
        sqlNs += ns;
        if (ns > 1_000_000n) slowSql.push({ atNs: String(t0), ms: Number(ns) / 1e6, what: what(this, args) });
      }
    };
  type Proto = Record<string, (...args: unknown[]) => unknown>;
  const dbProto = Database.prototype as unknown as Proto;
  const exec = dbProto['exec'];
  const prepare = dbProto['prepare'];
  if (exec === undefined || prepare === undefined) return;
  dbProto['exec'] = timed(exec, (_self, args) => String(args[0]).slice(0, 80));
  let statementsWrapped = false;
  dbProto['prepare'] = function (this: unknown, ...args: unknown[]): unknown {
    const statement = prepare.apply(this, args);
    if (!statementsWrapped) {
      statementsWrapped = true;
      const proto = Object.getPrototypeOf(statement) as Proto;
      for (const name of ['run', 'get', 'all']) {
        const fn = proto[name];
        if (fn !== undefined)
          proto[name] = timed(fn, (self) =>
            `${name}: ${String((self as { source?: string }).source ?? '')}`
              .replace(/\s+/g, ' ')
              .slice(0, 80),
          );
      }
    }
    return statement;
  };

  process.on('exit', () => {
    const ms = (ns: number): number => ns / 1e6;
    const trace: Trace = {
      loopDelayMs: {
        p50: ms(eld.percentile(50)),
        p99: ms(eld.percentile(99)),
        p999: ms(eld.percentile(99.9)),
        max: ms(eld.max),
        mean: ms(eld.mean),
      },
      stalls,
      gcs,
      slowSql,
      sqlCalls,
      sqlMs: Number(sqlNs) / 1e6,
    };
    fs.writeFileSync(out, JSON.stringify(trace));
  });
}
