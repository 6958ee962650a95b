import { RE2JS } from 're2js';

/**
 * Whitelist patterns run on RE2 (the re2js port): matching takes time linear in the contact's length
 * whatever the pattern, so a hostile pattern saved by an account cannot stall the process. RE2 refuses
 * backreferences and look-arounds, so such patterns are refused at save, never at connect.
 */
const cache = new Map<string, RE2JS>();
const CACHE_MAX = 2000;

function compile(pattern: string): RE2JS {
  let re = cache.get(pattern);
  if (!re) {
    re = RE2JS.compile(pattern);
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(pattern, re);
  }
  return re;
}

/** Why a pattern cannot be a whitelist entry, or undefined. */
export function whitelistProblem(pattern: string): string | undefined {
  try {
    compile(pattern);
    return undefined;
  } catch (e) {
    const detail = e instanceof Error ? e.message.replace(/^error parsing regexp: /, '') : 'invalid';
    return `must be a regular expression RE2 accepts (${detail.slice(0, 120)})`;
  }
}

/** Kazoo's rule: entries are unanchored; any match passes; an empty or absent list allows all. */
export function whitelistAllows(patterns: readonly string[] | undefined, contact: string): boolean {
  if (!patterns || patterns.length === 0) return true;
  return patterns.some((p) => compile(p).matcher(contact).find());
}
