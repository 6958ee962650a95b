/**
 * ESL parser bench: the same capture-derived `text/event-plain` byte stream through our parser (esl/parser.ts +
 * esl/event.ts) and through modesl 1.2.1's Parser (node_modules/modesl/lib/esl/Parser.js), in one process, fed in
 * the same 64 KiB slices. Plus the memory each one holds on a header block that never ends.
 *
 * Counted per event, for ours: `EslParser.push` (framing), `parsePlainEvent` (what esl/connection.ts does before it
 * emits an event) and the ten header reads the call tracker makes (src/calls/esl-events.ts, call-intake.ts), each
 * percent-decoded. For modesl: its `data` handler (framing, `decodeURIComponent` of every header, the `Event`
 * object) up to its `esl::event` emission, and the same ten `getHeader` reads.
 *
 * Run: `node -e "require('./dist/bench/parsers').benchParsers({ calls: 2000 }).then(r => console.log(r))"`.
 */
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import type { Socket } from 'node:net';
import { setImmediate as tick } from 'node:timers/promises';
import v8 from 'node:v8';
import vm from 'node:vm';
import { Parser as ModeslParser, type Event as ModeslEvent } from 'modesl';
import { EslParser, parsePlainEvent } from '../esl';
import { interleavedStream } from './lib/streams';

export type ParserRow = {
  id: 'parse_ours' | 'parse_modesl';
  value: number;
  unit: string;
  baseline?: number;
  ratio?: number;
  note: string;
};

/** The socket read size both parsers are fed with. */
export const CHUNK_BYTES = 64 * 1024;

/** The headers the service reads from an event (src/calls/esl-events.ts and src/calls/call-intake.ts). */
export const READ_HEADERS = [
  'variable_c2c_call_id',
  'Event-Date-Timestamp',
  'Unique-ID',
  'Channel-Name',
  'variable_originator',
  'Caller-Destination-Number',
  'variable_sip_term_status',
  'variable_sip_hangup_disposition',
  'variable_DIALSTATUS',
  'Hangup-Cause',
] as const;

/** Fields of modesl's Parser that test/types/modesl.d.ts does not declare (read for the buffered size only). */
type ModeslParserInternals = { buffer: Buffer; bodyLen: number };

/**
 * modesl's Parser on a fake socket: `feed` emits a `data` chunk, which modesl handles synchronously (a throw inside
 * its handler surfaces from `feed`, as it would from a real socket's `emit`).
 */
export class ModeslHarness {
  private readonly socket = new EventEmitter();
  private readonly parser: ModeslParser;
  readonly errors: string[] = [];

  /** @param onEvent - called with every `esl::event`: the event and the outer headers of its frame */
  constructor(onEvent: (event: ModeslEvent, outer: Record<string, unknown>) => void) {
    this.parser = new ModeslParser(this.socket as unknown as Socket);
    this.parser.on('esl::event', onEvent);
    this.parser.on('error', (err: unknown) => {
      this.errors.push(err instanceof Error ? err.message : String(err));
    });
  }

  feed(chunk: Buffer): void {
    this.socket.emit('data', chunk);
  }

  /** Bytes modesl holds that are not yet part of an emitted event. */
  get bufferedBytes(): number {
    return (this.parser as unknown as ModeslParserInternals).buffer.length;
  }

  /** The body length modesl is waiting for (0 when it is reading headers). */
  get pendingBodyLength(): number {
    return (this.parser as unknown as ModeslParserInternals).bodyLen;
  }
}

/** `bytes` as the socket would deliver them: consecutive `size`-byte views (no copy). */
export function slices(bytes: Buffer, size = CHUNK_BYTES): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, Math.min(i + size, bytes.length)));
  return out;
}

type RunResult = { events: number; sink: number };

/**
 * Ours: frames, `parsePlainEvent`, the tracker's header reads (or every header, decoded, with `all`). `whole`: the
 * chunks end on a frame boundary, so nothing may be left.
 */
function runOurs(chunks: readonly Buffer[], all = false, whole = true): RunResult {
  const parser = new EslParser();
  let events = 0;
  let sink = 0;
  for (const chunk of chunks) {
    for (const frame of parser.push(chunk)) {
      if (frame.contentType !== 'text/event-plain' || !frame.body) continue;
      const event = parsePlainEvent(frame.body);
      sink += event.name.length;
      if (all) {
        for (const value of event.headers.values()) sink += value.length;
      } else {
        for (const name of READ_HEADERS) sink += event.header(name)?.length ?? 0;
      }
      events++;
    }
  }
  if (whole && parser.bufferedBytes !== 0)
    throw new Error(`ours: ${parser.bufferedBytes} bytes left unparsed`);
  return { events, sink };
}

/** modesl: its data handler, its events, the same header reads. */
function runModesl(chunks: readonly Buffer[]): RunResult {
  let events = 0;
  let sink = 0;
  const harness = new ModeslHarness((event) => {
    sink += event.type.length;
    for (const name of READ_HEADERS) sink += event.getHeader(name)?.length ?? 0;
    events++;
  });
  for (const chunk of chunks) harness.feed(chunk);
  if (harness.bufferedBytes !== 0) throw new Error(`modesl: ${harness.bufferedBytes} bytes left unparsed`);
  if (harness.errors.length > 0) throw new Error(`modesl emitted errors: ${harness.errors.join('; ')}`);
  return { events, sink };
}

/**
 * Both parsers must agree, or the figures compare different work: the same number of events, the same Event-Name
 * and Unique-ID for every event, and for every 97th event the same decoded headers and body.
 *
 * @throws Error naming the first disagreement
 */
function verify(chunks: readonly Buffer[], expectedEvents: number): { events: number; sampled: number } {
  const ours: Array<{
    name: string;
    uuid: string | undefined;
    headers?: Map<string, string>;
    body?: string;
  }> = [];
  const parser = new EslParser();
  for (const chunk of chunks) {
    for (const frame of parser.push(chunk)) {
      if (frame.contentType !== 'text/event-plain' || !frame.body) continue;
      const event = parsePlainEvent(frame.body);
      const sampled = ours.length % 97 === 0;
      ours.push({
        name: event.name,
        uuid: event.header('Unique-ID'),
        ...(sampled ? { headers: new Map(event.headers), body: event.body ?? '' } : {}),
      });
    }
  }
  const theirs: ModeslEvent[] = [];
  const harness = new ModeslHarness((event) => theirs.push(event));
  for (const chunk of chunks) harness.feed(chunk);
  if (ours.length !== expectedEvents || theirs.length !== expectedEvents) {
    throw new Error(
      `event counts differ: stream ${expectedEvents}, ours ${ours.length}, modesl ${theirs.length}`,
    );
  }
  let sampled = 0;
  ours.forEach((o, i) => {
    const t = theirs[i] as ModeslEvent;
    const tName = t.getHeader('Event-Name');
    const tUuid = t.getHeader('Unique-ID') ?? undefined;
    if (o.name !== tName || o.uuid !== tUuid) {
      throw new Error(`event ${i}: ours ${o.name}/${o.uuid} vs modesl ${tName}/${tUuid}`);
    }
    if (!o.headers) return;
    sampled++;
    const tHeaders = new Map(t.headers.map((h) => [h.name, String(h.value)]));
    if (tHeaders.size !== o.headers.size) {
      throw new Error(`event ${i} (${o.name}): ${o.headers.size} headers ours, ${tHeaders.size} modesl`);
    }
    for (const [name, value] of o.headers) {
      if (tHeaders.get(name) !== value) {
        throw new Error(`event ${i} (${o.name}) header ${name}: ours ${value}, modesl ${tHeaders.get(name)}`);
      }
    }
    if (o.body !== t.getBody()) throw new Error(`event ${i} (${o.name}): bodies differ`);
  });
  return { events: ours.length, sampled };
}

function time(fn: () => RunResult, expected: number): number {
  const start = process.hrtime.bigint();
  const { events } = fn();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (events !== expected) throw new Error(`a timed run saw ${events} events, expected ${expected}`);
  return seconds;
}

let gcFn: (() => void) | undefined;

/** A full garbage collection (`--expose-gc` when given, else enabled at run time). */
export function gc(): void {
  if (!gcFn) {
    let fn: unknown = (globalThis as { gc?: unknown }).gc;
    if (typeof fn !== 'function') {
      v8.setFlagsFromString('--expose-gc');
      fn = vm.runInNewContext('gc');
    }
    gcFn = fn as () => void;
  }
  gcFn();
}

export type PartialFrameResult = {
  parser: 'ours' | 'modesl';
  /** Bytes handed to the parser, up to and including the read it threw on (at most the cap). */
  fedBytes: number;
  /** `threw <message>` or `still buffering`. */
  outcome: string;
  /** What the parser holds at the end. */
  bufferedBytes: number;
  /** Growth after a full GC, the parser still referenced (MiB). */
  heapUsedDeltaMb: number;
  arrayBuffersDeltaMb: number;
  /** Highest `arrayBuffers` growth seen between chunks (garbage included). */
  peakArrayBuffersDeltaMb: number;
  ms: number;
};

const MB = 1e6;
const MIB = 1024 * 1024;

/**
 * Feeds a header block that never ends (`Content-Type: text/event-plain\nX: aaaa…`) in `chunkBytes` chunks until
 * the parser throws or `capBytes` are fed, and reports the memory it holds.
 */
export function endlessHeader(
  which: 'ours' | 'modesl',
  capBytes = 64 * 1024 * 1024,
  chunkBytes = 1024 * 1024,
): PartialFrameResult {
  const head = Buffer.from('Content-Type: text/event-plain\nX: ');
  const filler = Buffer.alloc(chunkBytes, 'a');
  let feed: (chunk: Buffer) => void;
  let buffered: () => number;
  if (which === 'ours') {
    const parser = new EslParser();
    feed = (chunk) => void parser.push(chunk);
    buffered = () => parser.bufferedBytes;
  } else {
    const harness = new ModeslHarness(() => undefined);
    feed = (chunk) => harness.feed(chunk);
    buffered = () => harness.bufferedBytes;
  }
  gc();
  const before = process.memoryUsage();
  const start = process.hrtime.bigint();
  let fed = 0;
  let outcome = 'still buffering';
  let peak = 0;
  try {
    fed += head.length;
    feed(head);
    while (fed < capBytes) {
      const chunk = filler.subarray(0, Math.min(chunkBytes, capBytes - fed));
      fed += chunk.length;
      feed(chunk);
      peak = Math.max(peak, process.memoryUsage().arrayBuffers - before.arrayBuffers);
    }
  } catch (err) {
    outcome = `threw ${err instanceof Error ? err.message : String(err)}`;
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  gc();
  const after = process.memoryUsage();
  const held = buffered(); // keeps the parser alive across the measurement
  return {
    parser: which,
    fedBytes: fed,
    outcome,
    bufferedBytes: held,
    heapUsedDeltaMb: (after.heapUsed - before.heapUsed) / MIB,
    arrayBuffersDeltaMb: (after.arrayBuffers - before.arrayBuffers) / MIB,
    peakArrayBuffersDeltaMb: peak / MIB,
    ms,
  };
}

function describePartial(r: PartialFrameResult): string {
  const mib = (n: number) => n.toFixed(1);
  return (
    `endless header block (1 MiB reads, cap 64 MiB): ${r.outcome} with ${mib(r.fedBytes / MIB)} MiB fed, ` +
    `${r.bufferedBytes} bytes buffered; after GC heapUsed ${mib(r.heapUsedDeltaMb)} MiB, ` +
    `arrayBuffers ${mib(r.arrayBuffersDeltaMb)} MiB above the start (peak between reads ` +
    `${mib(r.peakArrayBuffersDeltaMb)} MiB); ${Math.round(r.ms)} ms`
  );
}

/**
 * Both parsers on the same bytes: `calls` interleaved calls of the recorded scenarios, 64 KiB reads, one warm-up
 * round each, then `rounds` alternating rounds; the best round of each is reported.
 */
export async function benchParsers(opts: { calls: number; rounds?: number }): Promise<ParserRow[]> {
  const rounds = opts.rounds ?? 3;
  const configIds = Array.from({ length: 10 }, (_, i) => i.toString(16).repeat(32));
  const stream = interleavedStream(opts.calls, 5, configIds);
  const chunks = slices(stream.bytes);
  const checked = verify(chunks, stream.events);
  await tick();

  // Warm-up (JIT), then alternate so that neither parser always runs on a cooler or hotter machine.
  time(() => runOurs(chunks), stream.events);
  time(() => runModesl(chunks), stream.events);
  let ours = Infinity;
  let modesl = Infinity;
  for (let r = 0; r < rounds; r++) {
    gc();
    ours = Math.min(
      ours,
      time(() => runOurs(chunks), stream.events),
    );
    await tick();
    gc();
    modesl = Math.min(
      modesl,
      time(() => runModesl(chunks), stream.events),
    );
    await tick();
  }
  // Every header decoded, for comparison with modesl's eager decoding: a warm-up on a tenth, then one round.
  runOurs(chunks.slice(0, Math.ceil(chunks.length / 10)), true, false);
  gc();
  const oursAll = time(() => runOurs(chunks, true), stream.events);

  const oursPartial = endlessHeader('ours');
  await tick();
  const modeslPartial = endlessHeader('modesl');

  const evs = (s: number) => stream.events / s;
  const mbs = (s: number) => (stream.bytes.length / MB / s).toFixed(1);
  const common =
    `${stream.events} events (${opts.calls} calls, ${(stream.bytes.length / MB).toFixed(1)} MB) in ` +
    `${chunks.length} reads of 64 KiB, best of ${rounds} rounds after a warm-up; both parsers agreed on the count, ` +
    `Event-Name and Unique-ID of every event and on all headers and body of ${checked.sampled} sampled events`;
  return [
    {
      id: 'parse_ours',
      value: Math.round(evs(ours)),
      unit: 'events/s',
      note:
        `${mbs(ours)} MB/s; EslParser.push + parsePlainEvent + the tracker's ${READ_HEADERS.length} header reads ` +
        `(decoded); with every header decoded (event.headers): ${Math.round(evs(oursAll))} events/s, ` +
        `${mbs(oursAll)} MB/s (one round). ${common}. ${describePartial(oursPartial)}`,
    },
    {
      id: 'parse_modesl',
      value: Math.round(evs(modesl)),
      unit: 'events/s',
      baseline: Math.round(evs(ours)),
      ratio: Number((ours / modesl).toFixed(3)),
      note:
        `${mbs(modesl)} MB/s; modesl ${modeslVersion()} Parser data handler (framing, decodeURIComponent of every ` +
        `header, Event object) + the same ${READ_HEADERS.length} getHeader reads; ratio = modesl/ours events/s. ` +
        `${common}. ${describePartial(modeslPartial)}`,
    },
  ];
}

function modeslVersion(): string {
  const pkg: unknown = JSON.parse(fs.readFileSync(require.resolve('modesl/package.json'), 'utf8'));
  return typeof pkg === 'object' && pkg !== null && 'version' in pkg ? String(pkg.version) : '?';
}
