/** The rows of the bench's table and bench/results.json, and how they print. */
import os from 'node:os';

export type RowId =
  | 'connect_token'
  | 'connect_anonymous'
  | 'connect_token_webhooks'
  | 'webhook_delivery'
  | 'added_latency_100'
  | 'added_latency_500'
  | 'added_latency_1000'
  | 'parse_ours'
  | 'parse_modesl'
  | 'esl_ingest'
  | 'history_first_page'
  | 'history_deep_page'
  | 'history_window'
  | 'rss_10k_calls'
  | 'crud_create'
  | 'crud_fetch'
  | 'crud_list'
  | 'pg_connect_1'
  | 'pg_connect_2'
  | 'pg_history_first_page'
  | 'pg_history_deep_page'
  | 'takeover_ms'
  | 'switch_down_errors';

export type Row = {
  id: RowId;
  value: number;
  unit: string;
  p50?: number;
  p99?: number;
  baseline?: number;
  ratio?: number;
  target?: string;
  pass?: boolean;
  /** What was measured exactly (sizes, side numbers). */
  note?: string;
};

/** The order of the table. */
export const ORDER: RowId[] = [
  'connect_token',
  'connect_anonymous',
  'connect_token_webhooks',
  'webhook_delivery',
  'added_latency_100',
  'added_latency_500',
  'added_latency_1000',
  'esl_ingest',
  'parse_ours',
  'parse_modesl',
  'history_first_page',
  'history_deep_page',
  'history_window',
  'rss_10k_calls',
  'crud_create',
  'crud_fetch',
  'crud_list',
  'pg_connect_1',
  'pg_connect_2',
  'pg_history_first_page',
  'pg_history_deep_page',
  'takeover_ms',
  'switch_down_errors',
];

export const round = (n: number, digits = 0): number => Number(n.toFixed(digits));

/** With C2C_TRACE_FILE set, each line carries the monotonic clock (ns), to line rows up with the service's trace. */
const clock = process.env['C2C_TRACE_FILE'] === undefined ? () => '' : () => ` @${process.hrtime.bigint()}`;

export const log = (line: string): void => {
  process.stderr.write(`[bench${clock()}] ${line}\n`);
};

export function machine(): { cpus: number; memory_gb: number; node: string } {
  return { cpus: os.cpus().length, memory_gb: round(os.totalmem() / 2 ** 30, 1), node: process.version };
}

/** The rows as a Markdown table. */
export function table(rows: readonly Row[]): string {
  const header = ['row', 'value', 'p50', 'p99', 'baseline', 'ratio', 'target', 'pass'];
  const lines = rows.map((r) => [
    r.id,
    `${r.value} ${r.unit}`,
    r.p50 === undefined ? '' : `${r.p50} ms`,
    r.p99 === undefined ? '' : `${r.p99} ms`,
    r.baseline === undefined ? '' : String(r.baseline),
    r.ratio === undefined ? '' : String(r.ratio),
    r.target ?? '',
    r.pass === undefined ? '' : r.pass ? 'yes' : 'NO',
  ]);
  const out = [header, header.map(() => '---'), ...lines].map((cells) => `| ${cells.join(' | ')} |`);
  return out.join('\n');
}

/** The table, the machine line and every row's note, as printed at the end of a run. */
export function report(
  rows: readonly Row[],
  o: { size: string; durationS: number; machine: ReturnType<typeof machine>; written?: string },
): string {
  const m = o.machine;
  return (
    `\n${table(rows)}\n\nmachine: ${m.cpus} cpus, ${m.memory_gb} GB, node ${m.node}; ` +
    `${o.size} run in ${o.durationS} s${o.written === undefined ? '' : `; written to ${o.written}`}\n` +
    rows
      .filter((r) => r.note)
      .map((r) => `  ${r.id}: ${r.note ?? ''}\n`)
      .join('')
  );
}
