/**
 * Kazoo's type coercion before validation (README, Configuration fields): where the schema wants one single type
 * `integer`, `number` or `boolean` and the value is of another type, the value is converted the way Kazoo's
 * `kz_term` functions convert it, and kept as it is when they could not (the validation then reports `type`). No
 * other value is ever converted: a number or a boolean where a string is wanted stays a type error.
 *
 * - integer: a string of an integer (`"45"`, `"-3"`, `"+7"`) is that integer; a string of a decimal number
 *   (`"4.5"`, `"1.5e1"`) or a JSON number with a fraction is rounded half away from zero (`4.5` → 5, `-2.5` → -3);
 * - number: a string of an integer or of a decimal number is that number;
 * - boolean: only the strings `"true"` and `"false"`.
 */

type SchemaNode = {
  type?: unknown;
  properties?: Record<string, unknown>;
  additionalProperties?: unknown;
  items?: unknown;
};

/** An integer as Kazoo reads it from text: an optional sign and digits. */
const INTEGER_TEXT = /^[+-]?[0-9]+$/;
/** A decimal number as Kazoo reads it from text: digits, a point, digits, an optional exponent. */
const DECIMAL_TEXT = /^[+-]?[0-9]+\.[0-9]+(?:[eE][+-]?[0-9]+)?$/;

/** Rounds half away from zero (2.5 → 3, -2.5 → -3), as Kazoo's rounding does; never -0. */
function roundHalfAway(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x)) + 0;
}

function toInteger(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? roundHalfAway(v) : undefined;
  if (typeof v !== 'string') return undefined;
  if (INTEGER_TEXT.test(v)) return Number(v);
  if (!DECIMAL_TEXT.test(v)) return undefined;
  const x = Number(v);
  return Number.isFinite(x) ? roundHalfAway(x) : undefined;
}

function toNumber(v: unknown): number | undefined {
  if (typeof v !== 'string' || !(INTEGER_TEXT.test(v) || DECIMAL_TEXT.test(v))) return undefined;
  const x = Number(v);
  return Number.isFinite(x) ? x : undefined;
}

function toBoolean(v: unknown): boolean | undefined {
  return v === 'true' ? true : v === 'false' ? false : undefined;
}

const FIXES: Readonly<Record<string, { ok: (v: unknown) => boolean; fix: (v: unknown) => unknown }>> = {
  integer: { ok: (v) => Number.isInteger(v), fix: toInteger },
  number: { ok: (v) => typeof v === 'number' && Number.isFinite(v), fix: toNumber },
  boolean: { ok: (v) => typeof v === 'boolean', fix: toBoolean },
};

const isNode = (s: unknown): s is SchemaNode => s !== null && typeof s === 'object' && !Array.isArray(s);

/** The schema of `key` in an object of schema `schema`, looking at own keys only (never `__proto__`'s). */
function childSchema(schema: SchemaNode, key: string): unknown {
  if (schema.properties && Object.hasOwn(schema.properties, key)) return schema.properties[key];
  return schema.additionalProperties;
}

/** `value` converted where Kazoo converts it; objects and arrays are converted in place and returned. */
export function coerceLikeKazoo(schema: unknown, value: unknown): unknown {
  if (!isNode(schema)) return value;
  const fix = typeof schema.type === 'string' ? FIXES[schema.type] : undefined;
  if (fix) {
    if (fix.ok(value)) return value;
    const fixed = fix.fix(value);
    return fixed === undefined ? value : fixed;
  }
  if (Array.isArray(value)) {
    if (isNode(schema.items))
      for (let i = 0; i < value.length; i++) value[i] = coerceLikeKazoo(schema.items, value[i]);
    return value;
  }
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const [key, child] of Object.entries(record)) {
      const fixed = coerceLikeKazoo(childSchema(schema, key), child);
      // defineProperty: a key such as `__proto__` stays an ordinary key.
      if (fixed !== child)
        Object.defineProperty(record, key, {
          value: fixed,
          enumerable: true,
          writable: true,
          configurable: true,
        });
    }
  }
  return value;
}
