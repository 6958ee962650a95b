import { fieldError } from '../errors';
import type { Filter } from './filters';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

/** The options of a paginated list (Kazoo's `page_size`, `start_key`, `paginate=false`). */
export type PageOptions = { pageSize?: number; startKey?: string; paginate: boolean };

/** A list that filters and orders as Kazoo's crossbar does (README, List): `ascending=true` lists oldest first. */
export type ListOptions = PageOptions & { ascending?: boolean; filters: Filter[] };

/** A page as the envelope shows it; `paginated: false` (everything at once) shows neither page_size nor a next key. */
export type ListPage<T> = { items: T[]; startKey?: string; nextStartKey?: string; paginated: boolean };

/** Rows a filtered page reads from the store at a time. */
export const SCAN_BATCH = 250;
/**
 * Rows one request examines at most while filling a filtered page: past them the page is returned as it is (maybe
 * short, maybe empty) with a next_start_key to go on from, so a filter that matches little never makes one request
 * read a whole account's rows.
 */
export const MAX_SCANNED = 5000;

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

export type ScanArgs<T, K> = {
  /** Rows in the list's order from `start` (inclusive; undefined: the first), at most `limit`. */
  read: (start: K | undefined, limit: number) => Promise<T[]>;
  keyOf: (row: T) => K;
  matches: (row: T) => boolean;
  start?: K | undefined;
  /** undefined: everything (paginate=false), read batch by batch and never cut short. */
  pageSize?: number | undefined;
  /** Whether rows may fail `matches`: then rows are read in batches of SCAN_BATCH, else of the page's size. */
  filtered: boolean;
  maxScanned?: number;
};

/**
 * A page of matching rows, read from the store batch by batch until it is full: `next` is the key of the next
 * matching row (none when no more match), or, once `maxScanned` rows were examined, of the first row not examined.
 */
export async function scanPage<T, K>(args: ScanArgs<T, K>): Promise<{ page: T[]; next?: K }> {
  const { read, keyOf, matches, pageSize, maxScanned = MAX_SCANNED } = args;
  const batch =
    pageSize === undefined
      ? MAX_PAGE_SIZE
      : args.filtered
        ? Math.max(pageSize + 1, SCAN_BATCH)
        : pageSize + 1;
  const page: T[] = [];
  let start = args.start;
  let scanned = 0;
  for (;;) {
    // One row more than the batch: the start of the next batch, so that batches neither skip nor repeat a row.
    const rows = await read(start, batch + 1);
    for (const row of rows.slice(0, batch)) {
      if (pageSize !== undefined && scanned >= maxScanned) return { page, next: keyOf(row) };
      scanned += 1;
      if (!matches(row)) continue;
      if (pageSize !== undefined && page.length === pageSize) return { page, next: keyOf(row) };
      page.push(row);
    }
    const following = rows[batch];
    if (following === undefined) return { page };
    start = keyOf(following);
  }
}
