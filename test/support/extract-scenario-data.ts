/**
 * Regenerates the fake switch's recordings, fake-switch/scenarios/data/<name>.json, from the captures in
 * test/fixtures/esl/: `npm run scenarios` (builds first). test/esl/scenario-data.test.ts checks in every
 * test run that the committed files are what this gives.
 *
 * For each recording: take what the service would receive (service-view.ts's serviceView, or callLegsView
 * for the early recordings without c2c_call_id), give every event a role (lbA = the origination_uuid, lbB =
 * the other loopback leg, firstSip/secondSip = SIP legs in order of creation, job, bowout), replace the
 * call's own values by tokens (see fake-switch/scenarios/engine.ts), replace runs of originate variables by
 * {{VARS:…}} markers (test/esl/scenarios.test.ts checks that regenerating with the capture's own values
 * gives every capture event back, header for header),
 * and store each event as a diff against the previous event of the same role.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ParsedOriginate } from '../../fake-switch/scenario-types';
import type { RecordingData, Role } from '../../fake-switch/scenarios/engine';
import { parseExportList, varHeaders } from '../../fake-switch/scenarios/engine';
import { FIXTURE_DIR, header, readCapture } from './capture-reader';
import type { Capture, CaptureEvent } from './capture-reader';
import { callLegsView, originateJobUuid, serviceView } from './service-view';
import { parseOriginateLine } from './originate-line';

export type RecordingSpec = {
  name: string;
  file: string;
  view: 'service' | 'legs';
  /** events from this ms on are the tail; 'kill' = from the first hupall/uuid_kill sent after the originate */
  tail: number | 'kill' | 'none';
  /** keep only the tail (templates used by onHangup) */
  tailOnly?: boolean;
  /** hairpin user parts that stand for a party (`1486@…:5080` is the 486 hairpin) */
  aliases?: Record<string, 'first' | 'second'>;
};

export const RECORDINGS: RecordingSpec[] = [
  { name: 'answered', file: 'i1-ext-first-rtp-contact-sends-bye', view: 'service', tail: 4000 },
  { name: 'bypassAnswered', file: 'i3-b5-recipe-ext-first', view: 'service', tail: 'kill' },
  {
    name: 'firstBusy',
    file: 'c5-loopback-extension-sip-busy-486',
    view: 'legs',
    tail: 'none',
    aliases: { '1486': 'first' },
  },
  {
    name: 'firstNotFound',
    file: 'c6-loopback-extension-sip-404',
    view: 'legs',
    tail: 'none',
    aliases: { '1404': 'first' },
  },
  { name: 'firstRinging', file: 'h9-cancel-sip-ringing', view: 'legs', tail: 'kill' },
  // Re-taken from the live switch (npm run capture:live): a SIP phone that rings past originate_timeout=3.
  { name: 'firstNoAnswer', file: 'live-first-sip-no-answer-ot3', view: 'service', tail: 2000 },
  // A first party that rings in its dialplan (ring_ready, park) and is reached nowhere; originate_timeout=5.
  {
    name: 'firstDialplanRinging',
    file: 'b-loopback-extension-ring-forever-timeout',
    view: 'legs',
    tail: 4000,
  },
  // Re-taken from the live switch: rings in its dialplan, is bridged to a phone 3 s later, the contact answers.
  { name: 'firstLateBridge', file: 'live-first-dialplan-rings-then-bridges', view: 'service', tail: 'none' },
  {
    name: 'secondBusy',
    file: 'i2-contact-sip-486',
    view: 'service',
    tail: 'none',
    aliases: { '1486': 'second' },
  },
  {
    name: 'secondNotFound',
    file: 'i2-contact-sip-404',
    view: 'service',
    tail: 'none',
    aliases: { '1404': 'second' },
  },
  { name: 'secondRinging', file: 'i2-contact-ring-forever-ct8-ot20', view: 'service', tail: 1000 },
  {
    name: 'bypassSecondBusy',
    file: 'i3-b5-recipe-contact-sip-486',
    view: 'service',
    tail: 'none',
    aliases: { '1486': 'second' },
  },
  { name: 'bypassSecondRinging', file: 'i3-b5-recipe-contact-ring-forever-ct8', view: 'service', tail: 1000 },
  { name: 'killFourLegs', file: 'i3-a2-bowout-false-bmab', view: 'service', tail: 'kill', tailOnly: true },
  {
    name: 'killTwoLegs',
    file: 'i4-after-bowout-default-hupall',
    view: 'service',
    tail: 'kill',
    tailOnly: true,
  },
  {
    name: 'killBypass',
    file: 'i4-after-bowout-recipe-hupall',
    view: 'service',
    tail: 'kill',
    tailOnly: true,
  },
];

export function killAtMs(cap: Capture): number | undefined {
  const r = cap.records.find(
    (x) =>
      x.kind === 'sent' &&
      x.t > cap.originateAtS &&
      /^api (hupall|uuid_kill) /.test(x.bytes.toString('utf8')),
  );
  return r && r.kind === 'sent' ? Math.round((r.t - cap.originateAtS) * 1e6) / 1e3 : undefined;
}

export type Loaded = {
  spec: RecordingSpec;
  cap: Capture;
  parsed: ParsedOriginate;
  jobUuid: string;
  events: CaptureEvent[];
  roles: Role[];
  uuids: Record<string, string>;
  tailFromMs: number;
  tailRefMs: number;
};

export function loadRecording(spec: RecordingSpec): Loaded {
  const cap = readCapture(`${spec.file}.plain.txt`);
  const parsed = parseOriginateLine(cap.originateCommand);
  const jobUuid = originateJobUuid(cap) ?? '';
  const events = spec.view === 'service' ? serviceView(cap, jobUuid) : callLegsView(cap, jobUuid);
  const callId = parsed.vars['origination_uuid'] ?? '';
  const sip: string[] = [];
  let lbB = '';
  const roles = events.map((ev): Role => {
    const name = header(ev, 'Event-Name');
    if (name === 'BACKGROUND_JOB') return 'job';
    if (name === 'CUSTOM') return 'bowout';
    const uuid = header(ev, 'Unique-ID') ?? '';
    if (uuid === callId) return 'lbA';
    if ((header(ev, 'Channel-Name') ?? '').startsWith('loopback/')) {
      lbB = uuid;
      return 'lbB';
    }
    if (!sip.includes(uuid)) sip.push(uuid);
    return sip.indexOf(uuid) === 0 ? 'firstSip' : 'secondSip';
  });
  const kill = killAtMs(cap);
  let tailFromMs = 1e9;
  let tailRefMs = 1e9;
  if (spec.tail === 'kill' && kill !== undefined) tailFromMs = tailRefMs = kill;
  else if (typeof spec.tail === 'number') {
    const from = spec.tail;
    tailFromMs = from;
    tailRefMs = events.find((e) => e.atMs >= from)?.atMs ?? 1e9;
  }
  const uuids = { callId, lbB, first: sip[0] ?? '', second: sip[1] ?? '', job: jobUuid };
  return { spec, cap, parsed, jobUuid, events, roles, uuids, tailFromMs, tailRefMs };
}

const UUID_RE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const SKIP_DEST =
  /^(Event-Sequence|variable_session_id|.*_port|.*(count|bytes|sec|ssrc|pt)|variable_rtp_.*)$/;

type Seg = { lit: string } | { tok: string };

function mapLits(segs: Seg[], re: RegExp, fn: (m: RegExpExecArray) => string | undefined): Seg[] {
  const out: Seg[] = [];
  for (const s of segs) {
    if (!('lit' in s)) {
      out.push(s);
      continue;
    }
    let last = 0;
    const r = new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`);
    for (let m = r.exec(s.lit); m; m = r.exec(s.lit)) {
      const tok = fn(m);
      if (tok === undefined) continue;
      if (m.index > last) out.push({ lit: s.lit.slice(last, m.index) });
      out.push({ tok });
      last = m.index + m[0].length;
    }
    if (last < s.lit.length) out.push({ lit: s.lit.slice(last) });
  }
  return out;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The FreeSWITCH clock (ms) at the moment the originate was sent, estimated from the events. */
export function captureT0Ms(cap: Capture): number {
  return Math.floor(
    Math.max(
      ...cap.events
        .filter((e) => e.atMs >= 0)
        .map((e) => Number(header(e, 'Event-Date-Timestamp') ?? 0) / 1000 - e.atMs),
    ),
  );
}

export function makeTokenizer(l: Loaded): (name: string, value: string, usCands: number[]) => string {
  const t0Ms = captureT0Ms(l.cap);
  /** offset (ms) of the first us timestamp of the event within second `sec`, else the second itself */
  const secOffset = (sec: number, usCands: number[]): number => {
    const u = usCands.find((c) => Math.floor((t0Ms * 1000 + c) / 1e6) === sec);
    return u === undefined ? sec * 1000 - t0Ms : u / 1000;
  };
  const others: string[] = [];
  const known: Array<[string, string]> = [
    [l.uuids['callId'] ?? '', 'id:callId'],
    [l.uuids['lbB'] ?? '', 'id:lbB'],
    [l.uuids['first'] ?? '', 'id:first'],
    [l.uuids['second'] ?? '', 'id:second'],
    [l.uuids['job'] ?? '', 'id:job'],
  ];
  const cids = ['origination_caller_id_name', 'origination_caller_id_number']
    .concat(['origination_callee_id_name', 'origination_callee_id_number'])
    .map((k): [string, string] => [l.parsed.vars[k] ?? '', k])
    .filter(([v]) => v !== '')
    .sort((a, b) => b[0].length - a[0].length);
  const endpointParts = l.parsed.endpoint.split('/');
  const dests: Array<[string, string]> = [
    [endpointParts[1] ?? '', 'first'],
    [l.parsed.route ?? '', 'second'],
    ...Object.entries(l.spec.aliases ?? {}),
  ];
  return (name, value, usCands) => {
    if (value.includes('{{')) throw new Error(`value with {{ in ${name}`);
    if (name === 'Job-Command-Arg') return '{{jobArg}}';
    if (name === 'Core-UUID') return '{{core}}';
    let segs: Seg[] = [{ lit: value }];
    for (const [v, tok] of known) if (v !== '') segs = mapLits(segs, new RegExp(escapeRe(v)), () => tok);
    segs = mapLits(segs, UUID_RE, (m) => {
      if (!others.includes(m[0])) others.push(m[0]);
      return `id:n${others.indexOf(m[0])}`;
    });
    segs = mapLits(segs, /(?<![0-9])[0-9]{16}(?![0-9])/, (m) => {
      const off = Number(m[0]) - t0Ms * 1000;
      return Math.abs(off) < 1e9 ? `us:${off}` : undefined;
    });
    segs = mapLits(segs, /(?<![0-9])[0-9]{10}(?![0-9])/, (m) => {
      const off = secOffset(Number(m[0]), usCands);
      return Math.abs(off) < 1e6 ? `s:${off}` : undefined;
    });
    segs = mapLits(segs, /[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}/, (m) => {
      const off = secOffset(Date.parse(`${m[0].replace(' ', 'T')}Z`) / 1000, usCands);
      return Math.abs(off) < 1e6 ? `loc:${off}` : undefined;
    });
    segs = mapLits(segs, /[A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} GMT/, (m) => {
      const off = secOffset(Date.parse(m[0]) / 1000, usCands);
      return Math.abs(off) < 1e6 ? `gmt:${off}` : undefined;
    });
    for (const [v, k] of cids) segs = mapLits(segs, new RegExp(escapeRe(v)), () => `cid:${k}`);
    if (!SKIP_DEST.test(name)) {
      for (const [v, tok] of dests) {
        if (v === '') continue;
        segs = mapLits(segs, new RegExp(`(?<![0-9A-Za-z])${escapeRe(v)}(?![0-9A-Za-z])`), () => tok);
      }
      segs = mapLits(segs, /(?<=^|\/)default(?=$|\/|-)/, () => 'ctx');
    }
    return segs.map((s) => ('lit' in s ? encodeURIComponent(s.lit) : `{{${s.tok}}}`)).join('');
  };
}

/** Replaces runs of originate variables by {{VARS:…}} markers, checking each against the capture. */
export function markVars(l: Loaded, role: Role, headers: Array<[string, string]>): Array<[string, string]> {
  const vars = l.parsed.vars;
  const exported = new Set(parseExportList(vars).map((n) => n.replace(/^nolocal:/, '')));
  const isVar = ([k, v]: [string, string]): boolean => {
    if (!k.startsWith('variable_')) return false;
    const n = k.slice(9);
    if (n === 'export_vars') return 'export_vars' in vars;
    if (vars[n] === v) return true;
    return exported.has(n) && (vars[`nolocal:${n}`] === v || vars[n] === v);
  };
  const out: Array<[string, string]> = [];
  let i = 0;
  while (i < headers.length) {
    const h = headers[i];
    if (!h || !isVar(h)) {
      if (h) out.push(h);
      i++;
      continue;
    }
    let j = i;
    while (j < headers.length && isVar(headers[j] ?? ['', ''])) j++;
    let run = headers.slice(i, j);
    let mode: string | undefined;
    for (const m of ['all', 'export', 'siph']) {
      const exp = varHeaders(m, l.parsed);
      if (exp.length > 0 && exp.every(([k, v], n) => run[n]?.[0] === k && run[n]?.[1] === v)) {
        mode = m;
        out.push([`{{VARS:${m}}}`, '']);
        run = run.slice(exp.length);
        break;
      }
    }
    if (mode === undefined) {
      out.push([run[0]?.[0] ?? '', `\u0000${(run[0]?.[0] ?? '').slice(9)}\u0000`]);
      i++;
      continue;
    }
    for (const [k] of run) out.push([k, `\u0000${k.slice(9)}\u0000`]);
    i = j;
  }
  if (role === 'firstSip' || role === 'secondSip') {
    if (!out.some(([k]) => k === '{{VARS:export}}' || k === '{{VARS:all}}')) {
      const at = out.findIndex(([k]) => k === 'variable_originator');
      if (at >= 0) out.splice(at + 1, 0, ['{{VARS:export}}', '']);
    }
    if (!out.some(([k]) => k === '{{VARS:siph}}' || k === '{{VARS:all}}')) {
      const at = out.findIndex(([k]) => k === '{{VARS:export}}');
      if (at >= 0) out.splice(at + 1, 0, ['{{VARS:siph}}', '']);
    }
  }
  return out;
}

function diffLines(base: string[], cur: string[]): string[] {
  const out: string[] = [];
  let c = 0;
  let copy = 0;
  const flush = (): void => {
    if (copy > 0) out.push(`=${copy}`);
    copy = 0;
  };
  for (const line of cur) {
    if (base[c] === line) {
      copy++;
      c++;
      continue;
    }
    const ahead = base.indexOf(line, c);
    if (ahead > c && ahead - c < 60) {
      flush();
      out.push(`-${ahead - c}`);
      c = ahead + 1;
      copy = 1;
      continue;
    }
    flush();
    out.push(line);
  }
  flush();
  return out;
}

export function encodeRecording(l: Loaded): string[] {
  const tok = makeTokenizer(l);
  const lastByRole = new Map<Role, string[]>();
  const lines: string[] = [];
  l.events.forEach((ev, idx) => {
    if (l.spec.tailOnly && ev.atMs < l.tailFromMs) return;
    const role = l.roles[idx] ?? 'job';
    const t0Us = captureT0Ms(l.cap) * 1000;
    const usCands = ev.headers
      .map(([, v]) => Number(/^[0-9]{16}$/.test(v) ? v : NaN) - t0Us)
      .filter((u) => Number.isFinite(u) && Math.abs(u) < 1e9);
    const hs = markVars(l, role, ev.headers)
      .filter(([k]) => !(role === 'job' && k === 'Content-Length'))
      .map(([k, v]) => {
        if (k.startsWith('{{VARS:')) return `H ${k}: `;
        if (v.startsWith('\u0000')) return `H ${k}: {{var:${v.split('\u0000')[1] ?? ''}}}`;
        return `H ${k}: ${tok(k, v, usCands)}`;
      });
    const base = lastByRole.get(role);
    lines.push(`E ${role} ${ev.atMs} ${base ? 'diff' : 'full'}`);
    lines.push(...(base ? diffLines(base, hs) : hs));
    if (ev.body !== '') lines.push(`B ${tok('body', ev.body, usCands)}`);
    lastByRole.set(role, hs);
  });
  return lines;
}

/** Where the recordings live: fake-switch/scenarios/data/ of the repository (from the source or dist/). */
export const DATA_DIR = path.resolve(FIXTURE_DIR, '..', '..', '..', 'fake-switch', 'scenarios', 'data');

/** A recording's data, regenerated from its capture. */
export function recordingData(spec: RecordingSpec): RecordingData {
  const l = loadRecording(spec);
  return {
    source: `${spec.file}.plain.txt`,
    tailFromMs: l.tailFromMs,
    tailRefMs: l.tailRefMs,
    lines: encodeRecording(l),
  };
}

/** A recording file's text: JSON indented by 2, one line of the encoding per array element, final newline. */
export function recordingJson(data: RecordingData): string {
  return `${JSON.stringify(data, null, 2)}\n`;
}

function main(): void {
  mkdirSync(DATA_DIR, { recursive: true });
  for (const spec of RECORDINGS) {
    const data = recordingData(spec);
    const text = recordingJson(data);
    writeFileSync(path.join(DATA_DIR, `${spec.name}.json`), text);
    console.log(`${spec.name}: ${data.lines.length} lines, ${text.length} bytes`);
  }
}

if (require.main === module) main();
