import type { RequestHandler } from 'express';
import { AppError } from '../errors';

/**
 * Every path the API serves and the verbs allowed on it (PRODUCT §3). HEAD goes where GET goes. `path` is
 * the OpenAPI template of the pattern (the document's paths and the metrics' route label come from it).
 */
export const ROUTE_METHODS: ReadonlyArray<{ pattern: RegExp; path: string; methods: readonly string[] }> = [
  { pattern: /^\/v2\/api_auth\/?$/, path: '/v2/api_auth', methods: ['PUT'] },
  {
    pattern: /^\/v2\/accounts\/[^/]+\/clicktocall\/?$/,
    path: '/v2/accounts/{account_id}/clicktocall',
    methods: ['GET', 'PUT'],
  },
  {
    pattern: /^\/v2\/accounts\/[^/]+\/clicktocall\/[^/]+\/?$/,
    path: '/v2/accounts/{account_id}/clicktocall/{clicktocall_id}',
    methods: ['GET', 'POST', 'PATCH', 'DELETE'],
  },
  {
    pattern: /^\/v2\/accounts\/[^/]+\/clicktocall\/[^/]+\/connect\/?$/,
    path: '/v2/accounts/{account_id}/clicktocall/{clicktocall_id}/connect',
    methods: ['GET', 'POST'],
  },
  {
    pattern: /^\/v2\/accounts\/[^/]+\/clicktocall\/[^/]+\/history\/?$/,
    path: '/v2/accounts/{account_id}/clicktocall/{clicktocall_id}/history',
    methods: ['GET'],
  },
  {
    pattern: /^\/v2\/accounts\/[^/]+\/clicktocall\/[^/]+\/history\/[^/]+\/?$/,
    path: '/v2/accounts/{account_id}/clicktocall/{clicktocall_id}/history/{call_id}',
    methods: ['GET'],
  },
  {
    pattern: /^\/v2\/accounts\/[^/]+\/channels\/[^/]+\/?$/,
    path: '/v2/accounts/{account_id}/channels/{call_id}',
    methods: ['POST'],
  },
  { pattern: /^\/v2\/openapi\.json$/, path: '/v2/openapi.json', methods: ['GET'] },
  { pattern: /^\/metrics\/?$/, path: '/metrics', methods: ['GET'] },
  { pattern: /^\/health\/?$/, path: '/health', methods: ['GET'] },
];

/** The OpenAPI template of the path a request is for (e.g. a metrics label), or undefined. */
export const routeTemplateOf = (path: string): string | undefined =>
  ROUTE_METHODS.find((r) => r.pattern.test(path))?.path;

const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': 'Content-Type, X-Auth-Token, Authorization, X-Request-ID, If-Match',
  'Access-Control-Expose-Headers': 'X-Request-ID, ETag, Location, Retry-After',
  'Access-Control-Max-Age': '600',
};

/**
 * Runs before authentication: a verb the path does not allow is 405, whoever asks; OPTIONS is a CORS
 * pre-flight (tokens travel in headers, never cookies, so any origin may call). Unknown paths pass on
 * to the final 404.
 */
export function methodGuard(): RequestHandler {
  return (req, res, next) => {
    const route = ROUTE_METHODS.find((r) => r.pattern.test(req.path));
    if (!route) {
      next();
      return;
    }
    const allowed = route.methods.includes('GET') ? [...route.methods, 'HEAD'] : route.methods;
    res.set(CORS_HEADERS);
    if (req.method === 'OPTIONS') {
      res.set({
        Allow: [...allowed, 'OPTIONS'].join(', '),
        'Access-Control-Allow-Methods': allowed.join(', '),
      });
      res.status(204).end();
      return;
    }
    if (!allowed.includes(req.method)) {
      res.set('Allow', allowed.join(', '));
      throw new AppError('invalid_method', { message: 'method not allowed' });
    }
    next();
  };
}
