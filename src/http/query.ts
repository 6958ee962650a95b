import type { Request } from 'express';
import type { PageOptions } from '../clicktocall/paging';
import { fieldError } from '../errors';

/** A single query parameter; a repeated one is refused. */
export function queryParam(req: Request, name: string): string | undefined {
  const value = req.query[name];
  if (value === undefined || typeof value === 'string') return value;
  throw fieldError(name, 'type', 'must be given once');
}

/** Kazoo's paging parameters: `page_size`, `start_key`, `paginate=false`. */
export function pageOptions(req: Request): PageOptions {
  const pageSize = queryParam(req, 'page_size');
  if (pageSize !== undefined && !/^\d{1,7}$/.test(pageSize))
    throw fieldError('page_size', 'invalid', 'must be an integer from 1 to 1000');
  const startKey = queryParam(req, 'start_key');
  return {
    ...(pageSize !== undefined && { pageSize: Number(pageSize) }),
    ...(startKey !== undefined && { startKey }),
    paginate: queryParam(req, 'paginate') !== 'false',
  };
}
