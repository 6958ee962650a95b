import type { Request, Response } from 'express';
import type { Caller } from '../../clicktocall/connect-service';
import { fieldError } from '../../errors';
import { accountOf, tokenOf } from '../auth';
import type { Answer, ApiDeps, Endpoint } from '../endpoint';
import { sendPage, sendSuccess, type RequestLocals } from '../envelope';
import { listQuery, queryParam } from '../query';
import { requestLog } from '../request-context';
import {
  ACCOUNT,
  AUTHZ,
  BODY_ERRORS,
  CONFIG,
  CROSSBAR_FILTERS,
  jsonBody,
  PAGING,
  schemaRef,
  TOKEN_OR_ANONYMOUS,
} from './docs';

type Body = { data?: Record<string, unknown> } & Record<string, unknown>;

/** The first of: the JSON body's `data`, the query string, a form field (README, Connect). */
function inputOf(req: Request, name: string): unknown {
  const body = (req.body ?? {}) as Body;
  const data = body.data !== null && typeof body.data === 'object' ? body.data : undefined;
  if (data?.[name] !== undefined) return data[name];
  const query = req.query[name];
  if (query !== undefined) return restorePlus(req, name, query);
  return data === undefined ? body[name] : undefined;
}

/**
 * A `+` in a query string decodes as a blank, so `?contact=+4930…` (sent unencoded, as people type it)
 * would arrive as ` 4930…` and be dialled as a national number. The raw query says which it was.
 */
function restorePlus(req: Request, name: string, value: unknown): unknown {
  if (typeof value !== 'string' || !value.startsWith(' ')) return value;
  const raw = req.originalUrl.slice(req.originalUrl.indexOf('?') + 1);
  return new RegExp(`(?:^|&)${name}=\\+`).test(raw) ? `+${value.slice(1)}` : value;
}

/** `true`, `"true"`, `1`, `"1"` or a bare `?blocking` wait; anything else does not. */
const isBlocking = (value: unknown): boolean =>
  value === true || value === 1 || value === 'true' || value === '1' || value === '';

/**
 * A connect's own status callback: the body's `data.status_callback` object, else `status_callback` (the URL) with
 * `status_callback_events` (comma-separated) and `status_callback_method` from the query string or a form.
 */
function statusCallbackOf(req: Request): unknown {
  const body = (req.body ?? {}) as Body;
  const given = body.data?.['status_callback'];
  if (given !== undefined) return given;
  const url = inputOf(req, 'status_callback');
  if (url === undefined || url === '') return undefined;
  if (typeof url !== 'string') return url;
  const events = inputOf(req, 'status_callback_events');
  const method = inputOf(req, 'status_callback_method');
  return {
    url,
    ...(typeof events === 'string' && { events: events.split(',').map((e) => e.trim()) }),
    ...(events !== undefined && typeof events !== 'string' && { events }),
    ...(method !== undefined && { method }),
  };
}

/** The query parameters that are the service's own and never become call variables. */
const OWN_PARAMS = new Set([
  'auth_token',
  'blocking',
  'auto_answer',
  'status_callback',
  'status_callback_events',
  'status_callback_method',
]);

/**
 * As crossbar merges them: every other query parameter of a connect (`contact` included) is a call variable,
 * validated and escaped like the body's custom_application_vars; a repeated one is refused, an empty one dropped.
 */
function queryVarsOf(req: Request): Record<string, unknown> {
  const vars: Record<string, unknown> = {};
  for (const name of Object.keys(req.query)) {
    const value = queryParam(req, name);
    // An empty one is dropped: FreeSWITCH would drop `name=` silently anyway.
    if (OWN_PARAMS.has(name) || value === '') continue;
    Object.defineProperty(vars, name, {
      value: restorePlus(req, name, value),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return vars;
}

/** Kazoo's `auto_answer`: `true` or `false` (any case); absent, the service's default. */
function autoAnswerOf(req: Request): boolean | undefined {
  const value = inputOf(req, 'auto_answer');
  if (value === undefined || value === '') return undefined;
  return value === true || (typeof value === 'string' && value.toLowerCase() === 'true');
}

/** Connect: a token for the account, or none for a configuration that allows anonymous connects. */
async function connect({ connect, anonymous, meta }: ApiDeps, req: Request, res: Response): Promise<void> {
  const token = tokenOf(req);
  if (token !== undefined) (res.locals as RequestLocals).authToken = token;
  const caller: Caller = token === undefined ? { anonymous: true } : { token };
  const { account, config, revision } = await connect.authorize(
    String(req.params['account_id']),
    String(req.params['clicktocall_id']),
    caller,
  );
  if ('anonymous' in caller) anonymous.hit(req.ip ?? 'unknown');
  const body = (req.body ?? {}) as Body;
  const autoAnswer = autoAnswerOf(req);
  const result = await connect.connect(account, config, caller, {
    contact: inputOf(req, 'contact'),
    blocking: isBlocking(inputOf(req, 'blocking')),
    customApplicationVars: body.data?.['custom_application_vars'],
    queryVars: queryVarsOf(req),
    ...(autoAnswer !== undefined && { autoAnswer }),
    statusCallback: statusCallbackOf(req),
    log: requestLog(res).child({ module: 'connect' }),
  });
  // As crossbar's, the 202 carries the configuration's revision (the document the connect was made from).
  sendSuccess(res, meta, result.status, result.data, result.status === 202 ? { revision } : {});
}

const CALLBACK_PARAMS = ['StatusCallback', 'StatusCallbackEvents', 'StatusCallbackMethod'];
const CONNECT = '/v2/accounts/{account_id}/clicktocall/{clicktocall_id}/connect';
const HISTORY = '/v2/accounts/{account_id}/clicktocall/{clicktocall_id}/history';

const connectAnswers: Record<number, Answer> = {
  202: { description: 'Non-blocking: the switch accepted the originate', data: schemaRef('Originate') },
  200: {
    description: "Blocking: the call's history record once the first party answered or failed",
    data: schemaRef('HistoryRecord'),
  },
};

const connectDescription =
  'Places the call: the first party rings; when it answers, the second party rings. Without a token only a configuration with auth_required false may be used. Throttled per configuration (429 with Retry-After).';

/** Connects, call history (`…/{ID}/history`, `…/{ID}/history/{call_id}`) and the hang-up of a call. */
export const CALL_ENDPOINTS: Endpoint[] = [
  {
    method: 'GET',
    path: CONNECT,
    summary: 'Connect a contact to the configured extension',
    description: connectDescription,
    tag: 'calls',
    params: [...CONFIG, 'Contact', 'Blocking', 'AutoAnswer', ...CALLBACK_PARAMS],
    answers: connectAnswers,
    errors: [400, ...AUTHZ, 429, 503],
    security: TOKEN_OR_ANONYMOUS,
    access: 'open',
    handler: connect,
  },
  {
    method: 'POST',
    path: CONNECT,
    summary: 'Connect a contact to the configured extension',
    description: `${connectDescription} The contact comes from the body's data, else the query string, else a form field.`,
    tag: 'calls',
    params: [...CONFIG, 'Contact', 'Blocking', 'AutoAnswer', ...CALLBACK_PARAMS],
    body: {
      required: false,
      content: {
        'application/json': { schema: schemaRef('ConnectRequest') },
        'application/x-www-form-urlencoded': { schema: schemaRef('ConnectForm') },
      },
    },
    answers: connectAnswers,
    errors: [...BODY_ERRORS, ...AUTHZ, 429, 503],
    security: TOKEN_OR_ANONYMOUS,
    access: 'open',
    handler: connect,
  },
  {
    method: 'GET',
    path: HISTORY,
    summary: "A configuration's calls (newest first), filtered as Kazoo crossbar filters",
    description:
      'created_from and created_to bound the creation window (Gregorian seconds, inclusive); given both, created_to may be at most 2682000 seconds after created_from.',
    tag: 'calls',
    params: [...CONFIG, ...PAGING, ...CROSSBAR_FILTERS, 'CreatedFrom', 'CreatedTo'],
    answers: { 200: { description: 'A page', data: { type: 'array', items: schemaRef('HistoryRecord') } } },
    errors: [400, ...AUTHZ],
    access: 'account',
    async handler({ history, meta }, req, res) {
      const page = await history.list(
        accountOf(res).id,
        String(req.params['clicktocall_id']),
        listQuery(req),
      );
      sendPage(res, meta, page);
    },
  },
  {
    method: 'GET',
    path: `${HISTORY}/{call_id}`,
    summary: 'One call, for status polling',
    tag: 'calls',
    params: [...CONFIG, 'CallId'],
    answers: { 200: { description: 'The record', data: schemaRef('HistoryRecord') } },
    errors: AUTHZ,
    access: 'account',
    async handler({ history, meta }, req, res) {
      const doc = await history.get(
        accountOf(res).id,
        String(req.params['clicktocall_id']),
        String(req.params['call_id']),
      );
      sendSuccess(res, meta, 200, doc);
    },
  },
  {
    method: 'POST',
    path: '/v2/accounts/{account_id}/channels/{call_id}',
    summary: 'Hang up a click-to-call call',
    tag: 'calls',
    params: [...ACCOUNT, 'CallId'],
    body: jsonBody('HangupRequest'),
    answers: {
      202: { description: 'Hang-up sent; the record ends canceled', data: schemaRef('HistoryRecord') },
    },
    errors: [...BODY_ERRORS, ...AUTHZ, 503],
    access: 'account',
    async handler({ history, meta }, req, res) {
      const action = (req.body as { data?: { action?: unknown } } | undefined)?.data?.action;
      if (action !== 'hangup') throw fieldError('action', 'enum', 'the only action is "hangup"');
      const doc = await history.hangup(accountOf(res).id, String(req.params['call_id']));
      sendSuccess(res, meta, 202, doc);
    },
  },
];
