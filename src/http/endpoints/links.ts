import type { Request } from 'express';
import { accountOf } from '../auth';
import type { Endpoint } from '../endpoint';
import { sendPage, sendSuccess } from '../envelope';
import { pageOptions } from '../query';
import { AUTHZ, BODY_ERRORS, CONFIG, jsonBody, PAGING, schemaRef } from './docs';

const LINKS = '/v2/accounts/{account_id}/clicktocall/{clicktocall_id}/links';
const ONE = `${LINKS}/{link_id}`;

const configId = (req: Request): string => String(req.params['clicktocall_id']);

/** Where the snippet's script comes from: PUBLIC_URL, else the service's own address as the request reached it. */
const baseUrlOf = (publicUrl: string | undefined, req: Request): string =>
  publicUrl ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`;

/** A configuration's public links (docs/links.md#creating-a-link). */
export const LINK_ENDPOINTS: Endpoint[] = [
  {
    method: 'PUT',
    path: LINKS,
    summary: 'Create a public link for a website\'s "call me" button',
    description:
      'The answer holds the link token and a ready-to-paste HTML snippet, once: neither can be read again.',
    tag: 'links',
    params: CONFIG,
    body: jsonBody('LinkRequest'),
    answers: { 201: { description: 'Created', data: schemaRef('LinkCreated'), headers: ['Location'] } },
    errors: [...BODY_ERRORS, ...AUTHZ],
    access: 'account',
    async handler({ links, meta, publicUrl }, req, res) {
      const account = accountOf(res);
      const data = (req.body as { data?: unknown } | undefined)?.data;
      const created = await links.create(account.id, configId(req), data ?? {}, baseUrlOf(publicUrl, req));
      res.location(`/v2/accounts/${account.id}/clicktocall/${configId(req)}/links/${String(created['id'])}`);
      res.set('Cache-Control', 'no-store');
      sendSuccess(res, meta, 201, created);
    },
  },
  {
    method: 'GET',
    path: LINKS,
    summary: "A configuration's links (newest first)",
    tag: 'links',
    params: [...CONFIG, ...PAGING],
    answers: { 200: { description: 'A page', data: { type: 'array', items: schemaRef('Link') } } },
    errors: [400, ...AUTHZ],
    access: 'account',
    async handler({ links, meta }, req, res) {
      const options = pageOptions(req);
      const page = await links.list(accountOf(res).id, configId(req), options);
      sendPage(res, meta, { ...page, paginated: options.paginate });
    },
  },
  {
    method: 'GET',
    path: ONE,
    summary: 'One link (without its token)',
    tag: 'links',
    params: [...CONFIG, 'LinkId'],
    answers: { 200: { description: 'The link', data: schemaRef('Link') } },
    errors: AUTHZ,
    access: 'account',
    async handler({ links, meta }, req, res) {
      sendSuccess(
        res,
        meta,
        200,
        await links.get(accountOf(res).id, configId(req), String(req.params['link_id'])),
      );
    },
  },
  {
    method: 'DELETE',
    path: ONE,
    summary: 'Revoke a link: it stops working at once',
    tag: 'links',
    params: [...CONFIG, 'LinkId'],
    answers: { 200: { description: 'Revoked', data: schemaRef('Link') } },
    errors: AUTHZ,
    access: 'account',
    async handler({ links, meta }, req, res) {
      const link = await links.revoke(accountOf(res).id, configId(req), String(req.params['link_id']));
      sendSuccess(res, meta, 200, link);
    },
  },
];
