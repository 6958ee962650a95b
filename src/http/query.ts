import type { Request } from 'express';
import { isFilterParam, parseFilters } from '../clicktocall/filters';
import type { ListOptions, PageOptions } from '../clicktocall/paging';
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

/** `true` or `false` (absent: undefined). */
function booleanParam(req: Request, name: string): boolean | undefined {
  const value = queryParam(req, name);
  if (value === undefined) return undefined;
  if (value !== 'true' && value !== 'false') throw fieldError(name, 'type', 'must be true or false');
  return value === 'true';
}

/** `ascending=true` lists oldest first; the default, and `descending=true`, newest first. */
function ascendingOf(req: Request): boolean {
  const ascending = booleanParam(req, 'ascending') === true;
  const descending = booleanParam(req, 'descending') === true;
  if (ascending && descending)
    throw fieldError('ascending', 'invalid', 'ascending and descending cannot both be true');
  return ascending;
}

/** A crossbar list's parameters: paging, order, and every filter (src/clicktocall/filters.ts). */
export function listQuery(req: Request): ListOptions {
  const params: Array<[string, string]> = [];
  for (const name of Object.keys(req.query))
    if (isFilterParam(name)) params.push([name, queryParam(req, name) ?? '']);
  return { ...pageOptions(req), ascending: ascendingOf(req), filters: parseFilters(params) };
}
