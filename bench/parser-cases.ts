/**
 * Malformed ESL input through our parser and through modesl 1.2.1's, case by case: what each one does (events
 * parsed, a throw, an `error` event, waiting with bytes buffered).
 *
 * Ours is driven the way esl/connection.ts drives it: `EslParser.push`, then `parsePlainEvent` for each
 * `text/event-plain` frame; the first throw of either is a protocol violation that resets the link, so feeding stops
 * there. modesl is driven through a fake socket's `data` events; a throw out of its handler would be an uncaught
 * exception in a real process (it runs inside the socket's `emit`), so feeding stops there too.
 *
 * Run: `node dist/bench/parser-cases.js`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Event as ModeslEvent } from 'modesl';
import { EslParser, parsePlainEvent, type EslEvent } from '../esl';
import { ModeslHarness } from './parsers';

export type ParserCase = {
  readonly name: string;
  /** The reads, in order. */
  readonly chunks: readonly Buffer[];
  /** A header whose decoded value is shown for each event (e.g. the one carrying the bad input). */
  readonly show?: string;
};

export type CaseResult = { case: string; ours: string; modesl: string };

const UUID = '11111111-2222-3333-4444-555555555555';
const BODY = `Event-Name: CHANNEL_ANSWER\nUnique-ID: ${UUID}\nCaller-Destination-Number: %2B15551234567\n\n`;

/** A `text/event-plain` frame around `body`, with the right `Content-Length` unless `outer` is given. */
function frame(body: string | Buffer, outer?: string): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'latin1') : body;
  const head = outer ?? `Content-Length: ${bytes.length}\nContent-Type: text/event-plain\n\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), bytes]);
}

const VALID = frame(BODY);
const ENDLESS_CAP_MB = 16;

/** An event body with one more header line. */
function bodyWith(line: string): string {
  return BODY.replace('\n\n', `\n${line}\n\n`);
}

/** A frame with a different outer `Content-Length` value (the rest as FreeSWITCH sends it). */
function withLength(value: string, body = BODY): Buffer {
  return frame(body, `Content-Length: ${value}\nContent-Type: text/event-plain\n\n`);
}

function endlessHeader(): Buffer[] {
  const filler = Buffer.alloc(1024 * 1024, 'a');
  return [Buffer.from('Content-Type: text/event-plain\nX: '), ...Array<Buffer>(ENDLESS_CAP_MB).fill(filler)];
}

function smallFrames(): Buffer {
  const one = Buffer.from('Content-Type: command/reply\nReply-Text: +OK\n\n');
  return Buffer.concat(Array<Buffer>(Math.floor((64 * 1024) / one.length)).fill(one));
}

const shortJobBody =
  `Event-Name: BACKGROUND_JOB\nJob-UUID: ${UUID}\nContent-Length: 500\n\n` + '+OK 2f3c\n'.padEnd(20, ' ');

/** The malformed inputs (each but the control is followed by a valid event where that shows recovery). */
export const PARSER_CASES: readonly ParserCase[] = [
  { name: 'control: two valid events', chunks: [VALID, VALID] },
  {
    name: 'outer Content-Length not a number (`abc`), then a valid event',
    chunks: [withLength('abc'), VALID],
  },
  { name: 'negative outer Content-Length (`-5`), then a valid event', chunks: [withLength('-5'), VALID] },
  {
    name: 'outer Content-Length 40 bytes larger than the body, then two valid events',
    chunks: [withLength(String(Buffer.byteLength(BODY) + 40)), VALID, VALID],
  },
  {
    name: 'outer Content-Length larger by exactly the next frame, then two valid events',
    chunks: [withLength(String(Buffer.byteLength(BODY) + VALID.length)), VALID, VALID],
  },
  {
    name: 'outer Content-Length larger than the remaining bytes, nothing after',
    chunks: [withLength(String(Buffer.byteLength(BODY) + 1000))],
  },
  {
    name: 'outer header line without ": " (`NoColonHere`), then a valid event',
    chunks: [
      frame(
        BODY,
        `Content-Length: ${Buffer.byteLength(BODY)}\nNoColonHere\nContent-Type: text/event-plain\n\n`,
      ),
      VALID,
    ],
  },
  {
    name: 'event-body header line without ": " (`NoColonHere`), then a valid event',
    chunks: [frame(bodyWith('NoColonHere')), VALID],
    show: 'Unique-ID',
  },
  {
    name: 'bad percent escape `%E0%A4%A` in an event-plain header value, then a valid event',
    chunks: [frame(bodyWith('Caller-Caller-ID-Name: Ravi%E0%A4%A')), VALID],
    show: 'Caller-Caller-ID-Name',
  },
  {
    name: 'bad percent escape `%zz` in an event-plain header value, then a valid event',
    chunks: [frame(bodyWith('Caller-Caller-ID-Name: 100%zz')), VALID],
    show: 'Caller-Caller-ID-Name',
  },
  {
    name: 'NUL byte in an event-plain header value, then a valid event',
    chunks: [frame(bodyWith('Caller-Caller-ID-Name: a\0b')), VALID],
    show: 'Caller-Caller-ID-Name',
  },
  {
    name: 'NUL byte in an outer header name, then a valid event',
    chunks: [
      frame(
        BODY,
        `Content-Length: ${Buffer.byteLength(BODY)}\nX-N\0l: 1\nContent-Type: text/event-plain\n\n`,
      ),
      VALID,
    ],
  },
  {
    name: `endless header block (1 MiB reads, stopped at ${ENDLESS_CAP_MB} MiB)`,
    chunks: endlessHeader(),
  },
  {
    name: 'BACKGROUND_JOB whose inner Content-Length (500) is larger than its body (20), then a valid event',
    chunks: [frame(shortJobBody), VALID],
  },
  {
    name: 'CRLF line ends (outer and inner), nothing after',
    chunks: [crlfFrame()],
  },
  {
    name: 'CRLF line ends (outer and inner), then a valid event',
    chunks: [crlfFrame(), VALID],
  },
  {
    name: 'frame without Content-Type, then a valid event',
    chunks: [frame(BODY, `Content-Length: ${Buffer.byteLength(BODY)}\n\n`), VALID],
  },
  { name: '1456 small command/reply frames in one 64 KiB read', chunks: [smallFrames()] },
];

/** A frame whose every line ends in CRLF (the Content-Length counts the CRLF body). */
function crlfFrame(): Buffer {
  const body = BODY.replace(/\n/g, '\r\n');
  return Buffer.from(
    `Content-Length: ${body.length}\r\nContent-Type: text/event-plain\r\n\r\n${body}`,
    'latin1',
  );
}

function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** Names of the events, with the shown header's value, compacted (`CHANNEL_ANSWER ×1455`). */
function summarize(items: readonly string[]): string {
  const parts: string[] = [];
  for (let i = 0; i < items.length;) {
    let j = i;
    while (j < items.length && items[j] === items[i]) j++;
    parts.push(j - i > 1 ? `${items[i]} ×${j - i}` : String(items[i]));
    i = j;
  }
  return parts.join(', ');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function oursLabel(event: EslEvent, show: string | undefined): string {
  let label = event.name;
  if (event.body !== undefined) label += ` (body ${Buffer.byteLength(event.body)} B)`;
  const value = show === undefined ? undefined : event.header(show);
  if (show !== undefined && value !== undefined) label += ` ${show}=${JSON.stringify(value)}`;
  return label;
}

function modeslLabel(event: ModeslEvent, outer: Record<string, unknown>, show: string | undefined): string {
  let label = event.type === undefined ? '(no Event-Name)' : event.type;
  const contentType = outer['Content-Type'];
  if (contentType !== 'text/event-plain') {
    label += ` [frame Content-Type: ${typeof contentType === 'string' ? contentType : 'none'}]`;
  }
  const body = event.getBody();
  if (body) label += ` (body ${Buffer.byteLength(body)} B)`;
  const value = show === undefined ? null : event.getHeader(show);
  if (show !== undefined && value !== null) label += ` ${show}=${JSON.stringify(value)}`;
  return label;
}

/** Ours, as esl/connection.ts runs it. */
function runOurs(c: ParserCase): string {
  const parser = new EslParser();
  const seen: string[] = [];
  let read = 0;
  try {
    for (const chunk of c.chunks) {
      read++;
      for (const f of parser.push(chunk)) {
        if (f.contentType === 'text/event-plain') {
          if (!f.body) throw new Error('event without body');
          seen.push(oursLabel(parsePlainEvent(f.body), c.show));
        } else {
          seen.push(f.contentType);
        }
      }
    }
  } catch (err) {
    const before = seen.length > 0 ? `parsed ${summarize(seen)}, then ` : '';
    return `${before}threw ${errorText(err)} on ${reads(read, c)} → link reset`;
  }
  const waiting = parser.bufferedBytes > 0 ? `; waiting, ${parser.bufferedBytes} bytes buffered` : '';
  return `${seen.length > 0 ? `parsed ${summarize(seen)}` : 'parsed nothing'}${waiting}`;
}

/** `read 2 of 3 (340 bytes in all)` */
function reads(read: number, c: ParserCase): string {
  return `read ${read} of ${c.chunks.length} (${c.chunks.reduce((n, b) => n + b.length, 0)} bytes in all)`;
}

/** modesl through a fake socket; stops at a throw (an uncaught exception on a real socket). */
async function runModesl(c: ParserCase): Promise<string> {
  const seen: string[] = [];
  const harness = new ModeslHarness((event, outer) => seen.push(modeslLabel(event, outer, c.show)));
  let read = 0;
  let threw: string | undefined;
  try {
    for (const chunk of c.chunks) {
      read++;
      harness.feed(chunk);
    }
  } catch (err) {
    threw = errorText(err);
  }
  // modesl emits synchronously; give it a moment anyway in case anything is deferred.
  await sleep(20);
  const out: string[] = [seen.length > 0 ? `emitted ${summarize(seen)}` : 'emitted nothing'];
  if (harness.errors.length > 0)
    out.push(`'error' ${plural(harness.errors.length, 'time')}: ${harness.errors[0]}`);
  if (threw !== undefined) {
    out.push(`threw ${threw} inside the socket data handler on ${reads(read, c)} (uncaught → process exits)`);
  } else if (harness.pendingBodyLength > 0) {
    out.push(`waiting for a ${harness.pendingBodyLength}-byte body, ${harness.bufferedBytes} bytes buffered`);
  } else if (harness.bufferedBytes > 0) {
    out.push(`waiting for a blank line, ${harness.bufferedBytes} bytes buffered`);
  }
  return out.join('; ');
}

function withTimeout<T>(work: () => Promise<T>, ms: number, onTimeout: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(onTimeout), ms);
  });
  return Promise.race([work(), timeout]).finally(() => clearTimeout(timer));
}

/** Every case through both parsers. */
export async function runParserCases(
  cases: readonly ParserCase[] = PARSER_CASES,
): Promise<Array<{ case: string; ours: string; modesl: string }>> {
  const rows: CaseResult[] = [];
  for (const c of cases) {
    const ours = await withTimeout(() => Promise.resolve(runOurs(c)), 5000, 'no answer within 5 s');
    const modesl = await withTimeout(() => runModesl(c), 5000, 'no answer within 5 s (hung)');
    rows.push({ case: c.name, ours, modesl });
  }
  return rows;
}

/** The rows as a Markdown table. */
export function caseTable(rows: ReadonlyArray<{ case: string; ours: string; modesl: string }>): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  return [
    '| case | ours (esl/parser.ts + esl/event.ts) | modesl 1.2.1 Parser |',
    '| --- | --- | --- |',
    ...rows.map((r) => `| ${cell(r.case)} | ${cell(r.ours)} | ${cell(r.modesl)} |`),
  ].join('\n');
}

if (require.main === module) {
  runParserCases()
    .then((rows) => console.log(caseTable(rows)))
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
