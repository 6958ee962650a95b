/**
 * Turns a recorded, tokenized event sequence (scenarios/data/*.json, extracted from the real captures by
 * test/support/extract-scenario-data.ts: `npm run scenarios`) into the events of one call.
 *
 * Data format (one JSON file per recording, one element of `lines` per line; values stay URL-encoded as
 * on the wire):
 *   `E <role> <atMs> full|diff`  starts an event; role = lbA | lbB | firstSip | secondSip | job | bowout
 *   `H <Name>: <value>`          a header (value URL-encoded, may contain {{tokens}})
 *   `=N` / `-N`                  (diff events) copy / skip the next N headers of the previous event of the
 *                                same role in the same recording
 *   `B <value>`                  the body (URL-encoded)
 * Tokens (never URL-encoded, `{` is always %7B in FreeSWITCH's encoding, so they cannot collide):
 *   {{id:callId|lbB|first|second|job}} the call's UUIDs; {{id:nK}} any other UUID (derived per call);
 *   {{core}} Core-UUID; {{first}} {{second}} {{ctx}} the routes; {{cid:<var>}} caller/callee ids;
 *   {{var:<var>}} an originate variable (header dropped when the call does not have it);
 *   {{us:N}} {{s:N}} {{loc:N}} {{gmt:N}} time at offset N (us or ms) from the originate;
 *   {{jobArg}} the originate's argument. Header lines named {{VARS:all}}, {{VARS:export}}, {{VARS:siph}}
 *   expand into the call's originate variables (all of them, the exported ones, the sip_h_* ones).
 */
import type { ParsedOriginate, ScenarioContext, ScenarioStep } from '../scenario-types';

export type Role = 'lbA' | 'lbB' | 'firstSip' | 'secondSip' | 'job' | 'bowout';

export type RecordingData = {
  /** capture file the events were taken from */
  source: string;
  /** ms (since the originate) where the tail (ending) begins; events before it are the head */
  tailFromMs: number;
  /** ms of the command that caused the tail (uuid_kill/hupall) or of its first event */
  tailRefMs: number;
  /** the encoded events, one line each (format above) */
  lines: readonly string[];
};

export type RecordedEvent = { role: Role; atMs: number; headers: Array<[string, string]>; body?: string };

export type Recording = { data: RecordingData; head: RecordedEvent[]; tail: RecordedEvent[] };

/** Core-UUID the fake switch reports (the real one of the i-series recordings, docs/README.md#recordings). */
export const FAKE_CORE_UUID = '99113845-2fe7-4261-9fce-2c8322e97a90';

export function decodeRecording(data: RecordingData): Recording {
  const events: RecordedEvent[] = [];
  const lastByRole = new Map<Role, Array<[string, string]>>();
  let cur: RecordedEvent | undefined;
  let base: Array<[string, string]> = [];
  let cursor = 0;
  const finish = (): void => {
    if (!cur) return;
    lastByRole.set(cur.role, cur.headers);
    events.push(cur);
  };
  for (const line of data.lines) {
    if (line === '') continue;
    if (line.startsWith('E ')) {
      finish();
      const [, role, at, mode] = line.split(' ');
      cur = { role: role as Role, atMs: Number(at), headers: [] };
      base = mode === 'diff' ? (lastByRole.get(cur.role) ?? []) : [];
      cursor = 0;
    } else if (!cur) {
      throw new Error(`recording ${data.source}: data before the first event`);
    } else if (line.startsWith('H ')) {
      const k = line.indexOf(': ');
      cur.headers.push([line.slice(2, k), line.slice(k + 2)]);
    } else if (line.startsWith('=')) {
      const n = Number(line.slice(1));
      cur.headers.push(...base.slice(cursor, cursor + n));
      cursor += n;
    } else if (line.startsWith('-')) {
      cursor += Number(line.slice(1));
    } else if (line.startsWith('B ')) {
      cur.body = line.slice(2);
    }
  }
  finish();
  return {
    data,
    head: events.filter((e) => e.atMs < data.tailFromMs),
    tail: events.filter((e) => e.atMs >= data.tailFromMs),
  };
}

/** A deterministic UUID for "other" UUIDs of a recording (sip call legs of helpers, old loopback UUID…). */
export function derivedUuid(seed: string, n: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  const s = `${seed}/${n}`;
  let hex = '';
  for (let round = 0; hex.length < 32; round++) {
    for (let i = 0; i < s.length; i++) {
      h1 = Math.imul(h1 ^ s.charCodeAt(i), 0x01000193) >>> 0;
      h2 = Math.imul(h2 ^ (s.charCodeAt(i) + round), 0x5bd1e995) >>> 0;
    }
    hex += h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0');
  }
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function parseExportList(vars: Record<string, string>): string[] {
  const v = vars['export_vars'];
  return v === undefined || v === '' ? [] : v.split(',');
}

/** Loopback endpoint `loopback/<first>/<ctx>`: the first party's number and the context. */
export function routes(parsed: ParsedOriginate): { first: string; second: string; context: string } {
  const parts = parsed.endpoint.split('/');
  return {
    first: parts[1] ?? '',
    second: parsed.route ?? '',
    context: parsed.context ?? parts[2] ?? 'default',
  };
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}
function localStamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}
function gmtStamp(ms: number): string {
  const d = new Date(ms);
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()] ?? '';
  const mon =
    ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()] ??
    '';
  return `${day}, ${pad(d.getUTCDate())} ${mon} ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} GMT`;
}

/** The originate's argument as Job-Command-Arg shows it (re-escaped from the parsed form). */
export function jobCommandArg(parsed: ParsedOriginate): string {
  const esc = (v: string): string =>
    v.replace(/\\/g, '\\\\').replace(/,/g, '\\,').replace(/ /g, '\\s').replace(/'/g, "\\'");
  const vars = parsed.varOrder.map((k) => `${k}=${esc(parsed.vars[k] ?? '')}`).join(',');
  const tail = [parsed.route, parsed.dialplan, parsed.context, ...parsed.rest].filter((x) => x !== undefined);
  return [`${vars === '' ? '' : `{${vars}}`}${parsed.endpoint}`, ...tail].join(' ');
}

/** Shift (ms) to add to a recorded offset (ms since the capture's originate). */
export type Warp = (offsetMs: number) => number;
export const IDENTITY: Warp = () => 0;

/** Replace a header value equal to `from` (or containing it, with `sub`) by `to`; bodies too when no header. */
export type Patch = { roles?: Role[]; header?: RegExp; from: string; to: string; sub?: boolean };

/** Q.850 codes as the captures show them in variable_hangup_cause_q850. */
export const Q850: Record<string, string> = {
  NORMAL_CLEARING: '16',
  ORIGINATOR_CANCEL: '16',
  USER_BUSY: '17',
  NO_ANSWER: '19',
  UNALLOCATED_NUMBER: '1',
  NORMAL_UNSPECIFIED: '31',
};

const CID_DEFAULTS: Record<string, string> = {
  origination_caller_id_name: 'Outbound Call',
  origination_callee_id_name: 'Outbound Call',
};

export function varHeaders(kind: string, parsed: ParsedOriginate): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const vars = parsed.vars;
  if (kind === 'all') {
    // refused (`${`) variables are not set; a repeated name appears once
    const seen = new Set<string>();
    for (const k of parsed.varOrder) {
      if (vars[k] === undefined || seen.has(k)) continue;
      seen.add(k);
      out.push([`variable_${k}`, vars[k]]);
    }
  } else if (kind === 'export') {
    const list = parseExportList(vars);
    if (list.length === 0) return out;
    out.push(['variable_export_vars', vars['export_vars'] ?? '']);
    const seen = new Set<string>();
    for (const name of list) {
      const bare = name.replace(/^nolocal:/, '');
      const value = vars[name] ?? vars[bare];
      if (value === undefined || seen.has(bare)) continue;
      seen.add(bare);
      out.push([`variable_${bare}`, value]);
    }
  } else if (kind === 'siph') {
    for (const k of parsed.varOrder) if (k.startsWith('sip_h_')) out.push([`variable_${k}`, vars[k] ?? '']);
  }
  return out;
}

const TOKEN = /\{\{([a-zA-Z]+)(?::([^}]*))?\}\}/g;

export function materialize(
  ev: RecordedEvent,
  ctx: ScenarioContext,
  warp: Warp,
  atMs: number,
  patches: Patch[] = [],
): ScenarioStep {
  const { first, second, context } = routes(ctx.parsed);
  const t0Us = ctx.startedAt.getTime() * 1000;
  const vars = ctx.parsed.vars;
  const ids: Record<string, string> = {
    callId: ctx.callId,
    lbB: ctx.uuids.loopbackB,
    first: ctx.uuids.firstSip,
    second: ctx.uuids.secondSip,
    job: ctx.jobUuid,
  };
  const at = (offsetMs: number): number => t0Us / 1000 + offsetMs + warp(offsetMs);
  const subst = (raw: string): string | undefined => {
    let missing = false;
    const out = raw.replace(TOKEN, (_m, kind: string, arg: string | undefined) => {
      const a = arg ?? '';
      switch (kind) {
        case 'id':
          return encodeURIComponent(ids[a] ?? derivedUuid(ctx.callId, a));
        case 'core':
          return FAKE_CORE_UUID;
        case 'first':
          return encodeURIComponent(first);
        case 'second':
          return encodeURIComponent(second);
        case 'ctx':
          return encodeURIComponent(context);
        case 'cid':
          return encodeURIComponent(vars[a] ?? CID_DEFAULTS[a] ?? (a.endsWith('number') ? first : ''));
        case 'var':
          if ((vars[a] ?? vars[`nolocal:${a}`]) === undefined) missing = true;
          return encodeURIComponent(vars[a] ?? vars[`nolocal:${a}`] ?? '');
        case 'jobArg':
          return encodeURIComponent(jobCommandArg(ctx.parsed));
        case 'us': {
          const off = Number(a);
          return String(Math.round(t0Us + off + warp(off / 1000) * 1000));
        }
        case 's':
          return String(Math.floor(at(Number(a)) / 1000));
        case 'loc':
          return localStamp(at(Number(a)));
        case 'gmt':
          return gmtStamp(at(Number(a)));
        default:
          return '';
      }
    });
    return missing ? undefined : decodeURIComponent(out);
  };
  const event: Array<[string, string]> = [];
  for (const [name, raw] of ev.headers) {
    const vm = /^\{\{VARS:(\w+)\}\}$/.exec(name);
    if (vm) {
      event.push(...varHeaders(vm[1] ?? '', ctx.parsed));
      continue;
    }
    const v = subst(raw);
    if (v !== undefined) event.push([name, v]);
  }
  let body = ev.body === undefined ? undefined : (subst(ev.body) ?? '');
  for (const p of patches) {
    if (p.roles && !p.roles.includes(ev.role)) continue;
    for (const h of event) {
      if (p.header && !p.header.test(h[0])) continue;
      if (h[1] === p.from) h[1] = p.to;
      else if (p.sub && h[1].includes(p.from)) h[1] = h[1].split(p.from).join(p.to);
    }
    if (!p.header && body === p.from) body = p.to;
  }
  if (patches.length > 0) {
    const cause = event.find(([k]) => k === 'variable_hangup_cause')?.[1];
    const q = event.find(([k]) => k === 'variable_hangup_cause_q850');
    if (cause !== undefined && q && Q850[cause] !== undefined) q[1] = Q850[cause] ?? q[1];
  }
  if (event[0]?.[1] === 'CHANNEL_HANGUP_COMPLETE') recomputeDurations(event);
  const step: ScenarioStep = { atMs, event };
  if (body !== undefined) step.body = body;
  return step;
}

/** FreeSWITCH's *sec/*msec/*usec of CHANNEL_HANGUP_COMPLETE, from the (possibly warped) *_uepoch values. */
export function recomputeDurations(event: Array<[string, string]>): void {
  const get = (k: string): number => Number(event.find(([n]) => n === `variable_${k}_uepoch`)?.[1] ?? 0);
  const S = get('start');
  const E = get('end');
  if (!S || !E) return;
  const from: Record<string, [number, number]> = {
    duration: [S, E],
    bill: [get('answer'), E],
    progress: [S, get('progress')],
    answer: [S, get('answer')],
    wait: [S, get('bridge')],
    progress_media: [S, get('progress_media')],
    flow_bill: [get('answer') > 0 ? S : 0, E],
  };
  const set = (k: string, v: number): void => {
    const h = event.find(([n]) => n === `variable_${k}`);
    if (h) h[1] = String(v);
  };
  for (const [k, [a, b]] of Object.entries(from)) {
    const ok = a > 0 && b > 0;
    const d = (div: number): number => (ok ? Math.floor(b / div) - Math.floor(a / div) : 0);
    if (k === 'duration') {
      set('duration', d(1e6));
      set('mduration', d(1e3));
      set('uduration', d(1));
    } else {
      set(`${k}sec`, d(1e6));
      set(`${k}msec`, d(1e3));
      set(`${k}usec`, d(1));
    }
  }
}
