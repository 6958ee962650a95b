/**
 * The product rules of the originate, as literal data written from the documentation (docs/originate.md
 * above all; README.md's "Configuration fields"), for the tests' oracles. Nothing here is imported from
 * src/ or esl/: a test that computes its expected value with the code under test copies the code's bugs
 * into the expectation. The full reserved-key list and the tone of each ringback name are copied from
 * docs/originate.md (#application-variables, #ringback-names), and one test compares them with the code's, so
 * that a change to either side fails until both agree (test/esl/originate-fuzz.test.ts, "product rules").
 * The recordings of test/fixtures/esl/ back the tables where one covers them (same file, "recordings").
 */

/** The parties of a click-to-call (docs/originate.md#parties). */
export type Party = 'extension' | 'contact';
export type DialFirst = Party;

// ---------------------------------------------------------------------------------------------------------
// Application variables (docs/originate.md#application-variables)

/** The first reserved names of docs/originate.md#application-variables; README.md names `Account-ID` and `Authorizing-ID`. */
export const DOCUMENTED_RESERVED_CAV_KEYS: readonly string[] = [
  'Account-ID',
  'Account-Name',
  'Account-Realm',
  'Authorizing-ID',
  'Authorizing-Type',
  'Auto-Answer',
];

/**
 * Kazoo's reserved custom channel variable keys: a `custom_application_vars` key equal to one of them
 * (compared without case, `_` equal to `-`) is dropped, never sent as `cav_<key>`. All 27, in Kazoo's order, as
 * docs/originate.md#application-variables lists them.
 */
export const RESERVED_CAV_KEYS: readonly string[] = [
  ...DOCUMENTED_RESERVED_CAV_KEYS,
  'Call-Forward',
  'Call-Interaction-ID',
  'Ecallmgr-Node',
  'Call-Waiting-Disabled',
  'Confirm-Cancel-Timeout',
  'Confirm-File',
  'Confirm-Key',
  'Fax-Enabled',
  'Fetch-ID',
  'Loopback-Bowout',
  'Media-Encryption-Enforce-Security',
  'Media-Webrtc',
  'Owner-ID',
  'Presence-ID',
  'RTCP-MUX',
  'Realm',
  'Require-Ignore-Early-Media',
  'Retain-CID',
  'SIP-Invite-Domain',
  'Simplify-Loopback',
  'Username',
];

/** "compared without case and with `_` equal to `-`" (docs/originate.md#application-variables). */
const foldKey = (key: string): string => key.replace(/-/g, '_').toLowerCase();
const RESERVED_FOLDED = new Set(RESERVED_CAV_KEYS.map(foldKey));

/** Whether a `custom_application_vars` key is one of Kazoo's reserved keys, and so is dropped. */
export function isReservedCavKey(key: string): boolean {
  return RESERVED_FOLDED.has(foldKey(key));
}

// ---------------------------------------------------------------------------------------------------------
// Ringback (docs/originate.md#ringback)

/**
 * Ringback names and the tone each is sent as (`transfer_ringback`). docs/originate.md#ringback: a name is
 * resolved to "the tone that FreeSWITCH's default `vars.xml` defines for it"; `it-ring` and `pt-ring` are
 * not in `vars.xml` and follow ITU-T E.180 (425 Hz, 1 s on, 4 s and 5 s off). The table is
 * docs/originate.md#ringback-names; README.md ("Configuration fields", `ringback`) lists the eight names users
 * are told about ({@link README_RINGBACK_NAMES}). Copied here, not read from the code.
 */
export const RINGBACK_TONES: Readonly<Record<string, string>> = {
  'au-ring': '%(400,200,383,417);%(400,2000,383,417)',
  'be-ring': '%(1000,3000,425)',
  'ca-ring': '%(2000,4000,440,480)',
  'cn-ring': '%(1000,4000,450)',
  'cy-ring': '%(1500,3000,425)',
  'cz-ring': '%(1000,4000,425)',
  'de-ring': '%(1000,4000,425)',
  'dk-ring': '%(1000,4000,425)',
  'dz-ring': '%(1500,3500,425)',
  'eg-ring': '%(2000,1000,475,375)',
  'es-ring': '%(1500,3000,425)',
  'fi-ring': '%(1000,4000,425)',
  'fr-ring': '%(1500,3500,440)',
  'hk-ring': '%(400,200,440,480);%(400,3000,440,480)',
  'hu-ring': '%(1250,3750,425)',
  'il-ring': '%(1000,3000,400)',
  'in-ring': '%(400,200,425,375);%(400,2000,425,375)',
  'it-ring': '%(1000,4000,425)',
  'jp-ring': '%(1000,2000,420,380)',
  'ko-ring': '%(1000,2000,440,480)',
  'pk-ring': '%(1000,2000,400)',
  'pl-ring': '%(1000,4000,425)',
  'pt-ring': '%(1000,5000,425)',
  'ro-ring': '%(1850,4150,475,425)',
  'rs-ring': '%(1000,4000,425)',
  'ru-ring': '%(800,3200,425)',
  'sa-ring': '%(1200,4600,425)',
  'tr-ring': '%(2000,4000,450)',
  'uk-ring': '%(400,200,400,450);%(400,2000,400,450)',
  'us-ring': '%(2000,4000,440,480)',
};

/** "the service knows these 30" (docs/originate.md#ringback). */
export const DOCUMENTED_RINGBACK_NAME_COUNT = 30;

/** The names README.md documents for `ringback`. */
export const README_RINGBACK_NAMES: readonly string[] = [
  'us-ring',
  'uk-ring',
  'fr-ring',
  'de-ring',
  'it-ring',
  'pt-ring',
  'rs-ring',
  'ru-ring',
];

/** What `transfer_ringback` carries for a `ringback`: a known name's tone, anything else as it is. */
export function expectedRingback(ringback: string): string {
  return Object.hasOwn(RINGBACK_TONES, ringback) ? (RINGBACK_TONES[ringback] as string) : ringback;
}

// ---------------------------------------------------------------------------------------------------------
// Call order and caller ids (docs/originate.md#form, #parties, #caller-id)

/** `dial_first` when the configuration has none (docs/originate.md#parties: "`extension` (default)"). */
export const DEFAULT_DIAL_FIRST: DialFirst = 'extension';

/**
 * Per `dial_first`: which party is dialled first (`loopback/<first>/<context>`), which second (the
 * positional `<second> XML <context>`), and whose phone's view goes into `origination_caller_id_*` (what the
 * first party's phone shows) and `origination_callee_id_*` (what the second party's phone shows).
 */
export const CALL_ORDER: Readonly<
  Record<DialFirst, { first: Party; second: Party; callerIdOf: Party; calleeIdOf: Party }>
> = {
  extension: { first: 'extension', second: 'contact', callerIdOf: 'extension', calleeIdOf: 'contact' },
  contact: { first: 'contact', second: 'extension', callerIdOf: 'contact', calleeIdOf: 'extension' },
};

/** A configuration field, or the party whose route stands in when it is absent. */
type Shown = { field: 'name' | 'caller_id_number' | 'outbound_callee_id_name' | 'outbound_callee_id_number' };
/**
 * `normalized`: which value is shown normalized as Kazoo's converters do ({@link normalizedNumber}): `none`, only
 * the `default` (the party's route standing in), or `both` (the configured field too).
 */
type ShownWithDefault = Shown & { otherwise: Party | null; normalized: 'none' | 'default' | 'both' };

/**
 * What each party's phone shows (docs/originate.md#caller-id): "the extension: `name`, `caller_id_number`;
 * default number: the contact"; "the contact: `outbound_callee_id_name`, `outbound_callee_id_number`;
 * default name and number: the extension". An empty field counts as absent (docs/originate.md#variables).
 * `otherwise: null`: no default, the variable is left out.
 */
export const PHONE_SHOWS: Readonly<Record<Party, { name: ShownWithDefault; number: ShownWithDefault }>> = {
  extension: {
    name: { field: 'name', otherwise: null, normalized: 'none' },
    number: { field: 'caller_id_number', otherwise: 'contact', normalized: 'none' },
  },
  contact: {
    name: { field: 'outbound_callee_id_name', otherwise: 'extension', normalized: 'default' },
    number: { field: 'outbound_callee_id_number', otherwise: 'extension', normalized: 'both' },
  },
};

/**
 * docs/originate.md#caller-id: "the numbers the contact sees (`outbound_callee_id_number`, and the extension
 * standing in for the name and number) are normalized as a contact is when they are all digits; anything else
 * is shown as it is". Written from CONTACT_FORMS below, not from the code.
 */
export function normalizedNumber(n: string): string {
  if (!/^[0-9]+$/.test(n)) return n;
  if (/^[2-9][0-9]{9}$/.test(n)) return expectedContact('nanp', n);
  if (/^1[0-9]{10}$/.test(n)) return expectedContact('nanpWith1', n.slice(1));
  if (/^011[0-9]+$/.test(n)) return expectedContact('intl011', n.slice(3));
  if (/^00[0-9]+$/.test(n)) return expectedContact('intl00', n.slice(2));
  if (/^[2-9][0-9]{7,}$/.test(n)) return expectedContact('national', n);
  return n;
}

// ---------------------------------------------------------------------------------------------------------
// Defaults, correlation and the bypass recipe (docs/originate.md#variables, #timeouts, #correlation,
// #bypass-media)

/** `timeout` when absent: both `originate_timeout` and `call_timeout` (docs/originate.md#variables). */
export const DEFAULT_TIMEOUT_S = 30;
/** `media.ignore_early_media` when absent (docs/originate.md#variables: "default true"). */
export const DEFAULT_IGNORE_EARLY_MEDIA = true;

/**
 * docs/originate.md#auto-answer: "a connect with a token asks for auto-answer unless `auto_answer=false`; it is sent
 * as `c2c_auto_answer=true`"; anonymous and link connects never send it.
 */
export const AUTO_ANSWER_VAR = { name: 'c2c_auto_answer', value: 'true' } as const;

/** `export_vars` of every call (docs/originate.md#correlation). */
export const CORRELATION_EXPORTS: readonly string[] = [
  'c2c_call_id',
  'c2c_id',
  'c2c_account_id',
  'presence_data',
];

/** `bypass_media` values that turn the recipe on (docs/originate.md#bypass-media: `true` or `"true"`). */
export const BYPASS_MEDIA_ON: readonly unknown[] = [true, 'true'];

/** The b5 recipe's fixed variables (docs/originate.md#bypass-media; i3-b5-recipe-*). */
export const BYPASS_RECIPE_VARS: Readonly<Record<string, string>> = {
  loopback_bowout_on_execute: 'true',
  'nolocal:bypass_media_after_bridge': 'true',
  'nolocal:source': 'c2c',
};

/**
 * The recipe's caller id: `nolocal:effective_caller_id_name` and `…_number` = "what the second party is to
 * see (the callee id pair)" (docs/originate.md#bypass-media).
 */
export const BYPASS_EFFECTIVE_CALLER_ID = {
  name: 'nolocal:effective_caller_id_name',
  number: 'nolocal:effective_caller_id_number',
} as const;

/** What `export_vars` gains with the recipe, in this order (docs/originate.md#bypass-media). */
export const BYPASS_RECIPE_EXPORTS: readonly string[] = [
  'nolocal:bypass_media_after_bridge',
  'source',
  'nolocal:source',
  'nolocal:effective_caller_id_name',
  'nolocal:effective_caller_id_number',
];

// ---------------------------------------------------------------------------------------------------------
// The contact (docs/originate.md#contact, #routes)

/** "at most 64 characters" (docs/originate.md#contact). */
export const CONTACT_MAX_LENGTH = 64;

/** "blanks, `-`, `.`, `(` and `)` are dropped" (docs/originate.md#contact). */
export const CONTACT_SEPARATORS: readonly string[] = [' ', '-', '.', '(', ')'];

/**
 * How a contact made of digits is written and what it becomes (docs/originate.md#contact), one row per
 * documented case. A contact is `written + body` (with separators anywhere after a leading `+`, and blanks
 * around it); it normalizes to `normalized + body`. `body` says which digit strings a row is for.
 */
export const CONTACT_FORMS = {
  /** "a leading `+` is kept" (`+` and 1–20 digits: docs/originate.md#routes) */
  e164: { written: '+', normalized: '+', body: '1 to 20 digits' },
  /** "10 digits starting 2–9 (NANP) become `+1…`" */
  nanp: { written: '', normalized: '+1', body: '10 digits, the first 2-9' },
  /** "11 digits starting `1` become `+…`" */
  nanpWith1: { written: '1', normalized: '+1', body: '10 digits' },
  /** "`011…` … become `+…`" */
  intl011: { written: '011', normalized: '+', body: '1 to 20 digits' },
  /** "`00…` become `+…`" */
  intl00: { written: '00', normalized: '+', body: '1 to 20 digits' },
  /** "8 or more digits starting 2–9 become `+…`" (up to 20: docs/originate.md#routes) */
  national: { written: '', normalized: '+', body: '8, 9 or 11 to 20 digits, the first 2-9' },
  /** "shorter numbers (`2601`) stay as they are" */
  short: { written: '', normalized: '', body: '1 to 7 digits, the first 1-9' },
  /** "digits with `*` and `#` (feature codes such as `*97`) stay as they are" (1–32: docs/originate.md#routes) */
  featureCode: { written: '', normalized: '', body: '1 to 32 of digits, * and #, with a * or #' },
} as const;

export type ContactForm = keyof typeof CONTACT_FORMS;

/** What a contact of a form normalizes to: the documented prefix, then the body unchanged. */
export function expectedContact(form: ContactForm, body: string): string {
  return `${CONTACT_FORMS[form].normalized}${body}`;
}

/** How it is written before the separators are added. */
export function writtenContact(form: ContactForm, body: string): string {
  return `${CONTACT_FORMS[form].written}${body}`;
}

/**
 * The routes a normalized contact may be (docs/originate.md#routes): "`+` and 1–20 digits; or 1–32 of
 * digits, `*` and `#`", or `sip:<user>@<host>[:<port>]` with user 1–32 of `[A-Za-z0-9_.+*#-]` and a host of
 * letters, digits, `.` and `-`.
 */
export const CONTACT_ROUTE = {
  number: /^(?:\+[0-9]{1,20}|[0-9*#]{1,32})$/,
  sip: /^sip:[A-Za-z0-9_.+*#-]{1,32}@[A-Za-z0-9.-]+(?::[0-9]{1,5})?$/,
} as const;

/** The only characters a phone-number contact may be written with (digits, `+`, `*`, `#`, separators). */
export const CONTACT_NUMBER_CHARS = /^[0-9+*# ().-]*$/;
