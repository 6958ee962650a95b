import { accountOf } from '../auth';
import type { Endpoint } from '../endpoint';
import { sendPage, sendSuccess } from '../envelope';
import { pageOptions, queryParam } from '../query';
import { ACCOUNT, AUTHZ, BODY_ERRORS, jsonBody, PAGING, schemaRef } from './docs';

const SECRET = '/v2/accounts/{account_id}/webhook_secret';
const DELIVERIES = '/v2/accounts/{account_id}/webhook_deliveries';
const ONE = `${DELIVERIES}/{event_id}`;

/** The account's webhook signing secret and its deliveries (docs/webhooks.md#api). */
export const WEBHOOK_ENDPOINTS: Endpoint[] = [
  {
    method: 'GET',
    path: SECRET,
    summary: "The account's webhook signing secret (created on first use)",
    tag: 'webhooks',
    params: ACCOUNT,
    answers: { 200: { description: 'The secret', data: schemaRef('WebhookSecret') } },
    errors: AUTHZ,
    access: 'account',
    async handler({ webhooks, meta }, _req, res) {
      const secret = await webhooks.secret(accountOf(res).id);
      res.set('Cache-Control', 'no-store');
      sendSuccess(res, meta, 200, secret);
    },
  },
  {
    method: 'POST',
    path: `${SECRET}/rotate`,
    summary: 'A new signing secret; the previous one keeps signing for window_s seconds (default 86400)',
    tag: 'webhooks',
    params: ACCOUNT,
    body: jsonBody('WebhookRotateRequest', false),
    answers: { 200: { description: 'The new secret', data: schemaRef('WebhookSecret') } },
    errors: [...BODY_ERRORS, ...AUTHZ],
    access: 'account',
    async handler({ webhooks, meta }, req, res) {
      const data = (req.body as { data?: { window_s?: unknown } } | undefined)?.data;
      const secret = await webhooks.rotate(accountOf(res).id, data?.window_s);
      res.set('Cache-Control', 'no-store');
      sendSuccess(res, meta, 200, secret);
    },
  },
  {
    method: 'GET',
    path: DELIVERIES,
    summary: "The account's webhook events and how their delivery went (newest first)",
    tag: 'webhooks',
    params: [...ACCOUNT, ...PAGING, 'DeliveryCallId', 'DeliveryState'],
    answers: {
      200: { description: 'A page', data: { type: 'array', items: schemaRef('WebhookDelivery') } },
    },
    errors: [400, ...AUTHZ],
    access: 'account',
    async handler({ webhooks, meta }, req, res) {
      const callId = queryParam(req, 'call_id');
      const state = queryParam(req, 'state');
      const options = pageOptions(req);
      const page = await webhooks.list(
        accountOf(res).id,
        { ...(callId !== undefined && { callId }), ...(state !== undefined && { state }) },
        options,
      );
      sendPage(res, meta, { ...page, paginated: options.paginate });
    },
  },
  {
    method: 'GET',
    path: ONE,
    summary: 'One webhook event: its delivery and the payload a receiver gets',
    tag: 'webhooks',
    params: [...ACCOUNT, 'EventId'],
    answers: { 200: { description: 'The delivery', data: schemaRef('WebhookDelivery') } },
    errors: AUTHZ,
    access: 'account',
    async handler({ webhooks, meta }, req, res) {
      sendSuccess(res, meta, 200, await webhooks.get(accountOf(res).id, String(req.params['event_id'])));
    },
  },
  {
    method: 'POST',
    path: `${ONE}/redeliver`,
    summary: 'Send the event again (same webhook-id), from the start of the retry schedule',
    tag: 'webhooks',
    params: [...ACCOUNT, 'EventId'],
    answers: { 202: { description: 'Pending again', data: schemaRef('WebhookDelivery') } },
    errors: AUTHZ,
    access: 'account',
    async handler({ webhooks, meta }, req, res) {
      const delivery = await webhooks.redeliver(accountOf(res).id, String(req.params['event_id']));
      sendSuccess(res, meta, 202, delivery);
    },
  },
];
