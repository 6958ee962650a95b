import crypto from 'node:crypto';
import type { Response } from 'express';

/** What every envelope carries besides data: set once per app (node, version) and per request. */
export type EnvelopeMeta = { node: string; version: string };

export type RequestLocals = {
  requestId: string;
  /** The token the request carried, echoed as `auth_token` (Kazoo); absent when none. */
  authToken?: string;
};

export type SuccessExtras = {
  revision?: string;
  page_size?: number;
  start_key?: string;
  next_start_key?: string;
};

const locals = (res: Response): RequestLocals => res.locals as RequestLocals;

function base(res: Response, meta: EnvelopeMeta): Record<string, unknown> {
  const { requestId, authToken } = locals(res);
  return {
    ...(authToken === undefined ? {} : { auth_token: authToken }),
    node: meta.node,
    request_id: requestId,
    timestamp: new Date().toISOString(),
    version: meta.version,
  };
}

/** Kazoo's success envelope. */
export function sendSuccess(
  res: Response,
  meta: EnvelopeMeta,
  status: number,
  data: unknown,
  extras: SuccessExtras = {},
): void {
  const body: Record<string, unknown> = { ...base(res, meta), data, status: 'success' };
  for (const [key, value] of Object.entries(extras)) if (value !== undefined) body[key] = value;
  if (extras.revision !== undefined) res.setHeader('ETag', `"${extras.revision}"`);
  res.status(status).json(sortKeys(body));
}

/**
 * A page of a list, as Kazoo answers one: the items, their count, and the keys of this page and the next. A list
 * read whole (`paginated: false`, from paginate=false) has no page: neither page_size nor next_start_key.
 */
export function sendPage(
  res: Response,
  meta: EnvelopeMeta,
  page: {
    items: unknown[];
    startKey?: string | undefined;
    nextStartKey?: string | undefined;
    paginated?: boolean;
  },
): void {
  const paged = page.paginated !== false;
  sendSuccess(res, meta, 200, page.items, {
    // As crossbar's lists: a revision of the page itself (its items' digest), so a client can tell a changed page.
    revision: crypto.createHash('md5').update(JSON.stringify(page.items)).digest('hex'),
    page_size: paged ? page.items.length : undefined,
    start_key: page.startKey,
    next_start_key: paged ? page.nextStartKey : undefined,
  });
}

/** Kazoo's error envelope: `error` is the HTTP code as a string, `message` the catalogue's message. */
export function sendError(
  res: Response,
  meta: EnvelopeMeta,
  status: number,
  message: string,
  data: unknown,
): void {
  const body = { ...base(res, meta), data: data ?? {}, error: String(status), message, status: 'error' };
  res.status(status).json(sortKeys(body));
}

/** Kazoo answers with its keys in alphabetical order; so do we, so a diff against Kazoo reads cleanly. */
function sortKeys(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).sort(([a], [b]) => a.localeCompare(b)));
}
