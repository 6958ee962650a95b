/**
 * Minimal parser for the originate lines found in the captures (test-side only; the fake switch has its
 * own parser). Splits `{…}` on unescaped commas, unescapes `\,` `\\` `\s` `\'` and strips quotes, and
 * splits the rest on blanks. `&transfer(<route> XML <ctx>)` (the early recordings) is reported as route/context.
 */
import type { ParsedOriginate } from '../../fake-switch/scenario-types';

function unescape(v: string): string {
  let out = v;
  for (let i = 0; i < 3; i++) {
    out = out.replace(/^'(.*)'$/s, '$1').replace(/\\(\\|,|s|'|n)/g, (_m, c: string) => {
      if (c === 's') return ' ';
      if (c === 'n') return '\n';
      return c;
    });
  }
  return out;
}

export function parseOriginateLine(line: string): ParsedOriginate {
  let rest = line.replace(/^(bg)?api originate /, '');
  const vars: Record<string, string> = {};
  const varOrder: string[] = [];
  if (rest.startsWith('{')) {
    let depth = 0;
    let end = 0;
    for (let i = 0; i < rest.length; i++) {
      if (rest[i] === '{') depth++;
      else if (rest[i] === '}' && --depth === 0) {
        end = i;
        break;
      }
    }
    const inner = rest.slice(1, end);
    rest = rest.slice(end + 1);
    for (const item of inner.split(/(?<!\\),/)) {
      const eq = item.indexOf('=');
      const k = item.slice(0, eq);
      vars[k] = unescape(item.slice(eq + 1));
      varOrder.push(k);
    }
  }
  const parts = rest.split(' ');
  const endpoint = parts[0] ?? '';
  const args = parts.slice(1);
  const parsed: ParsedOriginate = { vars, varOrder, refused: [], blocks: 1, endpoint, rest: [] };
  if (args[0]?.startsWith('&transfer(')) {
    parsed.route = args[0].slice('&transfer('.length);
    parsed.dialplan = args[1];
    parsed.context = args[2]?.replace(/\)$/, '');
  } else {
    parsed.route = args[0];
    parsed.dialplan = args[1];
    parsed.context = args[2];
    parsed.rest = args.slice(3);
  }
  return parsed;
}
