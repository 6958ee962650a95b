import type { ErrorObject } from 'ajv';
import { validationError, type AppError } from '../errors';

/**
 * One validation problem in Kazoo's shape (README, Errors): `data.<path>.<rule>` is `{ message, target?, cause?,
 * value? }`. `value` is the offending value when it is a scalar (objects and arrays are not echoed).
 */
export type KazooEntry = { message: string; target?: unknown; cause?: unknown; value?: unknown };

type Params = Record<string, unknown>;

/** Kazoo's `type` entry: the value is not of these types (joined with ", " when several). */
export const typeEntry = (types: string | readonly string[]): KazooEntry => {
  const joined = [types].flat().join(', ');
  return { message: `Value did not match type(s): ${joined}`, target: joined };
};

/** The request's `data` is not an object: Kazoo's `type` entry at `data`. */
export const dataNotAnObject = (): AppError => validationError({ data: { type: typeEntry('object') } });

/** Kazoo's message and target for a standard rule, or undefined for a rule Kazoo has no wording of. */
function wording(keyword: string, p: Params): { message: string; target?: unknown } | undefined {
  const limit = p['limit'];
  switch (keyword) {
    case 'type':
      return typeEntry([p['type']].flat().map(String));
    case 'minLength':
      return { message: `String must be at least ${String(limit)} characters`, target: limit };
    case 'maxLength':
      return { message: `String must not be more than ${String(limit)} characters`, target: limit };
    case 'enum':
      return { message: 'Value not found in enumerated list of values', target: p['allowedValues'] };
    case 'minimum':
      return { message: `Value must be at least ${String(limit)}`, target: limit };
    case 'maximum':
      return { message: `Value must be at most ${String(limit)}`, target: limit };
    case 'minItems':
      return { message: `The list must have at least ${String(limit)} items`, target: limit };
    case 'maxItems':
      return { message: `The list is more than ${String(limit)} items`, target: limit };
    case 'uniqueItems':
      return { message: 'List of items is not unique' };
    case 'pattern':
      return { message: `Failed to match pattern '${String(p['pattern'])}'`, target: p['pattern'] };
    case 'required':
      return { message: 'Field is required but missing' };
    case 'additionalProperties':
      return { message: 'Strict checking of data is enabled; only include schema-defined properties' };
    case 'minProperties':
      return { message: `The object must have at least ${String(limit)} keys`, target: limit };
    case 'maxProperties':
      return { message: `The object must have at most ${String(limit)} keys`, target: limit };
    default:
      return undefined;
  }
}

const isScalar = (v: unknown): boolean => v !== undefined && v !== null && typeof v !== 'object';

/**
 * The entry of one ajv error. `value` is the value at the error's path (for `required`, the object missing the key):
 * echoed when a scalar; for `additionalProperties` it is the name of the key that is not allowed.
 */
export function kazooEntry(error: ErrorObject, value: unknown): KazooEntry {
  const params = error.params as Params;
  const known = wording(error.keyword, params);
  const entry: KazooEntry = known ?? { message: error.message ?? 'is invalid' };
  if (error.keyword === 'minLength' || error.keyword === 'maxLength') entry.cause = value;
  if (error.keyword === 'additionalProperties') entry.value = params['additionalProperty'];
  else if (isScalar(value)) entry.value = value;
  return entry;
}

/** Kazoo's `maxLength` entry for a string of `value` over `limit` (strings of keys the schema does not know). */
export function maxLengthEntry(limit: number, value: string): KazooEntry {
  return { message: `String must not be more than ${limit} characters`, target: limit, cause: value, value };
}
