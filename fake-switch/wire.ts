/**
 * The fake switch's wire engine: frames exactly as FreeSWITCH 1.10.12 writes them (header order,
 * URL-encoding, byte-counted Content-Length), the client command reader, and the event subscription and
 * filter rules of `mod_event_socket`. Every format here is checked against the captures in
 * `test/fixtures/esl/` by `test/esl/fake-switch-wire.test.ts`.
 */

/**
 * Bytes that FreeSWITCH's `switch_url_encode` escapes in `text/event-plain` values: the set observed in
 * the captures (blank, `" % & + : ; < = > @ [ \ ] ^ { | }`, CR, LF, every byte above `~`), plus `#`, `?`
 * and backquote, which the 1.10 source escapes too but no capture happens to contain. Kept literal:
 * `$ ' ( ) , - . / ~ _` and alphanumerics (all seen raw in the captures), and `! *`.
 */
const URL_UNSAFE = new Set(Array.from('\r\n "#%&+:;<=>?@[\\]^`{|}').map((c) => c.charCodeAt(0)));
const HEX = '0123456789ABCDEF';

/**
 * URL-encodes a header value the way FreeSWITCH serialises `text/event-plain` events (uppercase hex,
 * UTF-8 bytes).
 *
 * @param value - the raw value
 */
export function fsUrlEncode(value: string): string {
  const bytes = Buffer.from(value, 'utf8');
  let out = '';
  for (const b of bytes) {
    if (b < 0x20 || b > 0x7e || URL_UNSAFE.has(b)) {
      out += `%${HEX[b >> 4] ?? '0'}${HEX[b & 15] ?? '0'}`;
    } else {
      out += String.fromCharCode(b);
    }
  }
  return out;
}

/** `Content-Type: auth/request`, sent on connect. */
export function authRequestFrame(): Buffer {
  return Buffer.from('Content-Type: auth/request\n\n');
}

/**
 * A `command/reply`: `Content-Type`, `Reply-Text`, then any extra headers (e.g. `Job-UUID` for bgapi).
 *
 * @param replyText - e.g. `+OK accepted`
 * @param extra - extra headers, in order
 */
export function commandReplyFrame(
  replyText: string,
  extra: ReadonlyArray<readonly [string, string]> = [],
): Buffer {
  let text = `Content-Type: command/reply\nReply-Text: ${replyText}\n`;
  for (const [k, v] of extra) text += `${k}: ${v}\n`;
  return Buffer.from(`${text}\n`);
}

/**
 * An `api/response` (`Content-Type` first, then the byte count of the UTF-8 body).
 *
 * @param body - the response text, e.g. `+OK\n`
 */
export function apiResponseFrame(body: string): Buffer {
  const bytes = Buffer.from(body, 'utf8');
  return Buffer.concat([
    Buffer.from(`Content-Type: api/response\nContent-Length: ${bytes.length}\n\n`),
    bytes,
  ]);
}

/** The text of FreeSWITCH's `text/disconnect-notice`. */
export const DISCONNECT_TEXT = 'Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n';

/** `text/disconnect-notice`, sent before the switch closes a socket. */
export function disconnectNoticeFrame(): Buffer {
  const bytes = Buffer.from(DISCONNECT_TEXT, 'utf8');
  return Buffer.concat([
    Buffer.from(`Content-Type: text/disconnect-notice\nContent-Length: ${bytes.length}\n\n`),
    bytes,
  ]);
}

/**
 * A `text/event-plain` frame. The outer headers are `Content-Length` then `Content-Type` (that order,
 * as in every capture); the body lists the headers with URL-encoded values, then either a blank line,
 * or an inner `Content-Length`, a blank line and the body.
 *
 * @param headers - event headers in order, raw (not encoded) values
 * @param body - optional event body (e.g. `+OK <uuid>\n` of a BACKGROUND_JOB)
 */
export function eventPlainFrame(headers: ReadonlyArray<readonly [string, string]>, body?: string): Buffer {
  let text = '';
  for (const [k, v] of headers) text += `${k}: ${fsUrlEncode(v)}\n`;
  let inner: Buffer;
  if (body === undefined) {
    inner = Buffer.from(`${text}\n`, 'latin1');
  } else {
    const bodyBytes = Buffer.from(body, 'utf8');
    inner = Buffer.concat([
      Buffer.from(`${text}Content-Length: ${bodyBytes.length}\n\n`, 'latin1'),
      bodyBytes,
    ]);
  }
  return Buffer.concat([
    Buffer.from(`Content-Length: ${inner.length}\nContent-Type: text/event-plain\n\n`),
    inner,
  ]);
}

/** A command block sent by a client: first line, then header lines, then optional body. */
export type ClientCommand = {
  /** The first line, verbatim, cut at the first CR (as `mod_event_socket` does). */
  readonly line: string;
  /** Header lines after the first one (`Job-UUID: …`). */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** Body bytes when the block carried a `Content-Length` header (sendevent/sendmsg). */
  readonly body?: Buffer;
};

/**
 * Reads client command blocks (`<line>\n[<Header>: <value>\n]*\n`) from a byte stream.
 * A block longer than `maxBlockBytes` without a blank line is an error (the server drops the client).
 */
export class CommandReader {
  private buf: Buffer = Buffer.alloc(0);
  private pendingBody: { line: string; headers: Array<[string, string]>; length: number } | undefined;

  /** @param maxBlockBytes - bound on one command block (default 1 MiB) */
  constructor(private readonly maxBlockBytes = 1024 * 1024) {}

  /**
   * @param chunk - bytes received
   * @returns the commands completed by this chunk
   * @throws Error when a block exceeds the bound
   */
  push(chunk: Buffer): ClientCommand[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: ClientCommand[] = [];
    for (;;) {
      if (this.pendingBody) {
        const { line, headers, length } = this.pendingBody;
        if (this.buf.length < length) break;
        out.push({ line, headers, body: Buffer.from(this.buf.subarray(0, length)) });
        this.buf = this.buf.subarray(length);
        this.pendingBody = undefined;
        continue;
      }
      const end = this.buf.indexOf('\n\n');
      if (end < 0) {
        if (this.buf.length > this.maxBlockBytes) throw new Error('command block too long');
        break;
      }
      const text = this.buf.subarray(0, end).toString('utf8');
      this.buf = this.buf.subarray(end + 2);
      const [first = '', ...rest] = text.split('\n');
      const cr = first.indexOf('\r');
      const line = cr < 0 ? first : first.slice(0, cr);
      const headers: Array<[string, string]> = [];
      for (const h of rest) {
        const sep = h.indexOf(': ');
        if (sep > 0) headers.push([h.slice(0, sep), h.slice(sep + 2).replace(/\r.*$/, '')]);
      }
      const cl = headers.find(([k]) => k.toLowerCase() === 'content-length')?.[1];
      if (cl !== undefined && /^\d+$/.test(cl) && Number(cl) > 0) {
        this.pendingBody = { line, headers, length: Number(cl) };
        continue;
      }
      out.push({ line, headers });
    }
    return out;
  }
}

type Filter = { header: string; value: string };

/**
 * One listener's `event` subscription and `filter`s, with `mod_event_socket`'s rules:
 * - `event plain A B CUSTOM x::y` subscribes to A, B and the CUSTOM subclasses listed after `CUSTOM`;
 *   `ALL` subscribes to everything;
 * - filters: a value starting with `/` is a regular expression (`/re/flags`, flags `i` and `s`), anything
 *   else matches case-insensitively; a leading `+`/`-` makes a filter positive/negative; an event passes
 *   when at least one positive filter matches and no negative one does; a filter whose header the event
 *   lacks does not match; no filters = everything subscribed passes (captures g2, h2-filter-*, i5).
 */
export class Subscription {
  private all = false;
  private readonly names = new Set<string>();
  private readonly subclasses = new Set<string>();
  private filters: Filter[] = [];
  /** Format of the last `event` command, when any. */
  format: 'plain' | 'json' | 'xml' | undefined;

  /** True once any `event` command subscribed to something. */
  get active(): boolean {
    return this.all || this.names.size > 0;
  }

  /**
   * Applies `event <format> <words…>`.
   *
   * @returns the reply text
   */
  event(args: string): string {
    const words = args.split(' ').filter((w) => w !== '');
    let format: 'plain' | 'json' | 'xml' = 'plain';
    const first = words[0]?.toLowerCase();
    if (first === 'plain' || first === 'json' || first === 'xml') {
      format = first;
      words.shift();
    }
    let custom = false;
    let keys = 0;
    for (const word of words) {
      if (custom) {
        this.subclasses.add(word);
        continue;
      }
      const upper = word.toUpperCase();
      if (!/^[A-Z_]+$/.test(upper)) continue;
      keys += 1;
      if (upper === 'ALL') this.all = true;
      else this.names.add(upper);
      if (upper === 'CUSTOM') custom = true;
    }
    if (keys === 0) return '-ERR no keywords supplied';
    this.format = format;
    return `+OK event listener enabled ${format}`;
  }

  /** Applies `nixevent <names…>`. */
  nixevent(args: string): string {
    for (const word of args.split(' ').filter((w) => w !== '')) {
      const upper = word.toUpperCase();
      if (upper === 'ALL') {
        this.all = false;
        this.names.clear();
      } else {
        this.names.delete(upper);
        this.subclasses.delete(word);
      }
    }
    return '+OK events nixed';
  }

  /** Applies `noevents`. */
  noevents(): string {
    this.all = false;
    this.names.clear();
    this.subclasses.clear();
    this.format = undefined;
    return '+OK no longer listening for events';
  }

  /**
   * Applies `filter …` (the text after `filter `).
   *
   * @returns the reply text, exactly as FreeSWITCH words it
   */
  filter(args: string): string {
    const trimmed = args.replace(/^ +/, '');
    const sp = trimmed.indexOf(' ');
    let name = sp < 0 ? trimmed : trimmed.slice(0, sp);
    let value = sp < 0 ? undefined : trimmed.slice(sp + 1);
    if (name.toLowerCase() === 'delete' && value !== undefined) {
      const sp2 = value.indexOf(' ');
      name = sp2 < 0 ? value : value.slice(0, sp2);
      const v = sp2 < 0 ? undefined : value.slice(sp2 + 1);
      if (name.toLowerCase() === 'all') {
        this.filters = [];
      } else {
        this.filters = this.filters.filter(
          (f) => !(f.header.toLowerCase() === name.toLowerCase() && (v === undefined || f.value === v)),
        );
      }
      return `+OK filter deleted. [${name}][${v ?? ''}]`;
    }
    if (value === undefined) return '-ERR invalid syntax';
    if (name.toLowerCase() === 'add') {
      const sp2 = value.indexOf(' ');
      if (sp2 < 0) return '-ERR invalid syntax';
      name = value.slice(0, sp2);
      value = value.slice(sp2 + 1);
    }
    this.filters.push({ header: name, value });
    return `+OK filter added. [${name}]=[${value}]`;
  }

  /**
   * Whether an event reaches this listener.
   *
   * @param headers - the event's headers (raw values)
   */
  passes(headers: ReadonlyArray<readonly [string, string]>): boolean {
    const get = (name: string): string | undefined => {
      const lower = name.toLowerCase();
      return headers.find(([k]) => k.toLowerCase() === lower)?.[1];
    };
    const eventName = get('Event-Name') ?? '';
    let send = false;
    if (this.all) {
      send = true;
    } else if (this.names.has(eventName)) {
      const subclass = get('Event-Subclass');
      send = eventName !== 'CUSTOM' || subclass === undefined || this.subclasses.has(subclass);
    }
    if (!send || this.filters.length === 0) return send;
    send = false;
    for (const f of this.filters) {
      const value = get(f.header);
      if (value === undefined) continue;
      let compare = f.value;
      let positive = true;
      while (compare.length > 0) {
        const c = compare[0];
        if (c === '+') positive = true;
        else if (c === '-') positive = false;
        else if (c !== ' ') break;
        compare = compare.slice(1);
      }
      if (send && positive) continue;
      const matched = f.value.startsWith('/')
        ? regexMatch(compare, value)
        : compare.toLowerCase() === value.toLowerCase();
      if (matched) {
        if (!positive) return false;
        send = true;
      }
    }
    return send;
  }
}

function regexMatch(expression: string, value: string): boolean {
  const m = /^\/(.*)\/([a-z]*)$/s.exec(expression);
  const source = m ? (m[1] ?? '') : expression;
  const flags = m
    ? Array.from(m[2] ?? '')
        .filter((f) => f === 'i' || f === 's')
        .join('')
    : '';
  try {
    return new RegExp(source, flags).test(value);
  } catch {
    return false;
  }
}

/** `Event-Date-Local` / `Event-Date-GMT` / `Event-Date-Timestamp` for a moment, as FreeSWITCH writes them. */
export function eventDates(at: Date): Array<[string, string]> {
  const pad = (n: number): string => String(n).padStart(2, '0');
  const local = `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${pad(at.getHours())}:${pad(
    at.getMinutes(),
  )}:${pad(at.getSeconds())}`;
  return [
    ['Event-Date-Local', local],
    ['Event-Date-GMT', at.toUTCString()],
    ['Event-Date-Timestamp', String(at.getTime() * 1000)],
  ];
}

/** One channel of a fake call, as `show channels` sees it. */
export type LegRecord = {
  readonly uuid: string;
  /** Which leg of the scenario (undefined for a Unique-ID the scenario did not announce). */
  readonly name: 'loopbackA' | 'loopbackB' | 'firstSip' | 'secondSip' | undefined;
  alive: boolean;
  /** Latest value of every header seen on this leg's events. */
  readonly headers: Map<string, string>;
  /** Headers of its CHANNEL_CREATE. */
  readonly initial: Map<string, string>;
};

/**
 * The `hupall` answer (captures g2, h8, i4): `+OK hangup all channels matching [var]=[value] with cause:
 * CAUSE\n`, or without a variable `+OK hangup all channels with cause: CAUSE\n`.
 */
export function hupallReply(cause: string, variable?: string, value?: string): string {
  if (variable !== undefined && value !== undefined) {
    return `+OK hangup all channels matching [${variable}]=[${value}] with cause: ${cause}\n`;
  }
  return `+OK hangup all channels with cause: ${cause}\n`;
}

/**
 * The `status` answer, in the shape of captures a and d.
 *
 * @param uptimeMs - time since the fake switch was created
 * @param sinceStartup - sessions created since then
 * @param current - sessions up now
 */
export function statusText(uptimeMs: number, sinceStartup: number, current: number): string {
  const plural = (n: number, unit: string): string => `${n} ${unit}${n === 1 ? '' : 's'}`;
  const totalSec = Math.floor(uptimeMs / 1000);
  const days = Math.floor(totalSec / 86400);
  const years = Math.floor(days / 365);
  const uptime = [
    plural(years, 'year'),
    plural(days % 365, 'day'),
    plural(Math.floor(totalSec / 3600) % 24, 'hour'),
    plural(Math.floor(totalSec / 60) % 60, 'minute'),
    plural(totalSec % 60, 'second'),
    plural(Math.floor(uptimeMs) % 1000, 'millisecond'),
    plural(0, 'microsecond'),
  ].join(', ');
  return (
    `UP ${uptime}\n` +
    'FreeSWITCH (Version 1.10.12-release  64bit) is ready\n' +
    `${sinceStartup} session(s) since startup\n` +
    `${current} session(s) - peak ${current}, last 5min ${current} \n` +
    `0 session(s) per Sec out of max 1000, peak ${current}, last 5min ${current} \n` +
    '1000 session(s) max\n' +
    'min idle cpu 0.00/99.37\n' +
    'Current Stack Size/Max 240K/8192K\n'
  );
}

/** Columns of `show channels`, in FreeSWITCH's order (capture h8-reconnect-session2). */
export const CHANNEL_COLUMNS = [
  'uuid',
  'direction',
  'created',
  'created_epoch',
  'name',
  'state',
  'cid_name',
  'cid_num',
  'ip_addr',
  'dest',
  'application',
  'application_data',
  'dialplan',
  'context',
  'read_codec',
  'read_rate',
  'read_bit_rate',
  'write_codec',
  'write_rate',
  'write_bit_rate',
  'secure',
  'hostname',
  'presence_id',
  'presence_data',
  'accountcode',
  'callstate',
  'callee_name',
  'callee_num',
  'callee_direction',
  'call_uuid',
  'sent_callee_name',
  'sent_callee_num',
  'initial_cid_name',
  'initial_cid_num',
  'initial_ip_addr',
  'initial_dest',
  'initial_dialplan',
  'initial_context',
] as const;

function channelRow(leg: LegRecord): Record<(typeof CHANNEL_COLUMNS)[number], string> {
  const h = (name: string): string => leg.headers.get(name) ?? '';
  const i = (name: string): string => leg.initial.get(name) ?? '';
  const createdUs = Number(h('Caller-Channel-Created-Time') || i('Event-Date-Timestamp') || '0');
  const created = new Date(Math.floor(createdUs / 1000));
  const local = eventDates(created)[0]?.[1] ?? '';
  return {
    uuid: leg.uuid,
    direction: h('Call-Direction'),
    created: local,
    created_epoch: String(Math.floor(createdUs / 1_000_000)),
    name: h('Channel-Name'),
    state: h('Channel-State'),
    cid_name: h('Caller-Caller-ID-Name'),
    cid_num: h('Caller-Caller-ID-Number'),
    ip_addr: '',
    dest: h('Caller-Destination-Number'),
    application: h('variable_current_application'),
    application_data: h('variable_current_application_data'),
    dialplan: h('Caller-Dialplan'),
    context: h('Caller-Context'),
    read_codec: h('Channel-Read-Codec-Name'),
    read_rate: h('Channel-Read-Codec-Rate'),
    read_bit_rate: h('Channel-Read-Codec-Bit-Rate'),
    write_codec: h('Channel-Write-Codec-Name'),
    write_rate: h('Channel-Write-Codec-Rate'),
    write_bit_rate: h('Channel-Write-Codec-Bit-Rate'),
    secure: '',
    hostname: h('FreeSWITCH-Hostname'),
    presence_id: h('Channel-Presence-ID'),
    presence_data: h('Channel-Presence-Data') || h('variable_presence_data'),
    accountcode: h('variable_accountcode'),
    callstate: h('Channel-Call-State'),
    callee_name: h('Caller-Callee-ID-Name'),
    callee_num: h('Caller-Callee-ID-Number'),
    callee_direction: '',
    call_uuid: h('Channel-Call-UUID'),
    sent_callee_name: '',
    sent_callee_num: '',
    initial_cid_name: i('Caller-Caller-ID-Name'),
    initial_cid_num: i('Caller-Caller-ID-Number'),
    initial_ip_addr: '',
    initial_dest: i('Caller-Destination-Number'),
    initial_dialplan: i('Caller-Dialplan'),
    initial_context: i('Caller-Context'),
  };
}

/**
 * The `show channels [like <x>] [as json]` / `show channels count` answer. JSON is
 * `{"row_count":N,"rows":[…]}` without a trailing newline (captures h8, i4); with no row it is
 * `{"row_count":0}` (FreeSWITCH's `show` omits `rows` then: from source, not captured). `like` is a
 * case-insensitive substring match over uuid, name, cid_name, cid_num, presence_data and accountcode.
 * Other `show` subjects answer as if empty.
 *
 * @param args - the text after `show `
 * @param legs - channels up now, in creation order
 */
export function showChannels(args: string, legs: readonly LegRecord[]): string {
  const words = args.split(' ').filter((w) => w !== '');
  const subject = (words[0] ?? '').toLowerCase();
  const asJson =
    words.length >= 2 && words[words.length - 2]?.toLowerCase() === 'as' && words.at(-1) === 'json';
  if (asJson) words.splice(-2, 2);
  let rows = subject === 'channels' ? legs.map(channelRow) : [];
  if (subject === 'channels' && words[1]?.toLowerCase() === 'count') return `\n${rows.length} total.\n`;
  if (words[1]?.toLowerCase() === 'like' && words[2] !== undefined) {
    const needle = words[2].toLowerCase();
    rows = rows.filter((r) =>
      [r.uuid, r.name, r.cid_name, r.cid_num, r.presence_data, r.accountcode].some((v) =>
        v.toLowerCase().includes(needle),
      ),
    );
  }
  if (asJson) return rows.length === 0 ? '{"row_count":0}' : JSON.stringify({ row_count: rows.length, rows });
  // Zero rows: only the count, `\n0 total.\n` (capture g2).
  if (rows.length === 0) return '\n0 total.\n';
  const lines = rows.map((r) => CHANNEL_COLUMNS.map((c) => r[c]).join(','));
  return `${CHANNEL_COLUMNS.join(',')}\n${lines.map((l) => `${l}\n`).join('')}\n${rows.length} total.\n`;
}
