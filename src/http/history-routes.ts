import { Router, type Request } from 'express';
import type { AccountService } from '../accounts/account-service';
import type { HistoryService } from '../clicktocall/history-service';
import { fieldError } from '../errors';
import { accountOf, requireAccount } from './auth';
import { sendSuccess, type EnvelopeMeta } from './envelope';
import { pageOptions, queryParam } from './query';

export type HistoryRouteDeps = { accounts: AccountService; history: HistoryService; meta: EnvelopeMeta };

/** `created_from` / `created_to`: whole Gregorian seconds. */
function gregorian(req: Request, name: string): number | undefined {
  const value = queryParam(req, name);
  if (value === undefined) return undefined;
  if (!/^\d{1,12}$/.test(value)) throw fieldError(name, 'type', 'must be Gregorian seconds (an integer)');
  return Number(value);
}

/** Call history (`…/{ID}/history`, `…/{ID}/history/{call_id}`) and the hangup of a call (`…/channels/{call_id}`). */
export function historyRoutes({ accounts, history, meta }: HistoryRouteDeps): Router {
  const router = Router();
  const auth = requireAccount(accounts);
  const base = '/v2/accounts/:accountId/clicktocall/:id/history';

  router.get(base, auth, (req, res) => {
    const createdFrom = gregorian(req, 'created_from');
    const createdTo = gregorian(req, 'created_to');
    const page = history.list(accountOf(res).id, String(req.params['id']), {
      ...pageOptions(req),
      ...(createdFrom !== undefined && { createdFrom }),
      ...(createdTo !== undefined && { createdTo }),
    });
    sendSuccess(res, meta, 200, page.items, {
      page_size: page.items.length,
      start_key: page.startKey,
      next_start_key: page.nextStartKey,
    });
  });

  router.get(`${base}/:callId`, auth, (req, res) => {
    const doc = history.get(accountOf(res).id, String(req.params['id']), String(req.params['callId']));
    sendSuccess(res, meta, 200, doc);
  });

  router.post('/v2/accounts/:accountId/channels/:callId', auth, async (req, res) => {
    const action = (req.body as { data?: { action?: unknown } } | undefined)?.data?.action;
    if (action !== 'hangup') throw fieldError('action', 'enum', 'the only action is "hangup"');
    const doc = await history.hangup(accountOf(res).id, String(req.params['callId']));
    sendSuccess(res, meta, 202, doc);
  });

  return router;
}
