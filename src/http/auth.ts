import type { RequestHandler, Request, Response } from 'express';
import type { AccountService } from '../accounts/account-service';
import type { Account } from '../domain';
import { invalidCredentials } from '../errors';
import type { RequestLocals } from './envelope';

/** The token a request carries: `X-Auth-Token`, else `Authorization: Bearer …`. */
export function tokenOf(req: Request): string | undefined {
  const header = req.get('x-auth-token');
  if (header !== undefined) return header.trim() || undefined;
  const auth = req.get('authorization');
  const m = auth === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(auth);
  return m?.[1];
}

/** The account the route's `:accountId` names, once the request is authorized for it. */
export const accountOf = (res: Response): Account => res.locals['account'] as Account;

/**
 * Requires a valid token whose account is the route's account or one above it in the reseller tree:
 * 401 without a valid token, 404 for an unknown account, 403 for an account outside the tree.
 */
export function requireAccount(accounts: AccountService): RequestHandler {
  return async (req, res, next) => {
    const token = tokenOf(req);
    if (token === undefined) throw invalidCredentials();
    (res.locals as RequestLocals).authToken = token;
    const tokenAccountId = await accounts.authenticate(token);
    res.locals['account'] = await accounts.authorize(tokenAccountId, String(req.params['account_id']));
    next();
  };
}
