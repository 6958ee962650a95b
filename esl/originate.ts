/**
 * The `originate` argument string: escaping, validation and building.
 *
 * Everything here was checked against a real FreeSWITCH 1.10.12 (docs/originate.md#escaping, recordings
 * h2, h7, i3). Knows nothing of click-to-call; imports nothing but the language.
 *
 * @packageDocumentation
 */

/** Longest value accepted in the `{}` block (FreeSWITCH itself has no small limit; this bounds the line). */
const MAX_VALUE_LENGTH = 4096;

/** Longest route (extension, contact, context). */
const MAX_ROUTE_LENGTH = 64;

/** A channel variable name we are willing to put in `{}`: `[A-Za-z0-9_.-]`, optionally behind `nolocal:`. */
const VAR_NAME = /^(?:nolocal:)?[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** C0 controls (CR, LF, TAB, NUL…), DEL and C1 controls. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** A UTF-16 surrogate without its pair: it cannot be written as UTF-8 and would not round-trip. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Any ESL command containing this (with `unload`/`reload`, in any case, anywhere) is rewritten by
 * mod_event_socket into `unload mod_event_socket`, which cuts every ESL client off the switch.
 */
const EVENT_SOCKET = /mod_event_socket/i;

/** Thrown when a name, value or route can never be passed safely to `originate`. */
export class OriginateInputError extends Error {
  /** The variable name, or `route` / `context` / `destination`, or the caller's own field path. */
  readonly field: string;
  /** A short, user-facing reason, e.g. `must not contain "${"`. */
  readonly problem: string;

  constructor(field: string, problem: string) {
    super(`${field} ${problem}`);
    this.name = 'OriginateInputError';
    this.field = field;
    this.problem = problem;
  }
}

/** One pass of FreeSWITCH's unescaping, reversed: `\` → `\\`, `'` → `\'`. */
function escapeQuotesAndBackslashes(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
}

/**
 * Escapes a value for the `{}` block of `originate` so that the channel variable receives it unchanged.
 *
 * FreeSWITCH unescapes a `{}` value three times: the argument line split on blanks, the `{}` list split on
 * `,`, and the item split on `=`. This is the verified "full escape" (h7-escaping-values), applied in the
 * reverse order of those passes:
 * 1. `\` → `\\`, `'` → `\'`;
 * 2. again `\` → `\\`, `'` → `\'`, then `,` → `\,`;
 * 3. again `\` → `\\`, `'` → `\'`, then blank → `\s`, LF → `\n`, CR → `\r`, TAB → `\t`.
 *
 * The result contains no blank, no raw CR/LF and no unescaped quote. It does not make every value passable:
 * check {@link channelValueProblem} first.
 */
export function escapeChannelValue(v: string): string {
  const s3 = escapeQuotesAndBackslashes(v);
  const s2 = escapeQuotesAndBackslashes(s3).replace(/,/g, '\\,');
  return escapeQuotesAndBackslashes(s2)
    .replace(/ /g, '\\s')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t');
}

/** True when `{` and `}` pair up: the end of the `{}` block is found by counting braces, ignoring escapes. */
function bracesBalanced(v: string): boolean {
  let depth = 0;
  for (const c of v) {
    if (c === '{') depth++;
    else if (c === '}' && --depth < 0) return false;
  }
  return depth === 0;
}

/**
 * Why a value can never be passed in the `{}` block of `originate`, or `undefined` when it can (escaped with
 * {@link escapeChannelValue}). The messages are short and meant for API users.
 *
 * - `${` (also `$${`): FreeSWITCH refuses to set the variable (h5, h7);
 * - an unbalanced `{` or `}`: ends the block early or never (h7: CHAN_NOT_IMPLEMENTED / DESTINATION_OUT_OF_ORDER);
 * - a leading or trailing blank: trimmed by the `,` pass whatever the escaping (h7 ` x `);
 * - any control character (CR, LF, TAB, NUL…): a raw CR/LF on the ESL line is command injection
 *   (h7-newline-injection); none belongs in a name or number;
 * - `mod_event_socket` in any case: the switch would unload its own event socket;
 * - the empty string: FreeSWITCH drops `name=` silently.
 */
export function channelValueProblem(v: string): string | undefined {
  if (v.length === 0) return 'must not be empty';
  if (v.length > MAX_VALUE_LENGTH) return `must not be longer than ${MAX_VALUE_LENGTH} characters`;
  if (CONTROL.test(v)) return 'must not contain control characters (CR, LF, TAB…)';
  if (LONE_SURROGATE.test(v)) return 'must be valid Unicode text';
  if (v.includes('${')) return 'must not contain "${"';
  if (EVENT_SOCKET.test(v)) return 'must not contain "mod_event_socket"';
  if (v.startsWith(' ') || v.endsWith(' ')) return 'must not start or end with a blank';
  if (!bracesBalanced(v)) return 'must not contain an unbalanced "{" or "}"';
  return undefined;
}

/** The character set of each kind of route. */
const ROUTE_PATTERNS = {
  /** `+` and digits, or digits with `*` and `#` (short internal numbers, feature codes). */
  number: /^(?:\+[0-9]{1,20}|[0-9*#]{1,32})$/,
  extension: /^[0-9A-Za-z_.+*#-]{1,64}$/,
  context: /^[0-9A-Za-z_.+*#-]{1,64}$/,
  /** `sip:user@host[:port]` from a strict set: no params, no escapes, no blanks. */
  sip: /^sip:[A-Za-z0-9_.+*#-]{1,32}@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,62}[A-Za-z0-9])?(?::[0-9]{1,5})?$/,
} as const;

const ROUTE_MESSAGES = {
  number: 'must be + and digits, or digits with * and #',
  extension: 'must use only letters, digits and _ . + * # -',
  context: 'must use only letters, digits and _ . + * # -',
  sip: 'must be sip:user@host with letters, digits and _ . + * # - only',
} as const;

/**
 * Why a route (an extension, a contact, a dialplan context) cannot be used in
 * `originate {…}loopback/<first>/<context> <second> XML <context>`, or `undefined` when it can.
 *
 * Blank, `/`, `,`, `)`, `'`, `|`, `[`, `{`, `<` and `:_:` change the meaning of the dial string
 * (h7-route-chars); `undef` as an argument is turned into NULL by originate. Only a strict character set
 * per kind is allowed.
 */
export function routeProblem(
  route: string,
  kind: 'number' | 'extension' | 'context' | 'sip',
): string | undefined {
  if (route.length === 0) return 'must not be empty';
  if (route.length > MAX_ROUTE_LENGTH) return `must not be longer than ${MAX_ROUTE_LENGTH} characters`;
  if (!ROUTE_PATTERNS[kind].test(route)) return ROUTE_MESSAGES[kind];
  if (route.toLowerCase() === 'undef') return 'must not be "undef"';
  if (EVENT_SOCKET.test(route)) return 'must not contain "mod_event_socket"';
  return undefined;
}

/** A channel variable for the `{}` block. A list value is emitted as `a\,b\,c` (each item a variable name). */
export type OriginateVar = readonly [name: string, value: string | readonly string[]];

/** Everything `originate` needs: `{<vars>}loopback/<destination>/<context> <route> XML <context>`. */
export type OriginateSpec = {
  /** The `{}` variables, in order. Names must be unique. */
  vars: readonly OriginateVar[];
  /** The first leg: a loopback channel to `destination` in `context` (the first party). */
  endpoint: { type: 'loopback'; destination: string; context: string };
  /** Where loopback-a is sent once the first party answers (the second party), positional exten argument. */
  route: string;
  dialplan: 'XML';
  /** The dialplan context for `route`. */
  context: string;
};

/** The route kind a destination or route is checked against: the union of numbers, extensions and SIP URIs. */
function anyRouteProblem(route: string): string | undefined {
  if (route.startsWith('sip:')) return routeProblem(route, 'sip');
  if (routeProblem(route, 'number') === undefined) return undefined;
  return routeProblem(route, 'extension');
}

function checkName(name: string): void {
  if (!VAR_NAME.test(name)) {
    throw new OriginateInputError(name, 'is not a valid variable name');
  }
  if (EVENT_SOCKET.test(name)) throw new OriginateInputError(name, 'must not contain "mod_event_socket"');
}

function renderValue(name: string, value: string | readonly string[]): string {
  if (typeof value !== 'string') {
    if (value.length === 0) throw new OriginateInputError(name, 'must not be empty');
    for (const item of value) {
      if (!VAR_NAME.test(item) || EVENT_SOCKET.test(item)) {
        throw new OriginateInputError(name, `lists an invalid variable name`);
      }
    }
    // A literal `,` would cut the list at the `{}` split (h2-export-vars-literal); `\,` survives it.
    return value.join('\\,');
  }
  const problem = channelValueProblem(value);
  if (problem !== undefined) throw new OriginateInputError(name, problem);
  return escapeChannelValue(value);
}

/**
 * Builds the argument string of `originate` (the command is `originate ` + the result):
 * `{<vars>}loopback/<destination>/<context> <route> XML <context>`, the positional form that honours the
 * context (docs/originate.md#form; recording h7-route-chars).
 *
 * Every name and value is validated, every value escaped with {@link escapeChannelValue}. The result never
 * contains CR, LF or `mod_event_socket`.
 *
 * @throws OriginateInputError naming the variable, or `destination` / `route` / `context`.
 */
export function buildOriginate(spec: OriginateSpec): string {
  const destinationProblem = anyRouteProblem(spec.endpoint.destination);
  if (destinationProblem !== undefined) throw new OriginateInputError('destination', destinationProblem);
  const routeProblemText = anyRouteProblem(spec.route);
  if (routeProblemText !== undefined) throw new OriginateInputError('route', routeProblemText);
  for (const context of [spec.endpoint.context, spec.context]) {
    const problem = routeProblem(context, 'context');
    if (problem !== undefined) throw new OriginateInputError('context', problem);
  }
  if (spec.endpoint.type !== 'loopback' || spec.dialplan !== 'XML') {
    throw new OriginateInputError('destination', 'must be a loopback endpoint with the XML dialplan');
  }

  const seen = new Set<string>();
  const items = spec.vars.map(([name, value]) => {
    checkName(name);
    if (seen.has(name)) throw new OriginateInputError(name, 'is set twice');
    seen.add(name);
    return `${name}=${renderValue(name, value)}`;
  });

  const block = items.length > 0 ? `{${items.join(',')}}` : '';
  const args = `${block}loopback/${spec.endpoint.destination}/${spec.endpoint.context} ${spec.route} XML ${spec.context}`;
  // Defence in depth: the checks above already exclude both.
  if (/[\r\n]/.test(args)) throw new OriginateInputError('command', 'must not contain CR or LF');
  if (EVENT_SOCKET.test(args))
    throw new OriginateInputError('command', 'must not contain "mod_event_socket"');
  return args;
}
