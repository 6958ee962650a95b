/**
 * A model of how FreeSWITCH 1.10.12 reads the arguments of `originate`, for the fake switch and for the
 * property tests of the originate builder. It is written from FreeSWITCH's own algorithms
 * (`mod_commands.c` originate_function, `switch_utils.c` switch_separate_string / cleanup_separated_string /
 * switch_find_end_paren, `switch_event.c` switch_event_create_brackets, `switch_ivr_originate.c`), not as the
 * inverse of our escaper, and it is checked against the real switch's answers (captures e-originate-errors,
 * h7-escaping-values).
 *
 * @packageDocumentation
 */

/** What `originate` understood. */
export type ParsedOriginate = {
  /** The channel variables of the `{}` block(s) that FreeSWITCH sets (a later duplicate wins). */
  vars: Record<string, string>;
  /** Every variable name in order of appearance, duplicates and refused ones included. */
  varOrder: string[];
  /** Names whose value FreeSWITCH refuses to set (`${` in the value; logged as "Invalid data"). */
  refused: string[];
  /** How many `{}` blocks preceded the dial string. */
  blocks: number;
  /** The dial string after the `{}` blocks, e.g. `loopback/1000/default`. */
  endpoint: string;
  /** The second argument: an extension to transfer to, or `&app(args)`. */
  route?: string;
  /** The third argument (FreeSWITCH uses `XML` when absent). */
  dialplan?: string;
  /** The fourth argument (FreeSWITCH uses `default` when absent). */
  context?: string;
  /** Arguments 5 to 7: caller id name, caller id number, timeout. */
  rest: string[];
};

/** Options describing the switch being modelled. */
export type ParseOriginateOptions = {
  /** Endpoint types the switch has (default: loopback, sofia, user, group, error, pickup). */
  endpointTypes?: readonly string[];
  /** Sofia profiles the switch has (default: internal, external). */
  sofiaProfiles?: readonly string[];
};

/** The usage text FreeSWITCH answers for a wrong argument count (e-originate-errors). */
export const ORIGINATE_USAGE =
  '-USAGE: <call url> <exten>|&<application_name>(<app_args>) [<dialplan>] [<context>] [<cid_name>] [<cid_num>] [<timeout_sec>]';

const DEFAULT_ENDPOINTS = ['loopback', 'sofia', 'user', 'group', 'error', 'pickup'];
const DEFAULT_PROFILES = ['internal', 'external'];
const ESCAPE = '\\';

/** `unescape_char`: `\n` `\r` `\t` `\s`; any other character is not an escape. */
function unescapeChar(c: string): string {
  switch (c) {
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 't':
      return '\t';
    case 's':
      return ' ';
    default:
      return c;
  }
}

/**
 * `cleanup_separated_string`: skip leading blanks; `\'` `\"` `\\` `\<delim>` `\n` `\r` `\t` `\s` are
 * unescaped, any other `\x` is kept; a `'` toggles quoting (and is removed) when inside quotes or when another
 * `'` follows; trailing unquoted, unescaped blanks are dropped.
 */
function cleanup(str: string, delim: string | undefined): string {
  const chars = [...str];
  let i = 0;
  while (chars[i] === ' ') i++;
  const out: string[] = [];
  let end = -1;
  let inside = false;
  for (; i < chars.length; i++) {
    const c = chars[i] as string;
    if (c === ESCAPE && i + 1 < chars.length) {
      const e = chars[i + 1] as string;
      const u = unescapeChar(e);
      if (e === "'" || e === '"' || (delim !== undefined && e === delim) || e === ESCAPE || u !== e) {
        i++;
        out.push(u);
        end = out.length;
        continue;
      }
    }
    if (c === "'" && (inside || chars.indexOf("'", i + 1) !== -1)) {
      inside = !inside;
      if (inside) end = out.length;
      continue;
    }
    out.push(c);
    if (c !== ' ' || inside) end = out.length;
  }
  return end === -1 ? out.join('') : out.slice(0, end).join('');
}

/** `separate_string_blank_delim` + cleanup: a `'` toggles quoting even when unbalanced. */
function separateBlank(buf: string, arrayLen: number): string[] {
  const spans: Array<[number, number]> = [];
  let state: 'start' | 'skipInitial' | 'find' | 'skipEnding' = 'start';
  let inside = false;
  let i = 0;
  while (i < buf.length && spans.length < arrayLen) {
    const c = buf[i];
    if (state === 'start') {
      spans.push([i, buf.length]);
      state = 'skipInitial';
    } else if (state === 'skipInitial') {
      if (c === ' ') i++;
      else state = 'find';
    } else if (state === 'find') {
      if (c === ESCAPE) i++;
      else if (c === "'") inside = !inside;
      else if (c === ' ' && !inside) {
        (spans[spans.length - 1] as [number, number])[1] = i;
        state = 'skipEnding';
      }
      i++;
    } else if (c === ' ') i++;
    else state = 'start';
  }
  return spans.map(([from, to]) => cleanup(buf.slice(from, to), undefined));
}

/** `separate_string_char_delim` + cleanup: a `'` toggles quoting only when another `'` follows. */
function separateChar(buf: string, delim: string, arrayLen: number): string[] {
  const spans: Array<[number, number]> = [];
  let state: 'start' | 'find' = 'start';
  let inside = false;
  let i = 0;
  while (i < buf.length && spans.length < arrayLen) {
    const c = buf[i];
    if (state === 'start') {
      spans.push([i, buf.length]);
      state = 'find';
      continue;
    }
    if (c === ESCAPE) i++;
    else if (c === "'" && (inside || buf.indexOf("'", i + 1) !== -1)) inside = !inside;
    else if (c === delim && !inside) {
      (spans[spans.length - 1] as [number, number])[1] = i;
      state = 'start';
    }
    i++;
  }
  return spans.map(([from, to]) => cleanup(buf.slice(from, to), delim));
}

/** `switch_separate_string`: a leading `^^X` chooses the delimiter X. */
function separate(buf: string, delim: string, arrayLen: number): string[] {
  let d = delim;
  let b = buf;
  if (b.startsWith('^^') && b.length > 3) {
    d = b.charAt(2);
    b = b.slice(3);
  }
  return d === ' ' ? separateBlank(b, arrayLen) : separateChar(b, d, arrayLen);
}

/** `switch_find_end_paren`: skip blanks, then count `open`/`close`, ignoring quotes and escapes. */
function findEndParen(s: string, from: number, open: string, close: string): number {
  let i = from;
  while (s[i] === ' ') i++;
  if (s[i] !== open) return -1;
  let depth = 1;
  for (i++; i < s.length; i++) {
    if (s[i] === open && open !== close) depth++;
    else if (s[i] === close && --depth === 0) return i;
  }
  return -1;
}

type Vars = { vars: Map<string, string>; order: string[]; refused: string[] };

/** `switch_event_create_brackets` for one block starting at `data[0]`: returns the rest, or undefined. */
function parseBlock(data: string, open: string, close: string, acc: Vars): string | undefined {
  const end = findEndParen(data, 0, open, close);
  if (end === -1) return undefined;
  let inner = data.slice(data.indexOf(open) + 1, end);
  let delim = ',';
  if (inner.startsWith('^^') && inner.length > 2) {
    delim = inner.charAt(2);
    inner = inner.slice(3);
  }
  if (inner.length > 0) {
    for (const item of separate(inner, delim, 1024)) {
      const kv = separate(item, '=', 2);
      if (kv.length !== 2) continue; // no `=`, or nothing after it: silently dropped
      const [name, value] = kv as [string, string];
      if (name === '') continue;
      acc.order.push(name);
      if (value === '') continue;
      if (value.includes('${')) {
        // switch_channel_set_variable_var_check: "Invalid data (… contains a variable)".
        acc.refused.push(name);
        acc.vars.delete(name);
        continue;
      }
      acc.vars.set(name, value);
    }
  }
  return data.slice(end + 1);
}

/** The cause FreeSWITCH reports for the first leg of a dial string, or undefined when it would be placed. */
function legProblem(endpoint: string, opts: ParseOriginateOptions): string | undefined {
  let leg = endpoint;
  // The first leg of a `,` / `|` / `:_:` list.
  for (const sep of [':_:', '|', ',']) {
    const at = leg.indexOf(sep);
    if (at !== -1) leg = leg.slice(0, at);
  }
  if (leg.startsWith('[')) {
    const end = findEndParen(leg, 0, '[', ']');
    if (end === -1) return '-ERR DESTINATION_OUT_OF_ORDER';
    leg = leg.slice(end + 1);
  }
  if (leg === '') return '-ERR DESTINATION_OUT_OF_ORDER';
  const slash = leg.indexOf('/');
  const type = slash === -1 ? leg : leg.slice(0, slash);
  if (!(opts.endpointTypes ?? DEFAULT_ENDPOINTS).includes(type)) return '-ERR CHAN_NOT_IMPLEMENTED';
  if (type === 'sofia') {
    const profile = leg.slice(slash + 1).split('/')[0] ?? '';
    if (profile !== 'gateway' && !(opts.sofiaProfiles ?? DEFAULT_PROFILES).includes(profile)) {
      return '-ERR INVALID_PROFILE';
    }
  }
  return undefined;
}

/** `switch_strip_whitespace`, applied by switch_api_execute to the argument string. */
function stripWhitespace(s: string): string {
  return s.replace(/^[\r\n\t\v ]+/, '').replace(/[\r\n\t\v ]+$/, '');
}

/**
 * Parses the argument string of `originate` (what follows `originate ` on the ESL line) as FreeSWITCH
 * 1.10.12 does, and returns what it understood or the error text its BACKGROUND_JOB would carry
 * (`-USAGE: …`, `-ERR DESTINATION_OUT_OF_ORDER`, `-ERR CHAN_NOT_IMPLEMENTED`, `-ERR INVALID_PROFILE`).
 *
 * Pass 1 splits the line on blanks (quotes toggle, escapes unescaped); the first argument's `{…}` blocks are
 * found by brace counting; pass 2 splits a block on `,` (or `^^X`); pass 3 splits each item once on `=`.
 */
export function parseOriginate(
  args: string,
  opts: ParseOriginateOptions = {},
): ParsedOriginate | { error: string } {
  const cmd = stripWhitespace(args);
  if (cmd === '') return { error: ORIGINATE_USAGE };
  const argv = separate(cmd, ' ', 10);
  if (argv.length < 2 || argv.length > 7) return { error: ORIGINATE_USAGE };
  const arg = (i: number): string | undefined => {
    const v = argv[i];
    return v === undefined || v.toLowerCase() === 'undef' ? undefined : v;
  };
  const aleg = arg(0);
  const exten = arg(1);
  if (aleg === undefined) return { error: '-ERR DESTINATION_OUT_OF_ORDER' };
  if (exten === undefined) return { error: 'switch_assert(exten) fails: FreeSWITCH aborts' };

  const acc: Vars = { vars: new Map(), order: [], refused: [] };
  let data = aleg.replace(/^ +/, '');
  if (data.startsWith('<')) {
    const rest = parseBlock(data, '<', '>', acc);
    if (rest === undefined) return { error: '-ERR DESTINATION_OUT_OF_ORDER' };
    data = rest;
  }
  let blocks = 0;
  while (data.startsWith('{')) {
    const rest = parseBlock(data, '{', '}', acc);
    if (rest === undefined) return { error: '-ERR DESTINATION_OUT_OF_ORDER' };
    data = rest;
    blocks++;
  }
  const problem = legProblem(data, opts);
  if (problem !== undefined) return { error: problem };

  const parsed: ParsedOriginate = {
    // Object.fromEntries keeps a name such as `__proto__` an ordinary key.
    vars: Object.fromEntries(acc.vars),
    varOrder: acc.order,
    refused: acc.refused,
    blocks,
    endpoint: data,
    route: exten,
    rest: argv.slice(4),
  };
  const dialplan = arg(2);
  const context = arg(3);
  if (dialplan !== undefined) parsed.dialplan = dialplan;
  if (context !== undefined) parsed.context = context;
  return parsed;
}
