import { GREGORIAN_UNIX_OFFSET_S } from '../calls/time';
import { fieldError } from '../errors';

/**
 * Kazoo's crossbar list filters, from the query string, all ANDed (README, List): pure functions, so any store
 * backend lists through the same rules. A document is matched as the API shows it (a configuration as GET /{id}
 * returns it, a history record as it is returned); a key may be a dotted path into nested objects.
 */
export type Filter =
  /** `filter_<key>=<value>`, or `filter_not_<key>=<value>` (negate). */
  | { kind: 'equals'; key: string[]; value: string; negate: boolean }
  /** `has_key=<key>`, `key_missing=<key>`, `has_value=<key>`. */
  | { kind: 'has_key' | 'key_missing' | 'has_value'; key: string[] }
  /** Gregorian seconds, inclusive: the document's creation or its last change. */
  | { kind: 'created_from' | 'created_to' | 'modified_from' | 'modified_to'; seconds: number };

/** When the document was created and last changed (Unix ms): what the `created_`/`modified_` bounds read. */
export type FilterTimes = { createdMs: number; modifiedMs: number };

export const MAX_FILTERS = 20;
export const MAX_FILTER_KEY = 256;
export const MAX_FILTER_VALUE = 1024;

const KEY_FILTERS = ['has_key', 'key_missing', 'has_value'] as const;
const TIME_FILTERS = ['created_from', 'created_to', 'modified_from', 'modified_to'] as const;

/** Whether a query parameter is a filter (the list endpoints read these, and only these, as filters). */
export const isFilterParam = (name: string): boolean =>
  name.startsWith('filter_') ||
  (KEY_FILTERS as readonly string[]).includes(name) ||
  (TIME_FILTERS as readonly string[]).includes(name);

/** A parameter's name as an error names it: long names cut, so an error never echoes a huge key. */
const shown = (name: string): string => (name.length > 64 ? `${name.slice(0, 64)}…` : name);

function keyPath(param: string, key: string): string[] {
  if (key.length === 0) throw fieldError(shown(param), 'minLength', 'the key must not be empty');
  if (key.length > MAX_FILTER_KEY)
    throw fieldError(shown(param), 'maxLength', `the key may be at most ${MAX_FILTER_KEY} characters`);
  return key.split('.');
}

/** `created_from` and the like: whole Gregorian seconds (Unix seconds + 62167219200). */
export function gregorianSeconds(name: string, value: string): number {
  if (!/^\d{1,12}$/.test(value)) throw fieldError(name, 'type', 'must be Gregorian seconds (an integer)');
  return Number(value);
}

/** The filters of a list request, from its filter parameters (`isFilterParam`); 400 on a malformed one. */
export function parseFilters(params: ReadonlyArray<readonly [string, string]>): Filter[] {
  if (params.length > MAX_FILTERS) throw fieldError('filters', 'maxItems', `at most ${MAX_FILTERS} filters`);
  return params.map(([name, value]): Filter => {
    if ((TIME_FILTERS as readonly string[]).includes(name))
      return { kind: name as (typeof TIME_FILTERS)[number], seconds: gregorianSeconds(name, value) };
    if ((KEY_FILTERS as readonly string[]).includes(name))
      return { kind: name as (typeof KEY_FILTERS)[number], key: keyPath(name, value) };
    if (value.length > MAX_FILTER_VALUE)
      throw fieldError(shown(name), 'maxLength', `the value may be at most ${MAX_FILTER_VALUE} characters`);
    const negate = name.startsWith('filter_not_');
    return { kind: 'equals', key: keyPath(name, name.slice(negate ? 11 : 7)), value, negate };
  });
}

const MISSING = Symbol('missing');

/** The value at a dotted path, through objects only; own keys only (never `constructor` or the like). */
function valueAt(doc: unknown, path: readonly string[]): unknown {
  let at: unknown = doc;
  for (const key of path) {
    if (at === null || typeof at !== 'object' || Array.isArray(at) || !Object.hasOwn(at, key)) return MISSING;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/** Kazoo's binary form of a value: strings as they are, numbers and booleans written out, missing as "". */
function binaryValue(value: unknown): string | undefined {
  if (value === MISSING) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  return undefined; // an object or an array equals no filter value
}

/** `filter_`: the value itself, a member of a JSON list, or a JSON string of it. */
function equalsFilter(actual: string | undefined, wanted: string): boolean {
  if (actual === undefined) return false;
  if (actual === wanted) return true;
  let parsed: unknown;
  try {
    parsed = JSON.parse(wanted);
  } catch {
    return false;
  }
  return Array.isArray(parsed) ? parsed.includes(actual) : parsed === actual;
}

const isEmpty = (value: unknown): boolean =>
  value === MISSING ||
  value === null ||
  value === '' ||
  (Array.isArray(value) && value.length === 0) ||
  (typeof value === 'object' && value !== null && Object.keys(value).length === 0);

const gregorianOf = (ms: number): number => Math.floor(ms / 1000) + GREGORIAN_UNIX_OFFSET_S;

function matchesOne(filter: Filter, doc: unknown, times: FilterTimes): boolean {
  switch (filter.kind) {
    case 'equals':
      return equalsFilter(binaryValue(valueAt(doc, filter.key)), filter.value) !== filter.negate;
    case 'has_key':
      return valueAt(doc, filter.key) !== MISSING;
    case 'key_missing':
      return valueAt(doc, filter.key) === MISSING;
    case 'has_value':
      return !isEmpty(valueAt(doc, filter.key));
    case 'created_from':
      return gregorianOf(times.createdMs) >= filter.seconds;
    case 'created_to':
      return gregorianOf(times.createdMs) <= filter.seconds;
    case 'modified_from':
      return gregorianOf(times.modifiedMs) >= filter.seconds;
    case 'modified_to':
      return gregorianOf(times.modifiedMs) <= filter.seconds;
  }
}

/** Whether the document passes every filter (no filters: it does). */
export const matchesAll = (filters: readonly Filter[], doc: unknown, times: FilterTimes): boolean =>
  filters.every((filter) => matchesOne(filter, doc, times));
