import fc from 'fast-check';
import type { ClickToCallDoc } from '../../src/domain';
import {
  BYPASS_EFFECTIVE_CALLER_ID,
  BYPASS_MEDIA_ON,
  BYPASS_RECIPE_EXPORTS,
  BYPASS_RECIPE_VARS,
  CALL_ORDER,
  CONTACT_MAX_LENGTH,
  CONTACT_SEPARATORS,
  CORRELATION_EXPORTS,
  DEFAULT_DIAL_FIRST,
  DEFAULT_IGNORE_EARLY_MEDIA,
  DEFAULT_TIMEOUT_S,
  expectedContact,
  expectedRingback,
  isReservedCavKey,
  PHONE_SHOWS,
  normalizedNumber,
  AUTO_ANSWER_VAR,
  writtenContact,
  type ContactForm,
  type Party,
} from './product-rules';

/*
 * The oracles of the originate property tests (test/esl/originate-fuzz.test.ts,
 * test/hardening/http-fuzz.test.ts). Expected values come only from test/support/product-rules.ts (literal
 * data written from docs/originate.md), never from src/ or esl/.
 */

/** Pieces of hostile input: originate syntax, escapes, control characters, the event-socket kill words. */
export const HOSTILE_TOKENS = [
  ' ',
  '  ',
  ',',
  "'",
  '"',
  '\\',
  '=',
  '|',
  '&',
  '[',
  ']',
  '{',
  '}',
  '^',
  '^^',
  '^^:',
  '${',
  '$${',
  '${uuid}',
  '}{',
  '\r',
  '\n',
  '\r\n',
  '\t',
  '\u0000',
  '\u0085',
  '\u2028',
  'mod_event_socket',
  'MOD_Event_Socket',
  'unload',
  'reload',
  '\\s',
  '\\n',
  '\\,',
  "\\'",
  '\\\\',
  'é',
  '中',
  '😀',
  '\ud800',
  'a',
  'Z',
  '0',
  '1',
  '9',
  '+',
  '*',
  '#',
  '/',
  ':_:',
  '<',
  '>',
  ')',
  '(',
  'sip:',
  '@',
  '.',
  '-',
  '_',
  'undef',
  'XML',
  'loopback/',
  '&transfer(',
  '%(',
  'Job-UUID: x',
];

/** Strings built from hostile tokens, arbitrary unicode, and very long strings. */
export const hostile: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.array(fc.constantFrom(...HOSTILE_TOKENS), { maxLength: 24 }).map((t) => t.join('')),
  },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ minLength: 500, maxLength: 5000 }) },
);

/** The ids the expected variables carry. */
export type CallIds = { callId: string; accountId: string; autoAnswer?: boolean };

const nonEmpty = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** What a party's phone shows, from PHONE_SHOWS: the configured field, else the documented default. */
export function phoneShows(
  party: Party,
  cfg: ClickToCallDoc,
  routes: Record<Party, string>,
): { name: string | undefined; number: string } {
  const rule = PHONE_SHOWS[party];
  const pick = (r: (typeof rule)['name']): string | undefined => {
    const given = nonEmpty(cfg[r.field]);
    if (given !== undefined) return r.normalized === 'both' ? normalizedNumber(given) : given;
    if (r.otherwise === null) return undefined;
    return r.normalized === 'none' ? routes[r.otherwise] : normalizedNumber(routes[r.otherwise]);
  };
  const number = pick(rule.number);
  if (number === undefined) throw new Error(`product-rules: no number for the ${party}'s phone`);
  return { name: pick(rule.name), number };
}

/** Whether the configuration asks for the bypass recipe (docs/originate.md#bypass-media). */
export function bypassOn(cfg: ClickToCallDoc): boolean {
  return BYPASS_MEDIA_ON.includes(cfg.bypass_media);
}

/** The dial string's parties for a configuration: `loopback/<first>/…` and the positional `<second>`. */
export function expectedRoutes(cfg: ClickToCallDoc, contact: string): { first: string; second: string } {
  const routes: Record<Party, string> = { extension: cfg.extension, contact };
  const order = CALL_ORDER[cfg.dial_first ?? DEFAULT_DIAL_FIRST];
  return { first: routes[order.first], second: routes[order.second] };
}

/**
 * What the `{}` block must carry, apart from the application variables ({@link addCavs}), computed from the
 * tables of test/support/product-rules.ts (docs/originate.md#variables).
 */
export function expectedVars(
  cfg: ClickToCallDoc,
  contact: string,
  context: string,
  ids: CallIds,
): Record<string, string> {
  const routes: Record<Party, string> = { extension: cfg.extension, contact };
  const order = CALL_ORDER[cfg.dial_first ?? DEFAULT_DIAL_FIRST];
  const caller = phoneShows(order.callerIdOf, cfg, routes);
  const callee = phoneShows(order.calleeIdOf, cfg, routes);
  const bypass = bypassOn(cfg);
  const timeout = String(cfg.timeout ?? DEFAULT_TIMEOUT_S);
  const exports = bypass ? [...CORRELATION_EXPORTS, ...BYPASS_RECIPE_EXPORTS] : [...CORRELATION_EXPORTS];
  const v: Record<string, string> = {
    origination_uuid: ids.callId,
    c2c_call_id: ids.callId,
    c2c_id: cfg.id,
    c2c_account_id: ids.accountId,
    presence_data: ids.callId,
    export_vars: exports.join(','),
    ignore_early_media: String(cfg.media?.ignore_early_media ?? DEFAULT_IGNORE_EARLY_MEDIA),
    originate_timeout: timeout,
    call_timeout: timeout,
    origination_caller_id_number: caller.number,
    origination_callee_id_number: callee.number,
  };
  if (ids.autoAnswer === true) v[AUTO_ANSWER_VAR.name] = AUTO_ANSWER_VAR.value;
  if (caller.name !== undefined) v['origination_caller_id_name'] = caller.name;
  if (callee.name !== undefined) v['origination_callee_id_name'] = callee.name;
  const ringback = nonEmpty(cfg.ringback);
  if (ringback !== undefined) v['transfer_ringback'] = expectedRingback(ringback);
  const moh = nonEmpty(cfg.music_on_hold?.media_id);
  if (moh !== undefined) v['hold_music'] = moh;
  const presence = nonEmpty(cfg.presence_id);
  if (presence !== undefined) v['presence_id'] = presence;
  const headers = cfg.custom_sip_headers ?? {};
  for (const [name, value] of Object.entries(headers)) {
    if (name !== 'in' && name !== 'out' && typeof value !== 'object') v[`sip_h_${name}`] = String(value);
  }
  for (const [name, value] of Object.entries(headers.out ?? {})) v[`sip_h_${name}`] = String(value);
  if (bypass) {
    Object.assign(v, BYPASS_RECIPE_VARS);
    if (callee.name !== undefined) v[BYPASS_EFFECTIVE_CALLER_ID.name] = callee.name;
    v[BYPASS_EFFECTIVE_CALLER_ID.number] = callee.number;
  }
  void context;
  return v;
}

/** Adds `cav_<key>`: the configuration's variables overlaid by the request's, reserved keys dropped. */
export function addCavs(
  v: Record<string, string>,
  cfg: ClickToCallDoc,
  requestVars: Record<string, string>,
): void {
  for (const vars of [cfg.custom_application_vars, requestVars]) {
    for (const [k, value] of Object.entries(vars)) {
      if (!isReservedCavKey(k)) v[`cav_${k}`] = value;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Contacts whose normalized form is known by construction (product-rules CONTACT_FORMS)

/** A raw contact and what it must normalize to (`null`: it must be refused). */
export type ContactCase = { raw: string; expected: string | null; why: string };

const digit = fc.constantFrom(...'0123456789');
const digit1to9 = fc.constantFrom(...'123456789');
const digit2to9 = fc.constantFrom(...'23456789');
const digits = (min: number, max: number): fc.Arbitrary<string> =>
  fc.array(digit, { minLength: min, maxLength: max }).map((d) => d.join(''));
const led = (first: fc.Arbitrary<string>, min: number, max: number): fc.Arbitrary<string> =>
  fc.tuple(first, digits(min - 1, max - 1)).map(([f, r]) => f + r);

/** The digit strings each form is documented for (CONTACT_FORMS[form].body). */
const BODIES: Record<ContactForm, fc.Arbitrary<string>> = {
  e164: digits(1, 20),
  nanp: led(digit2to9, 10, 10),
  nanpWith1: digits(10, 10),
  intl011: digits(1, 20),
  intl00: digits(1, 20),
  national: fc.oneof(led(digit2to9, 8, 9), led(digit2to9, 11, 20)),
  short: led(digit1to9, 1, 7),
  featureCode: fc
    .tuple(
      fc.array(fc.constantFrom(...'0123456789*#'), { maxLength: 31 }),
      fc.constantFrom('*', '#'),
      fc.nat(31),
    )
    .map(([rest, mark, at]) => {
      const i = Math.min(at, rest.length);
      return [...rest.slice(0, i), mark, ...rest.slice(i)].join('');
    }),
};

/** Inserts separators between characters (never before a leading `+`) and blanks around the whole. */
function decorated(written: string): fc.Arbitrary<string> {
  const chars = [...written];
  return fc
    .tuple(
      fc.array(fc.array(fc.constantFrom(...CONTACT_SEPARATORS), { maxLength: 2 }), {
        minLength: chars.length,
        maxLength: chars.length,
      }),
      fc.nat(2),
      fc.nat(2),
    )
    .map(([seps, lead, trail]) => {
      const inner = chars.map((c, i) => (i === 0 && c === '+' ? c : (seps[i] ?? []).join('') + c)).join('');
      return ' '.repeat(lead) + inner + ' '.repeat(trail);
    });
}

const FORMS = Object.keys(BODIES) as ContactForm[];

/** A well-formed phone contact, written with separators: its normalized form is known by construction. */
export const numberContact: fc.Arbitrary<ContactCase> = fc
  .constantFrom(...FORMS)
  .chain((form) =>
    BODIES[form].chain((body) =>
      decorated(writtenContact(form, body)).map((raw): ContactCase =>
        raw.length > CONTACT_MAX_LENGTH
          ? { raw, expected: null, why: `longer than ${CONTACT_MAX_LENGTH}` }
          : { raw, expected: expectedContact(form, body), why: form },
      ),
    ),
  );

const sipUser = fc.stringMatching(/^[A-Za-z0-9_.+*#-]{1,16}$/);
const sipHost = fc
  .array(fc.stringMatching(/^[a-z0-9]{1,8}$/), { minLength: 1, maxLength: 3 })
  .map((labels) => labels.join('.'));

/** `sip:user@host[:port]` (docs/originate.md#routes), kept as it is (with blanks around trimmed). */
export const sipContact: fc.Arbitrary<ContactCase> = fc
  .tuple(sipUser, sipHost, fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }), fc.nat(2))
  .map(([user, host, port, blanks]) => {
    const uri = `sip:${user}@${host}${port === undefined ? '' : `:${port}`}`;
    return { raw: ' '.repeat(blanks) + uri, expected: uri, why: 'sip' };
  });

/** Contacts that must be refused, each for a documented reason. */
export const refusedContact: fc.Arbitrary<ContactCase> = fc.oneof(
  // "anything else": a letter or a syntax character among the digits
  fc
    .tuple(digits(1, 10), fc.constantFrom(...'aZx\'",&|{}[]<>/:;=@_!%'), digits(0, 10))
    .map(([a, bad, b]) => ({ raw: a + bad + b, expected: null, why: `contains ${bad}` })),
  // `+` and more than 20 digits (docs/originate.md#routes)
  digits(21, 30).map((d) => ({ raw: `+${d}`, expected: null, why: 'more than 20 digits' })),
  // more than 32 digits, `*` and `#`
  fc
    .tuple(digits(33, 40), fc.constantFrom('*', '#'))
    .map(([d, m]) => ({ raw: m + d, expected: null, why: 'more than 32 characters' })),
  // more than 64 characters
  digits(1, 8).map((d) => ({ raw: d + ' '.repeat(CONTACT_MAX_LENGTH), expected: null, why: 'too long' })),
  // nothing at all
  fc.nat(3).map((n) => ({ raw: ' '.repeat(n), expected: null, why: 'empty' })),
);

/** Every generated contact case. */
export const contactCase: fc.Arbitrary<ContactCase> = fc.oneof(
  { weight: 6, arbitrary: numberContact },
  { weight: 2, arbitrary: sipContact },
  { weight: 1, arbitrary: refusedContact },
);
