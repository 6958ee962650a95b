import type { RequestHandler, Request, Response } from 'express';
import type { AccountService } from '../accounts/account-service';
import type { Account } from '../domain';
import { invalidCredentials } from '../errors';
import type { RequestLocals } from './envelope';

/**
 * The token a request carries, where crossbar looks for it and in its order: the `X-Auth-Token` header, else an
 * `auth_token` query parameter or top-level body field (a form's hidden field, a link copied from a browser), else
 * `Authorization: Bearer …`. An empty value counts as none; an `auth_token` that is not one string (a repeated
 * parameter, a JSON number or object) is refused as a bad credential rather than ignored, so it can never turn a
 * request into an anonymous one. A token from the URL is never logged: request logs carry the path only, and the
 * logger redacts `auth_token` keys.
 */
export function tokenOf(req: Request): string | undefined {
  const header = req.get('x-auth-token');
  if (header !== undefined) return header.trim() || undefined;
  const given = givenToken(req.query['auth_token']) ?? givenToken(bodyField(req, 'auth_token'));
  if (given !== undefined) return given;
  const auth = req.get('authorization');
  const m = auth === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(auth);
  return m?.[1];
}

function givenToken(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalidCredentials();
  return value.trim() || undefined;
}

/** A top-level field of a JSON object or form body. */
function bodyField(req: Request, name: string): unknown {
  const body: unknown = req.body;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  return Object.hasOwn(body, name) ? (body as Record<string, unknown>)[name] : undefined;
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
