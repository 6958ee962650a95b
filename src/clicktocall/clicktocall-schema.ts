/**
 * The one JSON schema of a click-to-call configuration (README, Configuration fields): the API validates with it, and the
 * OpenAPI document is generated from it. It is Kazoo's schema of a clicktocall document (the same fields, types and
 * required keys) with our safety bounds added: string and list maxima, the characters of an extension, the checks of
 * values passed to FreeSWITCH. Integers and booleans are coerced as Kazoo does before it applies (kazoo-coercion.ts).
 * Custom keywords (defined in validation.ts; `'or-empty'` instead of `true` also accepts the empty string):
 * - `x-channel-value`: the string is passed to FreeSWITCH inside `{}` and must be passable there;
 * - `x-regex`: the string must compile as a regular expression in RE2 syntax (whitelist.ts);
 * - `x-ringback`: the string is a ringback FreeSWITCH can play (tone, URI, file or known name: ringback.ts);
 * - `x-sip-header`: a custom header name that is not one of the headers the SIP stack owns;
 * - `x-callback-url`: an http(s) URL without credentials (src/webhooks/callback-url.ts).
 */
import { DEFAULT_EVENTS, EVENT_STATUSES } from '../webhooks/events';

/** A text that must not be empty (Kazoo's `minLength: 1`, which alone reports the empty string). */
const text = (maxLength: number, extra: object = {}) => ({
  type: 'string',
  minLength: 1,
  maxLength,
  'x-channel-value': 'or-empty',
  ...extra,
});

/**
 * An optional text: Kazoo sets no minimum, so the empty string a web form sends is accepted, stored as sent, and
 * treated as absent when the call is placed (originate-request.ts).
 */
const optionalText = (maxLength: number, extra: object = {}) => ({
  type: 'string',
  maxLength,
  'x-channel-value': 'or-empty',
  ...extra,
});

/**
 * The characters an extension may hold: anything else changes a dial string's meaning. `undef` is FreeSWITCH's word
 * for "no argument": originate turns it into NULL. Empty is accepted (Kazoo sets no minimum); a connect then
 * answers 400 `data.extension.required` (connect-service.ts).
 */
export const ROUTE_PATTERN = '^(?!undef$)[0-9A-Za-z_.+*#-]*$';
const HEADER_NAME_PATTERN = '^[A-Za-z0-9_-]+$';
/** Kazoo's key pattern of custom_application_vars is unanchored; ours is anchored and also allows `.` (`lead.id`). */
const VAR_KEY_PATTERN = '^[A-Za-z0-9_.-]+$';
/** music_on_hold.media_id: empty, a file path, a stream URI, or a Kazoo media id (32 hex: ringback.ts). */
const HOLD_MUSIC_PATTERN = '^(?:$|/|local_stream://|tone_stream://|http_cache://|[0-9a-f]{32}$)';

/** A flat header's value: a string, a number or a boolean, sent as text. */
const sipHeaderValue = {
  type: ['string', 'number', 'boolean'],
  maxLength: 512,
  'x-channel-value': true,
};

/** `in` and `out`: Kazoo's definition of custom SIP headers, whose values are strings. */
const sipHeaders = {
  type: 'object',
  maxProperties: 32,
  propertyNames: { pattern: HEADER_NAME_PATTERN, maxLength: 64, 'x-sip-header': true },
  additionalProperties: { type: 'string', maxLength: 512, 'x-channel-value': true },
};

/** Where a call's status events go (docs/webhooks.md): a configuration's, or a connect's for that call. */
export const STATUS_CALLBACK_SCHEMA = {
  type: 'object',
  required: ['url'],
  additionalProperties: false,
  properties: {
    url: {
      type: 'string',
      minLength: 1,
      maxLength: 2048,
      'x-callback-url': true,
      description: 'The receiver: an http or https URL',
    },
    method: { type: 'string', enum: ['POST', 'PUT'], default: 'POST', description: 'The HTTP method' },
    events: {
      type: 'array',
      minItems: 1,
      maxItems: EVENT_STATUSES.length,
      uniqueItems: true,
      items: { type: 'string', enum: [...EVENT_STATUSES] },
      default: [...DEFAULT_EVENTS],
      description: 'The call statuses that send an event (default: the final ones)',
    },
  },
  description: "Where each call's status events are sent, signed (Standard Webhooks)",
} as const;

export const CLICKTOCALL_SCHEMA = {
  $id: 'clicktocall',
  type: 'object',
  required: ['name', 'extension'],
  properties: {
    auth_required: {
      type: 'boolean',
      default: true,
      description: 'Determines if this click to call requires valid auth-tokens when invoked',
    },
    bypass_media: {
      type: ['boolean', 'string'],
      enum: [true, false, 'true', 'false', 'auto'],
      description: 'Direct media between the two phones once connected (the string form is deprecated)',
    },
    caller_id_number: optionalText(64, { description: 'Explicitly set caller id number' }),
    custom_application_vars: {
      type: 'object',
      default: {},
      maxProperties: 64,
      propertyNames: { pattern: VAR_KEY_PATTERN, maxLength: 64 },
      additionalProperties: { type: 'string', maxLength: 512, 'x-channel-value': true },
      description: 'Key-value pairs to set as custom_application_vars on the channel',
    },
    custom_sip_headers: {
      type: 'object',
      maxProperties: 34,
      propertyNames: { pattern: HEADER_NAME_PATTERN, maxLength: 64, 'x-sip-header': true },
      properties: { in: sipHeaders, out: sipHeaders },
      additionalProperties: sipHeaderValue,
      description: 'SIP headers added to the INVITEs (flat form or `out`); `in` is stored, not sent',
    },
    dial_first: {
      type: 'string',
      enum: ['extension', 'contact'],
      description: 'Determines what will be dialed first: extension or contact',
    },
    extension: optionalText(64, {
      pattern: ROUTE_PATTERN,
      description: 'The extension to connect to when the click to call is invoked',
    }),
    media: {
      type: 'object',
      properties: {
        ignore_early_media: {
          type: 'boolean',
          description: 'The option to determine if early media from the endpoint should always be ignored',
        },
      },
    },
    music_on_hold: {
      type: 'object',
      properties: {
        media_id: optionalText(2048, {
          pattern: HOLD_MUSIC_PATTERN,
          description:
            'Music on hold: an absolute file path, a local_stream://, tone_stream:// or http_cache:// URI, or the ID of a media object (32 hex digits)',
        }),
      },
    },
    name: text(128, { description: 'A friendly name for the click to call' }),
    outbound_callee_id_name: optionalText(1024, {
      description: 'Callee ID Name of the device calling out to the contact number',
    }),
    outbound_callee_id_number: optionalText(64, {
      description: 'Callee ID Number of the device calling out to the contact number',
    }),
    presence_id: optionalText(1024, { description: 'Static presence ID (used instead of SIP username)' }),
    // x-ringback checks what x-channel-value checks, after resolving `${us-ring}` (ringback.ts).
    ringback: { type: 'string', maxLength: 1024, 'x-ringback': 'or-empty', description: 'Ringback to use' },
    throttle: {
      type: 'integer',
      minimum: 0,
      maximum: 100000,
      description: 'The most connects allowed in any 60-second window (0 or absent: unlimited)',
    },
    timeout: {
      type: 'integer',
      minimum: 1,
      maximum: 3600,
      description: 'How long, in seconds, to wait for each party to answer (default 30)',
    },
    status_callback: STATUS_CALLBACK_SCHEMA,
    whitelist: {
      type: 'array',
      maxItems: 64,
      items: { type: 'string', minLength: 1, maxLength: 256, 'x-regex': true },
      description: 'A list of regular expressions that the click to call can dial to',
    },
  },
} as const;

/** Strings of keys the schema does not know are still bounded. */
export const UNKNOWN_STRING_MAX = 1024;
