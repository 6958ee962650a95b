import { randomHex } from '../ids';
import type { RequestHandler } from 'express';
import type { Logger } from '../logger';
import type { RequestLocals } from './envelope';

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Gives each request its id (an incoming X-Request-ID when it is sane, else a new one), echoes it as a
 * header, and a child logger that carries it on every line.
 */
export function requestContext(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get('x-request-id');
    const requestId = incoming !== undefined && SAFE_REQUEST_ID.test(incoming) ? incoming : randomHex(16);
    (res.locals as RequestLocals).requestId = requestId;
    res.locals['log'] = logger.child({ request_id: requestId });
    res.setHeader('X-Request-ID', requestId);
    next();
  };
}

/** The request's logger (with its request id). */
export const requestLog = (res: { locals: Record<string, unknown> }): Logger => res.locals['log'] as Logger;
