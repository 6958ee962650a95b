import type { RequestHandler } from 'express';
import { AppError } from '../errors';
import { ROUTE_METHODS } from './route-table';

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
    const allowed: readonly string[] = route.methods.includes('GET')
      ? [...route.methods, 'HEAD']
      : route.methods;
    if (route.ownCors) {
      // A public link's endpoints answer CORS, pre-flights included, for the link's origins only.
      if (req.method === 'OPTIONS' || allowed.includes(req.method)) {
        next();
        return;
      }
      res.set('Allow', allowed.join(', '));
      throw new AppError('invalid_method', { message: 'method not allowed' });
    }
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
