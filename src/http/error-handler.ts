import type { ErrorRequestHandler, Request, Response } from 'express';
import { AppError, ERROR_CATALOGUE, fromLowerLayer } from '../errors';
import type { Logger } from '../logger';
import { sendError, type EnvelopeMeta } from './envelope';

type BodyParserError = Error & { type?: string; status?: number; expose?: boolean };

/** Errors raised by Express's body readers, translated into the catalogue. */
function fromBodyReader(err: BodyParserError): AppError | undefined {
  switch (err.type) {
    case 'entity.too.large':
      return new AppError('payload_too_large', { message: 'the body is larger than 64 KiB' });
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new AppError('unsupported_media_type', { message: 'unsupported charset or encoding' });
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return new AppError('invalid_body', { body: { invalid: { message: 'the body could not be read' } } });
    default:
      return undefined;
  }
}

/** A path as logged: a public link's tokens (credentials) are left out. */
export const loggedPath = (path: string): string =>
  path.replace(/^(\/v2\/links\/)[^/]+/, '$1{link_token}').replace(/(\/calls\/)[^/]+/, '$1{status_token}');

/**
 * The only place that turns errors into HTTP answers. 4xx are logged at info with their code; a 5xx of the
 * catalogue (switch unavailable, storage busy: expected refusals an operator can act on) at warn with its code and
 * no stack; anything else is a 500 whose answer says nothing of the cause, logged at error with the stack.
 */
export function createErrorHandler(meta: EnvelopeMeta, logger: Logger): ErrorRequestHandler {
  return (err: unknown, req: Request, res: Response, _next) => {
    const known =
      err instanceof AppError ? err : (fromLowerLayer(err) ?? fromBodyReader(err as BodyParserError));
    const log = (res.locals['log'] as Logger | undefined) ?? logger;
    if (known && known.status < 500) {
      log.info('request refused', {
        status: known.status,
        code: known.code,
        method: req.method,
        path: loggedPath(req.path),
      });
    } else if (known) {
      log.warn('request refused', {
        status: known.status,
        code: known.code,
        method: req.method,
        path: loggedPath(req.path),
      });
    } else {
      const { name, message, stack } = err instanceof Error ? err : new Error(String(err));
      log.error('request failed', {
        status: 500,
        method: req.method,
        path: loggedPath(req.path),
        error: { name, message, stack },
      });
    }
    if (res.headersSent) return;
    const error = known ?? new AppError('internal', { message: 'internal error' });
    for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
    const data = error.status >= 500 && !known ? { message: 'internal error' } : error.data;
    sendError(res, meta, error.status, ERROR_CATALOGUE[error.code].message, data);
  };
}
