import { fieldError } from '../errors';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

/** The options of a paginated list (Kazoo's `page_size`, `start_key`, `paginate=false`). */
export type PageOptions = { pageSize?: number; startKey?: string; paginate: boolean };

/** An opaque key standing for a record: what `next_start_key` gives and `start_key` takes back. */
export const encodeKey = (seq: number): string => Buffer.from(`r${seq}`).toString('base64url');

const decodeKey = (key: string): number | undefined => {
  const m = /^r([1-9]\d{0,15})$/.exec(Buffer.from(key, 'base64url').toString('latin1'));
  return m ? Number(m[1]) : undefined;
};

/** The record to start from and how many to read (one more than the page, to know if another follows). */
export function pageWindow<K = number>(
  options: PageOptions,
  decode: (key: string) => K | undefined = decodeKey as (key: string) => K | undefined,
): { start?: K; pageSize?: number; limit?: number } {
  const pageSize = options.paginate ? (options.pageSize ?? DEFAULT_PAGE_SIZE) : undefined;
  if (pageSize !== undefined && !(Number.isInteger(pageSize) && pageSize >= 1 && pageSize <= MAX_PAGE_SIZE))
    throw fieldError('page_size', 'invalid', `must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  let start: K | undefined;
  if (options.startKey !== undefined) {
    start = decode(options.startKey);
    if (start === undefined) throw fieldError('start_key', 'invalid', 'is not a key this service gave');
  }
  return {
    ...(start !== undefined && { start }),
    ...(pageSize !== undefined && { pageSize, limit: pageSize + 1 }),
  };
}

/** Splits the rows read into the page and the key of the next one. */
export function cutPage<T extends { seq: number }>(
  rows: T[],
  pageSize: number | undefined,
  keyOf: (row: T) => string = (row) => encodeKey(row.seq),
): { page: T[]; next?: string } {
  if (pageSize === undefined || rows.length <= pageSize) return { page: rows };
  const next = rows[pageSize];
  return { page: rows.slice(0, pageSize), ...(next && { next: keyOf(next) }) };
}
