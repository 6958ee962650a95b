/**
 * Minimal reader of the ESL capture files copied into test/fixtures/esl/ (kept independent of the code
 * under test on purpose).
 *
 * File format (README of the captures): a line `##ESL-CAPTURE <<< RECV t=<s> len=<N>` or
 * `##ESL-CAPTURE >>> SENT t=<s> len=<N>` is followed by exactly N raw bytes and one extra `\n`; other
 * `##ESL-CAPTURE …` lines (the `v1 connected` header, `NOTE`) are single lines. Each RECV payload is one
 * complete ESL message, so concatenating the RECV payloads gives the exact byte stream FreeSWITCH sent.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { readRecords } from './capture-reader';

/** One RECV or SENT record. */
export type WireRecord = { direction: 'recv' | 'sent'; t: number; bytes: Buffer };

/** Directory of the copied captures (works from test/esl/support and from dist/test/esl/support). */
export const FIXTURE_DIR = ((): string => {
  let root = path.resolve(__dirname, '..', '..', '..');
  if (path.basename(root) === 'dist') root = path.dirname(root);
  return path.join(root, 'test', 'fixtures', 'esl');
})();

/** Reads every RECV/SENT record of a capture file, in order (capture-reader.ts reads the format). */
export function readWire(file: string): WireRecord[] {
  return readRecords(path.isAbsolute(file) ? file : path.join(FIXTURE_DIR, file)).flatMap((r) =>
    r.kind === 'recv' || r.kind === 'sent' ? [{ direction: r.kind, t: r.t, bytes: r.bytes }] : [],
  );
}

/** The RECV payloads only. */
export function received(file: string): Buffer[] {
  return readWire(file)
    .filter((r) => r.direction === 'recv')
    .map((r) => r.bytes);
}

/** Every capture file (`##ESL-CAPTURE v1` first line, `.plain.txt`) in the fixture directory. */
export function plainCaptureFiles(): string[] {
  return readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith('.plain.txt'))
    .filter((f) => readFileSync(path.join(FIXTURE_DIR, f)).subarray(0, 17).toString() === '##ESL-CAPTURE v1 ')
    .sort();
}

/** Splits a raw message into its outer header lines and its body (reference implementation). */
export function splitMessage(msg: Buffer): { headers: Array<[string, string]>; body: Buffer } {
  const end = msg.indexOf('\n\n');
  const headers = msg
    .subarray(0, end)
    .toString('latin1')
    .split('\n')
    .map((l): [string, string] => {
      const k = l.indexOf(': ');
      return [l.slice(0, k), l.slice(k + 2)];
    });
  return { headers, body: msg.subarray(end + 2) };
}

/** Header lines of a `text/event-plain` body, raw (still encoded), plus its inner body bytes. */
export function splitEventBody(body: Buffer): { headers: Array<[string, string]>; inner?: Buffer } {
  const end = body.indexOf('\n\n');
  const headerText = body.subarray(0, end < 0 ? body.length : end).toString('latin1');
  const headers = headerText
    .split('\n')
    .filter((l) => l !== '')
    .map((l): [string, string] => {
      const k = l.indexOf(': ');
      return [l.slice(0, k), l.slice(k + 2)];
    });
  const cl = headers.find(([k]) => k === 'Content-Length');
  if (!cl) return { headers };
  return { headers: headers.filter(([k]) => k !== 'Content-Length'), inner: body.subarray(end + 2) };
}
