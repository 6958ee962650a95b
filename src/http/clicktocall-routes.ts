import { Router, type Request } from 'express';
import type { AccountService } from '../accounts/account-service';
import type { ClickToCallService, ListOptions } from '../clicktocall/clicktocall-service';
import { fieldError } from '../errors';
import { accountOf, requireAccount } from './auth';
import { sendSuccess, type EnvelopeMeta } from './envelope';
import { pageOptions, queryParam } from './query';

export type ClickToCallRouteDeps = {
  accounts: AccountService;
  clicktocall: ClickToCallService;
  meta: EnvelopeMeta;
};

/** A request's `data`; a body without one counts as an empty document. */
const dataOf = (req: Request): unknown => {
  const body = req.body as unknown;
  if (body === undefined) return {};
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw fieldError('data', 'type', 'the body must be an object with a "data" member');
  return (body as { data?: unknown }).data ?? {};
};

function listOptions(req: Request): ListOptions {
  const filters: Array<[string, string]> = [];
  for (const key of Object.keys(req.query))
    if (key.startsWith('filter_')) filters.push([key.slice(7), queryParam(req, key) ?? '']);
  return { ...pageOptions(req), filters };
}

/** The click-to-call configuration API (PRODUCT §4). */
export function clickToCallRoutes({ accounts, clicktocall, meta }: ClickToCallRouteDeps): Router {
  const router = Router();
  const base = '/v2/accounts/:accountId/clicktocall';
  const auth = requireAccount(accounts);

  router.get(base, auth, (req, res) => {
    const page = clicktocall.list(accountOf(res).id, listOptions(req));
    sendSuccess(res, meta, 200, page.items, {
      page_size: page.items.length,
      start_key: page.startKey,
      next_start_key: page.nextStartKey,
    });
  });

  router.put(base, auth, (req, res) => {
    const account = accountOf(res);
    const { doc, revision } = clicktocall.create(account.id, dataOf(req));
    res.location(`/v2/accounts/${account.id}/clicktocall/${doc.id}`);
    sendSuccess(res, meta, 201, doc, { revision });
  });

  router.get(`${base}/:id`, auth, (req, res) => {
    const { doc, revision } = clicktocall.get(accountOf(res).id, String(req.params['id']));
    sendSuccess(res, meta, 200, doc, { revision });
  });

  router.post(`${base}/:id`, auth, (req, res) => {
    const id = String(req.params['id']);
    const { doc, revision } = clicktocall.replace(accountOf(res).id, id, dataOf(req), req.get('if-match'));
    sendSuccess(res, meta, 200, doc, { revision });
  });

  router.patch(`${base}/:id`, auth, (req, res) => {
    const id = String(req.params['id']);
    const { doc, revision } = clicktocall.patch(accountOf(res).id, id, dataOf(req), req.get('if-match'));
    sendSuccess(res, meta, 200, doc, { revision });
  });

  router.delete(`${base}/:id`, auth, (req, res) => {
    const id = String(req.params['id']);
    const { doc, revision } = clicktocall.remove(accountOf(res).id, id, req.get('if-match'));
    sendSuccess(res, meta, 200, doc, { revision });
  });

  return router;
}
