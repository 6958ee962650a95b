/**
 * The one reader of the ESL capture files in test/fixtures/esl/ (byte-exact sessions of a real FreeSWITCH
 * 1.10.12, written by test/live/capture.ts), for every test and the scenario generator. Kept independent
 * of the code under test on purpose.
 *
 * Format: a first line `##ESL-CAPTURE v1 connected to …`, then records. A marker line
 * `##ESL-CAPTURE <<< RECV t=<s> len=<N>` (or `>>> SENT`) is followed by exactly N raw bytes and one
 * separating `\n`; `##ESL-CAPTURE NOTE t=<s> <text>` is a single line. Anything else is a desync. A RECV
 * payload is one complete ESL message, so the RECV payloads in a row are the exact byte stream FreeSWITCH
 * sent: an outer header block, a blank line, and Content-Length bytes of body. For
 * `Content-Type: text/event-plain` the body is itself a header block (URL-encoded values) followed by an
 * optional body (a BACKGROUND_JOB's result) of its own Content-Length.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The captures' folder (from test/support or dist/test/support). */
export const FIXTURE_DIR = ((): string => {
  let root = path.resolve(__dirname, '..', '..');
  if (path.basename(root) === 'dist') root = path.dirname(root);
  return path.join(root, 'test', 'fixtures', 'esl');
})();

export type DataRecord = { kind: 'recv' | 'sent'; t: number; bytes: Buffer };
export type CaptureRecord =
  DataRecord | { kind: 'note'; t: number; text: string } | { kind: 'meta'; text: string };

const MARKER = /^##ESL-CAPTURE (<<< RECV|>>> SENT) t=([0-9.]+) len=([0-9]+)$/;
const NOTE = /^##ESL-CAPTURE NOTE t=([0-9.]+) (.*)$/;

/** A capture's path: a file name in FIXTURE_DIR, or an absolute path. */
const located = (file: string): string => (path.isAbsolute(file) ? file : path.join(FIXTURE_DIR, file));

/** Every record of a capture, in order; throws on a line that is no marker (a desync). */
export function readRecords(file: string): CaptureRecord[] {
  const data = readFileSync(located(file));
  const out: CaptureRecord[] = [];
  let i = 0;
  while (i < data.length) {
    let j = data.indexOf(0x0a, i);
    if (j < 0) j = data.length;
    const line = data.subarray(i, j).toString('utf8');
    const at = i;
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
        throw new Error(`${file}: record at ${i} not followed by LF`);
      i += n + 1;
      continue;
    }
    const note = NOTE.exec(line);
    if (note) out.push({ kind: 'note', t: Number(note[1]), text: note[2] ?? '' });
    else if (line.startsWith('##ESL-CAPTURE v1 ')) out.push({ kind: 'meta', text: line });
    else throw new Error(`${file}: capture desync at byte ${at}`);
  }
  return out;
}

/** The RECV and SENT records of a capture, in order. */
export function readWire(file: string): DataRecord[] {
  return readRecords(file).filter((r): r is DataRecord => r.kind === 'recv' || r.kind === 'sent');
}

/** The RECV payloads only: one whole ESL message each. */
export function received(file: string): Buffer[] {
  return readWire(file)
    .filter((r) => r.kind === 'recv')
    .map((r) => r.bytes);
}

/** Every capture of the plain format (`.plain.txt`, `##ESL-CAPTURE v1` first) in FIXTURE_DIR, sorted. */
export function plainCaptureFiles(): string[] {
  return readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith('.plain.txt'))
    .filter((f) => readFileSync(path.join(FIXTURE_DIR, f)).subarray(0, 17).toString() === '##ESL-CAPTURE v1 ')
    .sort();
}

/** Header lines split on the first `: ` (values as they are), in order, duplicates kept. */
export function splitHeaders(block: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const line of block.split('\n')) {
    if (line === '') continue;
    const k = line.indexOf(': ');
    out.push(k < 0 ? [line, ''] : [line.slice(0, k), line.slice(k + 2)]);
  }
  return out;
}

/** A raw message's outer header lines and its body (reference implementation). */
export function splitMessage(msg: Buffer): { headers: Array<[string, string]>; body: Buffer } {
  const end = msg.indexOf('\n\n');
  return { headers: splitHeaders(msg.subarray(0, end).toString('latin1')), body: msg.subarray(end + 2) };
}

/** Header lines of a `text/event-plain` body, raw (still encoded), and its inner body's bytes when it has one. */
export function splitEventBody(body: Buffer): { headers: Array<[string, string]>; inner?: Buffer } {
  const end = body.indexOf('\n\n');
  const headers = splitHeaders(body.subarray(0, end < 0 ? body.length : end).toString('latin1'));
  if (!headers.some(([k]) => k === 'Content-Length')) return { headers };
  return { headers: headers.filter(([k]) => k !== 'Content-Length'), inner: body.subarray(end + 2) };
}

export type CaptureEvent = {
  /** ms since the originate was sent (negative before it) */
  atMs: number;
  /** URL-decoded, in wire order */
  headers: Array<[string, string]>;
  /** raw header lines (still URL-encoded), same order as `headers` */
  rawHeaders: Array<[string, string]>;
  body: string;
  /** size of the whole ESL message on the wire */
  wireBytes: number;
};

export type Capture = {
  records: CaptureRecord[];
  /** `t` of the first `bgapi originate` / `api originate` sent (0 when none) */
  originateAtS: number;
  /** its first line */
  originateCommand: string;
  /** one per RECV record whose outer Content-Type is text/event-plain */
  events: CaptureEvent[];
};

function decode(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}

/** A capture's records, its originate, and its events timed from the originate. */
export function readCapture(file: string): Capture {
  const records = readRecords(file);
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
    const rawHeaders = splitHeaders(sep2 < 0 ? inner : inner.slice(0, sep2));
    events.push({
      atMs: Math.round((r.t - originateAtS) * 1e6) / 1e3,
      headers: rawHeaders.map(([k, v]) => [k, decode(v)]),
      rawHeaders,
      body: sep2 < 0 ? '' : inner.slice(sep2 + 2),
      wireBytes: r.bytes.length,
    });
  }
  return { records, originateAtS, originateCommand, events };
}

/** The first value of a header of an event. */
export function header(ev: { headers: Array<[string, string]> }, name: string): string | undefined {
  return ev.headers.find(([k]) => k === name)?.[1];
}
