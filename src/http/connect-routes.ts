import { Router, type Request } from 'express';
import type { Caller, ConnectService } from '../clicktocall/connect-service';
import type { AnonymousLimit } from './anonymous-limit';
import { tokenOf } from './auth';
import { sendSuccess, type EnvelopeMeta, type RequestLocals } from './envelope';
import { requestLog } from './request-context';

type Body = { data?: Record<string, unknown> } & Record<string, unknown>;

/** The first of: the JSON body's `data`, the query string, a form field (PRODUCT §5). */
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

/** `GET|POST /v2/accounts/{A}/clicktocall/{ID}/connect`. */
export function connectRoutes(
  connect: ConnectService,
  meta: EnvelopeMeta,
  anonymous: AnonymousLimit,
): Router {
  const router = Router();
  const handler = async (req: Request, res: Parameters<Parameters<Router['get']>[1]>[1]): Promise<void> => {
    const token = tokenOf(req);
    if (token !== undefined) (res.locals as RequestLocals).authToken = token;
    const caller: Caller = token === undefined ? { anonymous: true } : { token };
    const { account, config } = connect.authorize(
      String(req.params['accountId']),
      String(req.params['id']),
      caller,
    );
    if ('anonymous' in caller) anonymous.hit(req.ip ?? 'unknown');
    const body = (req.body ?? {}) as Body;
    const result = await connect.connect(account, config, caller, {
      contact: inputOf(req, 'contact'),
      blocking: isBlocking(inputOf(req, 'blocking')),
      customApplicationVars: body.data?.['custom_application_vars'],
      log: requestLog(res).child({ module: 'connect' }),
    });
    sendSuccess(res, meta, result.status, result.data);
  };
  router.get('/v2/accounts/:accountId/clicktocall/:id/connect', handler);
  router.post('/v2/accounts/:accountId/clicktocall/:id/connect', handler);
  return router;
}
