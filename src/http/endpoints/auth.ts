import type { Endpoint } from '../endpoint';
import { sendSuccess, type RequestLocals } from '../envelope';
import { BODY_ERRORS, jsonBody, NO_AUTH, schemaRef } from './docs';

/** `PUT /v2/api_auth`: Kazoo's exchange of an API key for a token. */
export const AUTH_ENDPOINTS: Endpoint[] = [
  {
    method: 'PUT',
    path: '/v2/api_auth',
    summary: 'Exchange an API key for a token',
    tag: 'auth',
    body: jsonBody('ApiAuthRequest'),
    answers: {
      201: { description: "The token is the envelope's auth_token", data: schemaRef('ApiAuthResult') },
    },
    errors: [...BODY_ERRORS, 401],
    security: NO_AUTH,
    access: 'open',
    async handler({ accounts, meta }, req, res) {
      const data = (req.body as { data?: { api_key?: unknown } } | undefined)?.data;
      const { token, accountId, expiresAt } = await accounts.issueToken(data?.api_key);
      (res.locals as RequestLocals).authToken = token;
      sendSuccess(res, meta, 201, { account_id: accountId, expires_at: expiresAt.toISOString() });
    },
  },
];
