import type { Request } from 'express';
import { fieldError } from '../../errors';
import { accountOf } from '../auth';
import type { Endpoint } from '../endpoint';
import { sendPage, sendSuccess } from '../envelope';
import { listQuery } from '../query';
import { ACCOUNT, AUTHZ, BODY_ERRORS, CONFIG, CROSSBAR_FILTERS, jsonBody, PAGING, schemaRef } from './docs';

/** A request's `data`; a body without one counts as an empty document. */
const dataOf = (req: Request): unknown => {
  const body = req.body as unknown;
  if (body === undefined) return {};
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw fieldError('data', 'type', 'the body must be an object with a "data" member');
  return (body as { data?: unknown }).data ?? {};
};

const configId = (req: Request): string => String(req.params['clicktocall_id']);

const COLLECTION = '/v2/accounts/{account_id}/clicktocall';
const ONE = '/v2/accounts/{account_id}/clicktocall/{clicktocall_id}';

/** The click-to-call configuration API (README, Configuration fields). */
export const CLICKTOCALL_ENDPOINTS: Endpoint[] = [
  {
    method: 'GET',
    path: COLLECTION,
    summary: 'List click-to-call configurations (newest first), filtered as Kazoo crossbar filters',
    tag: 'clicktocall',
    params: [...ACCOUNT, ...PAGING, ...CROSSBAR_FILTERS, 'CreatedFrom', 'CreatedTo'],
    answers: {
      200: { description: 'A page', data: { type: 'array', items: schemaRef('ClickToCallSummary') } },
    },
    errors: [400, ...AUTHZ],
    access: 'account',
    async handler({ clicktocall, meta }, req, res) {
      const page = await clicktocall.list(accountOf(res).id, listQuery(req));
      sendPage(res, meta, page);
    },
  },
  {
    method: 'PUT',
    path: COLLECTION,
    summary: 'Create a click-to-call configuration',
    tag: 'clicktocall',
    params: ACCOUNT,
    body: jsonBody('ClickToCallRequest'),
    answers: {
      201: { description: 'Created', data: schemaRef('ClickToCall'), headers: ['Location', 'ETag'] },
    },
    errors: [...BODY_ERRORS, ...AUTHZ],
    access: 'account',
    async handler({ clicktocall, meta }, req, res) {
      const account = accountOf(res);
      const { doc, revision } = await clicktocall.create(account.id, dataOf(req));
      res.location(`/v2/accounts/${account.id}/clicktocall/${doc.id}`);
      sendSuccess(res, meta, 201, doc, { revision });
    },
  },
  {
    method: 'GET',
    path: ONE,
    summary: 'Fetch a click-to-call configuration',
    tag: 'clicktocall',
    params: CONFIG,
    answers: { 200: { description: 'The configuration', data: schemaRef('ClickToCall'), headers: ['ETag'] } },
    errors: AUTHZ,
    access: 'account',
    async handler({ clicktocall, meta }, req, res) {
      const { doc, revision } = await clicktocall.get(accountOf(res).id, configId(req));
      sendSuccess(res, meta, 200, doc, { revision });
    },
  },
  {
    method: 'POST',
    path: ONE,
    summary: 'Replace a click-to-call configuration',
    tag: 'clicktocall',
    params: [...CONFIG, 'IfMatch'],
    body: jsonBody('ClickToCallRequest'),
    answers: { 200: { description: 'The new version', data: schemaRef('ClickToCall'), headers: ['ETag'] } },
    errors: [...BODY_ERRORS, ...AUTHZ, 412],
    access: 'account',
    async handler({ clicktocall, meta }, req, res) {
      const ifMatch = req.get('if-match');
      const { doc, revision } = await clicktocall.replace(
        accountOf(res).id,
        configId(req),
        dataOf(req),
        ifMatch,
      );
      sendSuccess(res, meta, 200, doc, { revision });
    },
  },
  {
    method: 'PATCH',
    path: ONE,
    summary: 'Patch a click-to-call configuration (deep merge)',
    tag: 'clicktocall',
    params: [...CONFIG, 'IfMatch'],
    body: jsonBody('ClickToCallPatchRequest'),
    answers: { 200: { description: 'The new version', data: schemaRef('ClickToCall'), headers: ['ETag'] } },
    errors: [...BODY_ERRORS, ...AUTHZ, 412],
    access: 'account',
    async handler({ clicktocall, meta }, req, res) {
      const ifMatch = req.get('if-match');
      const { doc, revision } = await clicktocall.patch(
        accountOf(res).id,
        configId(req),
        dataOf(req),
        ifMatch,
      );
      sendSuccess(res, meta, 200, doc, { revision });
    },
  },
  {
    method: 'DELETE',
    path: ONE,
    summary: 'Delete a click-to-call configuration (its history stays)',
    tag: 'clicktocall',
    params: [...CONFIG, 'IfMatch'],
    answers: {
      200: { description: 'The deleted document, _read_only.deleted true', data: schemaRef('ClickToCall') },
    },
    errors: [...AUTHZ, 412],
    access: 'account',
    async handler({ clicktocall, meta }, req, res) {
      const { doc, revision } = await clicktocall.remove(
        accountOf(res).id,
        configId(req),
        req.get('if-match'),
      );
      sendSuccess(res, meta, 200, doc, { revision });
    },
  },
];
