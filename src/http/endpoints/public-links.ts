/**
 * The public side of links (docs/links.md#connecting-through-a-link): no Kazoo token, the link token in the path is
 * the credential. Browsers may call these only from the link's own origins (CORS answered per link); whether a
 * page may use a link is public, so any origin may ask that.
 */
import type { Request, Response } from 'express';
import type { LinkService, PublicCallStatus } from '../../links/link-service';
import type { ApiDeps, Endpoint } from '../endpoint';
import { sendSuccess } from '../envelope';
import { requestLog } from '../request-context';
import { NO_AUTH, schemaRef } from './docs';

const LINK = '/v2/links/{link_token}';
const CONNECT = `${LINK}/connect`;
const CALL = `${LINK}/calls/{status_token}`;
const EVENTS = `${CALL}/events`;

/** A stream is closed after this long whatever the call does (a call lasts far less). */
const STREAM_MAX_MS = 2 * 3600 * 1000;
const PING_MS = 15_000;

const tokenOf = (req: Request): string => String(req.params['link_token']);
const statusTokenOf = (req: Request): string => String(req.params['status_token']);
const originOf = (req: Request): string | undefined => req.get('origin');

/** CORS for a link's endpoints: the request's origin is answered when the link allows it, else nothing is. */
async function linkCors(links: LinkService, req: Request, res: Response): Promise<boolean> {
  const origin = originOf(req);
  res.vary('Origin');
  if (origin === undefined || !(await links.originsOf(tokenOf(req))).includes(origin)) return false;
  res.set({
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Expose-Headers': 'X-Request-ID, Retry-After',
  });
  return true;
}

/** The pre-flight of a link's endpoints: allowed for the link's origins only. */
export async function linkPreflight({ links }: ApiDeps, req: Request, res: Response): Promise<void> {
  if (await linkCors(links, req, res))
    res.set({
      'Access-Control-Allow-Methods': 'GET, POST',
      'Access-Control-Allow-Headers': 'Content-Type, X-Request-ID',
      'Access-Control-Max-Age': '600',
    });
  res.status(204).end();
}

/** The contact of a public connect: `{"data": {"contact"}}` or `{"contact"}`. */
function contactOf(req: Request): unknown {
  const body = (req.body ?? {}) as { data?: { contact?: unknown }; contact?: unknown };
  return body.data?.contact ?? body.contact;
}

/** Server-Sent Events of one call: its status now, then at each change, until it is final. */
async function streamStatus({ links }: ApiDeps, req: Request, res: Response): Promise<void> {
  await linkCors(links, req, res);
  let finished = false;
  const stops: Array<() => void> = [];
  const timers: NodeJS.Timeout[] = [];
  const finish = (): void => {
    if (finished) return;
    finished = true;
    for (const t of timers) clearTimeout(t);
    for (const stop of stops) stop();
    res.end();
  };
  const send = (status: PublicCallStatus): void => {
    if (finished) return;
    if (!res.headersSent) {
      res.status(200).set({
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-store',
        'X-Accel-Buffering': 'no',
      });
      res.flushHeaders();
    }
    res.write(`event: status\ndata: ${JSON.stringify(status)}\n\n`);
    if (status.final) finish();
  };
  // Registered first: a visitor who leaves, even while the call is being looked up, leaves nothing behind (the
  // answer's close is the connection's; the request's comes once its body was read).
  res.on('close', finish);
  const stop = await links.watch(tokenOf(req), statusTokenOf(req), originOf(req), send);
  if (finished) {
    stop();
    return;
  }
  stops.push(stop);
  const ping = setInterval(() => res.write(': ping\n\n'), PING_MS);
  timers.push(ping, setTimeout(finish, STREAM_MAX_MS));
}

export const PUBLIC_LINK_ENDPOINTS: Endpoint[] = [
  {
    method: 'GET',
    path: LINK,
    summary: 'Whether a link works, and whether the asking page (its Origin) may use it',
    tag: 'links',
    params: ['LinkToken'],
    answers: { 200: { description: 'The link, as a page may know it', data: schemaRef('PublicLink') } },
    errors: [401, 410],
    security: NO_AUTH,
    access: 'open',
    cors: 'link',
    async handler({ links, meta }, req, res) {
      res.set('Access-Control-Allow-Origin', '*');
      sendSuccess(res, meta, 200, await links.describe(tokenOf(req), originOf(req)));
    },
  },
  {
    method: 'POST',
    path: CONNECT,
    summary: 'Connect a visitor through a link',
    description:
      "From a page of one of the link's origins. The configuration's whitelist and throttle apply, with the link's own contact rule and call limit and the per-address limit of anonymous connects.",
    tag: 'links',
    params: ['LinkToken'],
    body: {
      required: false,
      content: { 'application/json': { schema: schemaRef('LinkConnectRequest') } },
    },
    answers: { 202: { description: 'Placed', data: schemaRef('LinkConnected') } },
    errors: [400, 401, 403, 410, 413, 415, 429, 503],
    security: NO_AUTH,
    access: 'open',
    cors: 'link',
    async handler({ links, anonymous, meta }, req, res) {
      await linkCors(links, req, res);
      anonymous.hit(req.ip ?? 'unknown');
      const log = requestLog(res).child({ module: 'links' });
      sendSuccess(res, meta, 202, await links.connect(tokenOf(req), originOf(req), contactOf(req), log));
    },
  },
  {
    method: 'GET',
    path: CALL,
    summary: 'The status of the call a status token names (polling)',
    tag: 'links',
    params: ['LinkToken', 'StatusToken'],
    answers: { 200: { description: 'The status', data: schemaRef('PublicCallStatus') } },
    errors: [401, 403],
    security: NO_AUTH,
    access: 'open',
    cors: 'link',
    async handler({ links, meta }, req, res) {
      await linkCors(links, req, res);
      sendSuccess(res, meta, 200, await links.status(tokenOf(req), statusTokenOf(req), originOf(req)));
    },
  },
  {
    method: 'GET',
    path: EVENTS,
    summary: 'The status of the call as Server-Sent Events (`status` events) until it is final',
    tag: 'links',
    params: ['LinkToken', 'StatusToken'],
    answers: {
      200: {
        description: 'An event stream: `event: status` with a PublicCallStatus as data, at each change',
        raw: { 'text/event-stream': { schema: { type: 'string' } } },
      },
    },
    errors: [401, 403],
    security: NO_AUTH,
    access: 'open',
    cors: 'link',
    handler: streamStatus,
  },
];
