/**
 * Reader for the ESL capture files (`##ESL-CAPTURE v1`, see the README of the captures; copies live in
 * test/fixtures/esl/).
 *
 * Format: a marker line `##ESL-CAPTURE <<< RECV t=<s> len=<N>` (or `>>> SENT`) is followed by exactly N raw
 * bytes and one separating `\n`; `##ESL-CAPTURE NOTE t=<s> <text>` and the `v1 connected` header are single
 * lines. A RECV payload is one complete ESL message: an outer header block, a blank line, and
 * Content-Length bytes of body. For `Content-Type: text/event-plain` the body is itself a header block
 * (URL-encoded values) followed by an optional body (BACKGROUND_JOB result) of its own Content-Length.
 *
 * How events are extracted: every RECV record whose outer Content-Type is text/event-plain gives one
 * CaptureEvent; its headers are split on the first `: ` and URL-decoded, in wire order (duplicates kept).
 * `atMs` is relative to the SENT record of the first `bgapi originate` / `api originate` of the session.
 */
import { readFileSync } from 'node:fs';

export type DataRecord = { kind: 'recv' | 'sent'; t: number; bytes: Buffer };
export type CaptureRecord =
  DataRecord | { kind: 'note'; t: number; text: string } | { kind: 'meta'; text: string };

export type CaptureEvent = {
  /** ms since the originate was sent (negative before it) */
  atMs: number;
  headers: Array<[string, string]>;
  /** raw header lines (still URL-encoded), same order as `headers` */
  rawHeaders: Array<[string, string]>;
  body: string;
  /** size of the whole ESL message on the wire */
  wireBytes: number;
};

export type Capture = {
  records: CaptureRecord[];
  originateAtS: number;
  originateCommand: string;
  events: CaptureEvent[];
};

const MARKER = /^##ESL-CAPTURE (<<< RECV|>>> SENT) t=([0-9.]+) len=([0-9]+)$/;

export function readRecords(path: string): CaptureRecord[] {
  const data = readFileSync(path);
  const out: CaptureRecord[] = [];
  let i = 0;
  while (i < data.length) {
    let j = data.indexOf(0x0a, i);
    if (j < 0) j = data.length;
    const line = data.subarray(i, j).toString('utf8');
    i = j + 1;
    const m = MARKER.exec(line);
    if (m) {
      const n = Number(m[3]);
      out.push({
        kind: m[1] === '<<< RECV' ? 'recv' : 'sent',
        t: Number(m[2]),
        bytes: data.subarray(i, i + n),
      });
      if (i + n < data.length && data[i + n] !== 0x0a)
        throw new Error(`${path}: record at ${i} not followed by LF`);
      i += n + 1;
      continue;
    }
    const note = /^##ESL-CAPTURE NOTE t=([0-9.]+) (.*)$/.exec(line);
    if (note) out.push({ kind: 'note', t: Number(note[1]), text: note[2] ?? '' });
    else if (line !== '') out.push({ kind: 'meta', text: line });
  }
  return out;
}

export function splitHeaders(block: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const line of block.split('\n')) {
    if (line === '') continue;
    const k = line.indexOf(': ');
    out.push(k < 0 ? [line, ''] : [line.slice(0, k), line.slice(k + 2)]);
  }
  return out;
}

function decode(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}

export function readCapture(path: string): Capture {
  const records = readRecords(path);
  const orig = records.find(
    (r): r is DataRecord => r.kind === 'sent' && /^(bg)?api originate /.test(r.bytes.toString('utf8')),
  );
  const originateAtS = orig ? orig.t : 0;
  const originateCommand = orig ? (orig.bytes.toString('utf8').split('\n')[0] ?? '') : '';
  const events: CaptureEvent[] = [];
  for (const r of records) {
    if (r.kind !== 'recv') continue;
    const sep = r.bytes.indexOf('\n\n');
    if (sep < 0) continue;
    const outer = new Map(splitHeaders(r.bytes.subarray(0, sep).toString('utf8')));
    if (outer.get('Content-Type') !== 'text/event-plain') continue;
    const inner = r.bytes.subarray(sep + 2).toString('utf8');
    const sep2 = inner.indexOf('\n\n');
    const head = sep2 < 0 ? inner : inner.slice(0, sep2);
    const body = sep2 < 0 ? '' : inner.slice(sep2 + 2);
    const rawHeaders = splitHeaders(head);
    events.push({
      atMs: Math.round((r.t - originateAtS) * 1e6) / 1e3,
      headers: rawHeaders.map(([k, v]) => [k, decode(v)]),
      rawHeaders,
      body,
      wireBytes: r.bytes.length,
    });
  }
  return { records, originateAtS, originateCommand, events };
}

export function header(ev: { headers: Array<[string, string]> }, name: string): string | undefined {
  return ev.headers.find(([k]) => k === name)?.[1];
}

/** The service's subscription (PRODUCT §6): event names and the three filters. */
export const SUBSCRIBED = new Set([
  'CHANNEL_CREATE',
  'CHANNEL_PROGRESS',
  'CHANNEL_PROGRESS_MEDIA',
  'CHANNEL_ANSWER',
  'CHANNEL_BRIDGE',
  'CHANNEL_UNBRIDGE',
  'CHANNEL_HANGUP_COMPLETE',
  'BACKGROUND_JOB',
]);

function subscribed(ev: CaptureEvent): boolean {
  const name = header(ev, 'Event-Name') ?? '';
  if (name === 'CUSTOM') return header(ev, 'Event-Subclass') === 'loopback::bowout';
  return SUBSCRIBED.has(name);
}

/**
 * What the service would receive: `event plain CHANNEL_CREATE … CUSTOM loopback::bowout` with
 * `filter variable_c2c_call_id /^c2c-/`, `filter Event-Name BACKGROUND_JOB`,
 * `filter Event-Subclass loopback::bowout`. Only jobs of `jobUuid` are kept (other clients' jobs dropped).
 */
export function serviceView(cap: Capture, jobUuid?: string): CaptureEvent[] {
  return cap.events.filter((ev) => {
    if (ev.atMs < 0 || !subscribed(ev)) return false;
    const name = header(ev, 'Event-Name');
    if (name === 'BACKGROUND_JOB') return jobUuid === undefined || header(ev, 'Job-UUID') === jobUuid;
    if (name === 'CUSTOM') return true;
    return /^c2c-/.test(header(ev, 'variable_c2c_call_id') ?? '');
  });
}

/**
 * For batch 1/2 captures, whose originate did not set `c2c_call_id`: the subscribed events of the call's
 * channels (every channel event after the originate except the hairpin's inbound helper SIP leg, which
 * a real deployment does not have) and the originate's BACKGROUND_JOB.
 */
export function callLegsView(cap: Capture, jobUuid?: string): CaptureEvent[] {
  return cap.events.filter((ev) => {
    if (ev.atMs < 0 || !subscribed(ev)) return false;
    const name = header(ev, 'Event-Name');
    if (name === 'BACKGROUND_JOB') return jobUuid === undefined || header(ev, 'Job-UUID') === jobUuid;
    if (name === 'CUSTOM') return true;
    const inboundSip =
      header(ev, 'Call-Direction') === 'inbound' && (header(ev, 'Channel-Name') ?? '').startsWith('sofia/');
    return !inboundSip;
  });
}

/** The Job-UUID of the originate's reply (`+OK Job-UUID: …`) or of its own `Job-UUID:` header. */
export function originateJobUuid(cap: Capture): string | undefined {
  let seen = false;
  for (const r of cap.records) {
    if (r.kind === 'sent' && r.t === cap.originateAtS) seen = true;
    else if (seen && r.kind === 'recv') {
      const m = /Reply-Text: \+OK Job-UUID: ([0-9a-f-]+)/.exec(r.bytes.toString('utf8'));
      if (m) return m[1];
    }
  }
  return undefined;
}
