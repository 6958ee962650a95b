/**
 * ESL framing: bytes → frames. No sockets in here.
 *
 * A frame is a block of `Name: value` header lines ended by a blank line (`\n\n`), followed by exactly
 * `Content-Length` bytes of body when that header is present. `Content-Length` counts BYTES, not
 * characters (bodies may hold multi-byte UTF-8, e.g. an `api/response` of `uuid_getvar`).
 *
 * Outer headers are NOT URL-encoded by FreeSWITCH (`Reply-Text: +OK filter added. [x]=[/^c2c-/]`), so they
 * are kept verbatim. Only `text/event-plain` bodies carry URL-encoded values; see `event.ts`.
 *
 * Why not modesl's Parser: it runs `decodeURIComponent` on every header (an invalid `%` sequence throws
 * inside the socket's data handler and kills the process), accepts frames without `Content-Type`, and
 * buffers without limit on an absurd `Content-Length`. This parser instead fails closed: any violation
 * throws {@link EslProtocolError}, the parser refuses further input, and the owner resets the link.
 */
import { EslProtocolError } from './errors';

/** One ESL message as received. */
export type EslFrame = {
  /** Outer headers, in wire order, values verbatim (not URL-decoded). */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** The `Content-Type` header (always present; frames without one are protocol violations). */
  readonly contentType: string;
  /** Exactly `Content-Length` bytes, when the frame has a `Content-Length` header. */
  readonly body?: Buffer;
};

/**
 * Limits that turn absurd input into a protocol violation instead of unbounded buffering. They are enforced on the
 * announcement: a `Content-Length` over the limit fails as soon as its header line is complete (before the blank
 * line, before any body byte), a header block over the limit as soon as that many bytes are buffered without a
 * blank line, or when it arrives whole in one read.
 *
 * The defaults are far above real traffic. The largest frame in the recordings of FreeSWITCH 1.10.12 (19,032
 * frames, `event plain ALL`) is a 12,896-byte event; the largest outer header block is 231 bytes. `Content-Length`
 * allows 8 MiB for `api` answers that grow with the switch (`show channels` of a busy switch, `xml_locate` of a
 * large dialplan context); header blocks 64 KiB.
 */
export type ParserLimits = {
  /** Largest accepted `Content-Length`, in bytes (default 8 MiB). */
  maxContentLength: number;
  /** Largest header block, in bytes (default 64 KiB). */
  maxHeaderBytes: number;
};

/** Default {@link ParserLimits}. */
export const DEFAULT_PARSER_LIMITS: Readonly<ParserLimits> = Object.freeze({
  maxContentLength: 8 * 1024 * 1024,
  maxHeaderBytes: 64 * 1024,
});

const LF = 0x0a;
const HEADER_NAME = /^[A-Za-z0-9_.-]+$/;

/**
 * Case-insensitive lookup of an outer header of a frame (first occurrence wins).
 *
 * @param frame - a parsed frame
 * @param name - header name, any case
 */
export function frameHeader(frame: EslFrame, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of frame.headers) {
    if (k.toLowerCase() === lower) return v;
  }
  return undefined;
}

/**
 * Incremental ESL frame parser. Feed it chunks with {@link EslParser.push}; it returns every frame
 * completed by that chunk. After the first violation it is dead: every later `push` throws again.
 */
export class EslParser {
  private buf: Buffer = Buffer.alloc(0);
  /** Offset in `buf` from which to resume the search for the blank line. */
  private scanFrom = 0;
  /** Headers of a frame whose body is still incomplete. */
  private pending: { headers: Array<[string, string]>; contentType: string; length: number } | undefined;
  private failed: EslProtocolError | undefined;
  private readonly limits: ParserLimits;

  /** @param limits - optional overrides of {@link DEFAULT_PARSER_LIMITS} */
  constructor(limits: Partial<ParserLimits> = {}) {
    this.limits = { ...DEFAULT_PARSER_LIMITS, ...limits };
  }

  /** Bytes received but not yet part of a complete frame. */
  get bufferedBytes(): number {
    return this.buf.length;
  }

  /**
   * Adds received bytes.
   *
   * @param chunk - bytes as read from the socket
   * @returns the frames completed by this chunk, in order
   * @throws EslProtocolError on any violation (and on every call after one)
   */
  push(chunk: Buffer): EslFrame[] {
    if (this.failed) throw this.failed;
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const frames: EslFrame[] = [];
    try {
      for (;;) {
        const frame = this.next();
        if (!frame) break;
        frames.push(frame);
      }
    } catch (err) {
      this.failed = err instanceof EslProtocolError ? err : new EslProtocolError(String(err));
      this.buf = Buffer.alloc(0);
      throw this.failed;
    }
    return frames;
  }

  private next(): EslFrame | undefined {
    if (!this.pending) {
      const end = this.findBlankLine();
      if ((end < 0 ? this.blockSoFar() : end) > this.limits.maxHeaderBytes) {
        throw new EslProtocolError(`header block longer than ${this.limits.maxHeaderBytes} bytes`);
      }
      if (end < 0) {
        this.checkAnnouncedLength();
        return undefined;
      }
      const headers = parseHeaderBlock(this.buf.subarray(0, end));
      this.buf = this.buf.subarray(end + 2);
      this.scanFrom = 0;
      const contentType = headers.find(([k]) => k.toLowerCase() === 'content-type')?.[1];
      if (contentType === undefined || contentType === '') {
        throw new EslProtocolError('frame without Content-Type');
      }
      const lengthText = headers.find(([k]) => k.toLowerCase() === 'content-length')?.[1];
      if (lengthText === undefined) return { headers, contentType };
      this.pending = { headers, contentType, length: this.contentLength(lengthText) };
    }
    const { headers, contentType, length } = this.pending;
    if (this.buf.length < length) return undefined;
    // Copy the body out so that a retained frame does not pin the whole receive buffer.
    const body = Buffer.from(this.buf.subarray(0, length));
    this.buf = this.buf.subarray(length);
    this.pending = undefined;
    return { headers, contentType, body };
  }

  /**
   * The length of a header block still arriving: what is buffered, less a last `\n` that may be the first half of
   * its blank line (so a block exactly at the limit is judged the same whole or split).
   */
  private blockSoFar(): number {
    return this.buf.length - (this.buf[this.buf.length - 1] === LF ? 1 : 0);
  }

  /** A `Content-Length` value, checked against the limit. */
  private contentLength(text: string): number {
    if (!/^\d{1,10}$/.test(text)) throw new EslProtocolError('invalid Content-Length');
    const length = Number(text);
    if (length > this.limits.maxContentLength) {
      throw new EslProtocolError(`Content-Length ${length} exceeds ${this.limits.maxContentLength}`);
    }
    return length;
  }

  /** A `Content-Length` line already complete in a header block still arriving is checked at once. */
  private checkAnnouncedLength(): void {
    const lastLf = this.buf.lastIndexOf(LF);
    if (lastLf < 0) return;
    const m = /(?:^|\n)content-length: ?([^\n]*)\n/i.exec(this.buf.toString('latin1', 0, lastLf + 1));
    if (m) this.contentLength(m[1] ?? '');
  }

  /** Index of the first `\n` of the first `\n\n` in `buf`, or -1. */
  private findBlankLine(): number {
    let from = this.scanFrom;
    for (;;) {
      const i = this.buf.indexOf(LF, from);
      if (i < 0 || i + 1 >= this.buf.length) {
        // Resume at the last LF seen (it may be the first half of "\n\n").
        this.scanFrom = i < 0 ? Math.max(0, this.buf.length - 1) : i;
        return -1;
      }
      if (this.buf[i + 1] === LF) return i;
      from = i + 1;
    }
  }
}

function parseHeaderBlock(block: Buffer): Array<[string, string]> {
  if (block.length === 0) throw new EslProtocolError('empty header block');
  const text = block.toString('utf8');
  const headers: Array<[string, string]> = [];
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new EslProtocolError('malformed header line');
    const name = line.slice(0, colon);
    if (!HEADER_NAME.test(name)) throw new EslProtocolError('malformed header name');
    let value = line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    headers.push([name, value]);
  }
  return headers;
}
