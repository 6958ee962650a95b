import * as dns from 'node:dns';
import * as http from 'node:http';
import * as https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import { isPublicAddress, refusalOf } from './address-guard';

export type SendRequest = {
  /** http: or https: only. */
  url: string;
  method: 'POST' | 'PUT';
  headers: Record<string, string>;
  /** Sent as UTF-8, with its Content-Length. */
  body: string;
};

export type SendOutcome =
  /** Any HTTP status, 3xx included: redirects are never followed. */
  | { kind: 'answered'; status: number; retryAfterMs?: number; body: string }
  /** The destination is not allowed (address guard, scheme, URL): nothing was sent. */
  | { kind: 'refused'; reason: string }
  /** Network error, TLS error or timeout: a short message, no stack. */
  | { kind: 'failed'; error: string };

/** A DNS lookup with the signature of `dns.lookup` called with `{ all: true }`. */
export type SenderLookup = (
  hostname: string,
  options: { all: true },
  cb: (err: NodeJS.ErrnoException | null, addresses: Array<{ address: string; family: number }>) => void,
) => void;

export type SenderOptions = {
  /** Whole attempt: connect + send + response headers + capped body (default 10 000 ms). */
  timeoutMs?: number;
  /** When true, loopback/private/link-local/metadata addresses are allowed (demo, tests). */
  allowPrivateNetworks: boolean;
  /** How many bytes of the response body are kept (default 1024); the rest is not read (socket destroyed). */
  maxResponseBytes?: number;
  /** DNS lookup (tests inject one); default dns.lookup. */
  lookup?: SenderLookup;
  /** Extra https options (tests: a CA for a self-signed server). */
  tls?: { ca?: string | Buffer; rejectUnauthorized?: boolean };
  /** The User-Agent header (default 'fs-clicktocall-webhooks'). */
  userAgent?: string;
};

export type Sender = {
  /** Never rejects: every end of an attempt is one of the outcomes. */
  send(req: SendRequest): Promise<SendOutcome>;
  /** Destroys the keep-alive connections (and any attempt still on them). */
  close(): void;
};

/** The code of the error the guarded lookup fails a connection with, told apart from network errors. */
const REFUSED = 'EWEBHOOKADDRESS';

/**
 * Sends one webhook attempt and reports how it ended. The address guard is applied in the lookup the connection
 * itself uses, so the address judged is the address connected to: a name that resolves to a public address when
 * checked and to 127.0.0.1 when connected (DNS rebinding) cannot get through. Literal IP hosts skip that lookup
 * in Node, so they are judged before the request. The body read is capped, so a receiver that streams without
 * end costs at most `maxResponseBytes` and one timeout.
 */
export function createSender(options: SenderOptions): Sender {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxBytes = options.maxResponseBytes ?? 1024;
  const userAgent = options.userAgent ?? 'fs-clicktocall-webhooks';
  const lookup = guardedLookup(options.lookup ?? dns.lookup, options.allowPrivateNetworks);
  const agents = {
    'http:': new http.Agent({ keepAlive: true }),
    'https:': new https.Agent({ keepAlive: true, ...options.tls }),
  };

  function send(req: SendRequest): Promise<SendOutcome> {
    if (!URL.canParse(req.url)) return Promise.resolve({ kind: 'refused', reason: 'the URL is not valid' });
    const url = new URL(req.url);
    const refusal = refusalOfUrl(url, options.allowPrivateNetworks);
    if (refusal !== undefined) return Promise.resolve({ kind: 'refused', reason: refusal });
    const body = Buffer.from(req.body, 'utf8');
    const defaults = { 'Content-Type': 'application/json', 'User-Agent': userAgent };
    const headers = { ...withDefaults(req.headers, defaults), 'Content-Length': String(body.length) };
    const scheme = url.protocol === 'https:' ? 'https:' : 'http:';
    const request = scheme === 'https:' ? https.request : http.request;

    return new Promise<SendOutcome>((resolve) => {
      let settled = false;
      let outgoing: http.ClientRequest | undefined;
      const finish = (outcome: SendOutcome): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(outcome);
      };
      const timer = setTimeout(() => {
        finish({ kind: 'failed', error: `timeout after ${timeoutMs} ms` });
        outgoing?.destroy();
      }, timeoutMs);
      try {
        outgoing = request(url, { method: req.method, headers, agent: agents[scheme], lookup });
      } catch (err) {
        // Node throws at once on a header name or value it will not send (e.g. one with a line break).
        finish({ kind: 'failed', error: messageOf(err) });
        return;
      }
      outgoing.on('error', (err: NodeJS.ErrnoException) =>
        finish(
          err.code === REFUSED
            ? { kind: 'refused', reason: err.message }
            : { kind: 'failed', error: messageOf(err) },
        ),
      );
      outgoing.on('response', (res) => {
        const answered = (text: string): void =>
          finish({ kind: 'answered', status: res.statusCode ?? 0, ...retryAfterOf(res.headers), body: text });
        readCapped(res, maxBytes, answered);
      });
      outgoing.end(body);
    });
  }

  return {
    send,
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}

/** Why a parsed URL may not be sent to, before any connection: scheme, credentials, a refused literal IP. */
function refusalOfUrl(url: URL, allowPrivateNetworks: boolean): string | undefined {
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return `the scheme ${url.protocol} is not allowed`;
  if (url.username !== '' || url.password !== '') return 'the URL carries credentials';
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (allowPrivateNetworks || isIP(host) === 0) return undefined;
  const refusal = refusalOf(host);
  return refusal === undefined ? undefined : `address ${host} is ${refusal}`;
}

/**
 * The lookup handed to the connection: every address the name resolves to must be public (the connection may
 * try any of them), else the connection fails with REFUSED and never opens.
 */
function guardedLookup(lookup: SenderLookup, allowPrivateNetworks: boolean): LookupFunction {
  return (hostname, opts, callback) =>
    lookup(hostname, { all: true }, (err, found) => {
      if (err) return callback(err, []);
      const refused = allowPrivateNetworks ? undefined : found.find((a) => !isPublicAddress(a.address));
      const first = found[0];
      if (refused !== undefined || first === undefined) return callback(lookupError(hostname, refused), []);
      if (opts.all) return callback(null, found);
      callback(null, first.address, first.family);
    });
}

/** A refused address fails with REFUSED (told apart from network errors by it); an empty answer as ENOTFOUND. */
function lookupError(hostname: string, refused?: { address: string }): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = refused
    ? new Error(`address ${refused.address} is ${refusalOf(refused.address)}`)
    : new Error(`no address found for ${hostname}`);
  error.code = refused ? REFUSED : 'ENOTFOUND';
  return error;
}

/** The response body up to `maxBytes`, decoded as UTF-8; past the cap the response is destroyed, not read. */
function readCapped(res: http.IncomingMessage, maxBytes: number, done: (body: string) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  const finish = (capped: boolean): void => {
    if (over) return;
    over = true;
    // When capped, write() keeps back the bytes of a character cut by the cap instead of decoding them to U+FFFD.
    const decoder = new StringDecoder('utf8');
    done(capped ? decoder.write(Buffer.concat(chunks)) : decoder.end(Buffer.concat(chunks)));
    if (capped) res.destroy();
  };
  if (maxBytes <= 0) return finish(true);
  res.on('data', (chunk: Buffer) => {
    chunks.push(chunk.subarray(0, maxBytes - size));
    size = Math.min(size + chunk.length, maxBytes);
    if (size >= maxBytes) finish(true);
  });
  // A body cut short by the receiver ('error' or 'close' before 'end'): the status was given, the part read is kept.
  for (const event of ['end', 'error', 'close']) res.on(event, () => finish(false));
}

/** Retry-After as milliseconds from now, in either form (delta-seconds or HTTP-date); nothing when invalid. */
function retryAfterOf(headers: http.IncomingHttpHeaders, now = Date.now()): { retryAfterMs?: number } {
  const text = headers['retry-after']?.trim();
  if (text === undefined) return {};
  if (/^\d+$/.test(text)) {
    const ms = Number(text) * 1000;
    return Number.isSafeInteger(ms) ? { retryAfterMs: ms } : {};
  }
  // IMF-fixdate, RFC 850 and asctime all start with the day's name; asctime alone omits its GMT.
  if (!/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,? /.test(text)) return {};
  const at = Date.parse(text.endsWith(' GMT') ? text : `${text} GMT`);
  return Number.isNaN(at) ? {} : { retryAfterMs: Math.max(0, at - now) };
}

/** The caller's headers (less any Content-Length), with each default whose name (in any case) they lack. */
function withDefaults(
  given: Record<string, string>,
  defaults: Record<string, string>,
): Record<string, string> {
  const names = new Set(Object.keys(given).map((name) => name.toLowerCase()));
  const kept = Object.entries(given).filter(([name]) => name.toLowerCase() !== 'content-length');
  const added = Object.entries(defaults).filter(([name]) => !names.has(name.toLowerCase()));
  return Object.fromEntries([...kept, ...added]);
}

/**
 * One short line, no stack: an OpenSSL error string (`…:error:0A00010B:SSL routines:func:reason:file:line:`)
 * is cut to its reason.
 */
function messageOf(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return messageOf(err.errors[0]);
  const text =
    err instanceof Error ? err.message || ((err as NodeJS.ErrnoException).code ?? err.name) : String(err);
  return text.replace(/\S+:error:[0-9A-F]+:[^:]*:[^:]*:([^:]+):[\s\S]*$/, '$1').trim();
}
