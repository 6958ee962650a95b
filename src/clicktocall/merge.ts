type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** PATCH semantics: objects merge key by key, arrays and scalars replace, `null` deletes the key. */
export function deepMerge(base: Json, patch: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else if (isObject(value) && isObject(out[key])) out[key] = deepMerge(out[key], value);
    else if (isObject(value)) out[key] = deepMerge({}, value);
    else out[key] = value;
  }
  return out;
}
