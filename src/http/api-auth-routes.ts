import { Router } from 'express';
import type { AccountService } from '../accounts/account-service';
import { sendSuccess, type EnvelopeMeta, type RequestLocals } from './envelope';

/** `PUT /v2/api_auth`: Kazoo's exchange of an API key for a token. */
export function apiAuthRoutes(accounts: AccountService, meta: EnvelopeMeta): Router {
  const router = Router();
  router.put('/v2/api_auth', (req, res) => {
    const data = (req.body as { data?: { api_key?: unknown } } | undefined)?.data;
    const { token, accountId, expiresAt } = accounts.issueToken(data?.api_key);
    (res.locals as RequestLocals).authToken = token;
    sendSuccess(res, meta, 201, { account_id: accountId, expires_at: expiresAt.toISOString() });
  });
  return router;
}
