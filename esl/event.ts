/**
 * `text/event-plain` decoding.
 *
 * The body of a plain event is itself a header block: `Name: value` lines whose values FreeSWITCH has
 * URL-encoded (`switch_url_encode`: blank, `%`, `+`, `:`, `@`, CR, LF, every byte above `~`, …), ended by
 * a blank line. An event with a body (e.g. `BACKGROUND_JOB`) carries an inner `Content-Length` header
 * and that many BYTES after the blank line. Header names may contain `:` themselves
 * (`variable_nolocal:source`), so a line is split at the first `": "`.
 *
 * Decoding is lazy: `name` and `subclass` are found by a direct scan; the first few `header()` lookups scan
 * the block too (the call tracker reads about ten of ~200 headers), later ones and `headers` use a map
 * built in one pass; each value is percent-decoded once, on first access.
 */
import { EslProtocolError } from './errors';

/** A decoded event, as delivered to subscribers. */
export type EslEvent = {
  /** `Event-Name`, e.g. `CHANNEL_ANSWER`, `BACKGROUND_JOB`, `CUSTOM`. */
  readonly name: string;
  /** `Event-Subclass` for `CUSTOM` events, e.g. `loopback::bowout`. */
  readonly subclass?: string;
  /**
   * A header's decoded value (percent-decoding, then UTF-8), or undefined when absent.
   * The name is matched case-insensitively, as FreeSWITCH does; the first occurrence wins.
   */
  header(name: string): string | undefined;
  /** Every header, decoded, in wire order (built on first access). */
  readonly headers: ReadonlyMap<string, string>;
  /** The event's body (after the inner `Content-Length`), decoded as UTF-8. */
  readonly body?: string;
};

const utf8 = new TextDecoder('utf-8');

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
}

/**
 * Percent-decodes like FreeSWITCH's `switch_url_decode`: `%XX` (two hex digits) becomes that byte, any
 * other `%` stays literal, `+` stays `+`; the bytes are then read as UTF-8 (invalid sequences become
 * U+FFFD). Never throws, unlike `decodeURIComponent`.
 *
 * @param value - an encoded header value (ASCII; other characters are taken as their UTF-8 bytes)
 */
export function percentDecode(value: string): string {
  if (!value.includes('%')) return value;
  return decodeBytes(Buffer.from(value, 'utf8'));
}

/** Like {@link percentDecode} for a value read as latin1 (one char per received byte). */
function percentDecodeLatin1(value: string): string {
  if (!value.includes('%') && !/[^\x00-\x7f]/.test(value)) return detached(value);
  return decodeBytes(Buffer.from(value, 'latin1'));
}

/**
 * A copy of a slice of the frame that does not keep the frame alive. V8 represents a substring of 13 or
 * more characters as a view into its parent: a uuid kept by a subscriber would pin the whole 4–10 KB
 * event (measured: about 20 KB retained per ringing call before this copy).
 */
function detached(value: string): string {
  return value.length < 13 ? value : Buffer.from(value, 'latin1').toString('latin1');
}

function decodeBytes(bytes: Buffer): string {
  const out = Buffer.allocUnsafe(bytes.length);
  let o = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b === 0x25 && i + 2 < bytes.length) {
      const hi = hexValue(bytes[i + 1] as number);
      const lo = hexValue(bytes[i + 2] as number);
      if (hi >= 0 && lo >= 0) {
        out[o++] = hi * 16 + lo;
        i += 2;
        continue;
      }
    }
    out[o++] = b;
  }
  return utf8.decode(out.subarray(0, o));
}

/** One case-insensitive line matcher per header name looked up (bounded: names are few). */
const lineMatchers = new Map<string, RegExp>();

/**
 * Finds the raw (still encoded) value of the first line `<name>: …` of a header block, in any case,
 * without copying the block (a lower-cased copy of every 4–10 KB event was most of the garbage).
 *
 * @param text - the header block
 * @param key - the header name, lower-cased
 */
function scanRaw(text: string, key: string): string | undefined {
  let re = lineMatchers.get(key);
  if (!re) {
    re = new RegExp(`(?:^|\\n)${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `, 'i');
    if (lineMatchers.size < 1000) lineMatchers.set(key, re);
  }
  const m = re.exec(text);
  if (!m) return undefined;
  const start = m.index + m[0].length;
  const end = text.indexOf('\n', start);
  return text.slice(start, end < 0 ? text.length : end);
}

/** Headers looked up by scanning before the whole index is built (the tracker reads about ten). */
const MAX_SCANS = 12;

class PlainEvent implements EslEvent {
  readonly name: string;
  readonly subclass?: string;
  readonly body?: string;
  readonly #text: string;
  /** Values looked up so far, decoded, by lower-cased name (undefined: absent). */
  #looked: Map<string, string | undefined> | undefined;
  #index: Map<string, { name: string; raw: string; decoded?: string }> | undefined;
  #order: string[] = [];

  constructor(text: string, name: string, subclass: string | undefined, body: string | undefined) {
    this.#text = text;
    this.name = name;
    if (subclass !== undefined) this.subclass = subclass;
    if (body !== undefined) this.body = body;
  }

  header(name: string): string | undefined {
    const key = name.toLowerCase();
    if (this.#index) {
      const entry = this.#index.get(key);
      if (!entry) return undefined;
      entry.decoded ??= percentDecodeLatin1(entry.raw);
      return entry.decoded;
    }
    // Without building the whole index (~200 headers), find the first line `<name>: ` (any case): the
    // same answer as the index, whose key of a line is its text up to the first ": ", lower-cased.
    this.#looked ??= new Map();
    if (this.#looked.has(key)) return this.#looked.get(key);
    let value: string | undefined;
    if (this.#looked.size >= MAX_SCANS || key === '' || key.includes(': ') || key.includes('\n')) {
      // A reader of many headers gets the index (one pass) instead of one scan each.
      value = this.indexed(key);
    } else {
      const raw = scanRaw(this.#text, key);
      value = raw === undefined ? undefined : percentDecodeLatin1(raw);
    }
    this.#looked.set(key, value);
    return value;
  }

  get headers(): ReadonlyMap<string, string> {
    const map = new Map<string, string>();
    const index = this.index();
    for (const key of this.#order) {
      const entry = index.get(key);
      if (entry) map.set(entry.name, this.header(key) ?? '');
    }
    return map;
  }

  private indexed(key: string): string | undefined {
    const entry = this.index().get(key);
    if (!entry) return undefined;
    entry.decoded ??= percentDecodeLatin1(entry.raw);
    return entry.decoded;
  }

  private index(): Map<string, { name: string; raw: string; decoded?: string }> {
    if (this.#index) return this.#index;
    const index = new Map<string, { name: string; raw: string; decoded?: string }>();
    for (const line of this.#text.split('\n')) {
      const sep = line.indexOf(': ');
      if (sep <= 0) continue;
      const name = line.slice(0, sep);
      const key = name.toLowerCase();
      if (index.has(key)) continue;
      index.set(key, { name, raw: line.slice(sep + 2) });
      this.#order.push(key);
    }
    this.#index = index;
    return index;
  }
}

const BLANK_LINE = Buffer.from('\n\n');

/**
 * Decodes the body of a `text/event-plain` frame.
 *
 * @param body - the frame's body bytes (exactly its outer `Content-Length`)
 * @returns the event; header values are decoded lazily
 * @throws EslProtocolError when there is no `Event-Name` or the inner `Content-Length` is invalid or
 *   longer than the bytes that follow
 */
export function parsePlainEvent(body: Buffer): EslEvent {
  const end = body.indexOf(BLANK_LINE);
  const headerBytes = end < 0 ? body : body.subarray(0, end);
  // Values are URL-encoded ASCII; latin1 keeps any stray raw byte as one char for percentDecode.
  let textEnd = headerBytes.length;
  while (textEnd > 0 && headerBytes[textEnd - 1] === 0x0a) textEnd -= 1;
  const text = headerBytes.toString('latin1', 0, textEnd);
  const rawName = scanRaw(text, 'Event-Name');
  if (rawName === undefined || rawName === '') throw new EslProtocolError('event without Event-Name');
  const rawSubclass = scanRaw(text, 'Event-Subclass');
  let eventBody: string | undefined;
  const rawLength = scanRaw(text, 'Content-Length');
  if (rawLength !== undefined) {
    if (!/^\d{1,10}$/.test(rawLength)) throw new EslProtocolError('invalid event Content-Length');
    const length = Number(rawLength);
    const start = end < 0 ? body.length : end + 2;
    if (start + length > body.length) throw new EslProtocolError('event body shorter than Content-Length');
    eventBody = body.subarray(start, start + length).toString('utf8');
  }
  return new PlainEvent(
    text,
    percentDecodeLatin1(rawName),
    rawSubclass === undefined ? undefined : percentDecodeLatin1(rawSubclass),
    eventBody,
  );
}
