import {
  buildOriginate,
  channelValueProblem,
  OriginateInputError,
  routeProblem,
  type OriginateVar,
} from '../../esl';
import type { Account, ClickToCallDoc, SipHeaderValue } from '../domain';
import { normalizeDigits } from './contact';
import {
  DEFAULT_MEDIA_LOCATION,
  holdMusicProblem,
  resolveHoldMusic,
  resolveRingback,
  ringbackProblem,
} from './ringback';

export type OriginateRequestInput = {
  config: ClickToCallDoc;
  account: Account;
  /** The dialplan context: `account.context` ?? the service's DIALPLAN_CONTEXT. */
  context: string;
  /** The contact, already normalized (`normalizeContact`). */
  contact: string;
  /** The request's custom_application_vars (body only). */
  requestVars: Record<string, string>;
  /** `c2c-<config id>-<10 hex>`: the origination_uuid of loopback-a. */
  callId: string;
  /**
   * Whether the first party's phone answers by itself (Kazoo's `auto_answer`): sent as `c2c_auto_answer=true`,
   * which the shipped dialplan turns into `sip_auto_answer` for the first party's phone only
   * (docs/originate.md#auto-answer). Default false.
   */
  autoAnswer?: boolean;
  /** The template a Kazoo media id of `music_on_hold.media_id` is resolved with (default DEFAULT_MEDIA_LOCATION). */
  mediaLocation?: string;
};

export type OriginateRequest = {
  /** `originate {…}loopback/<first>/<context> <second> XML <context>` (the ESL client adds `bgapi`). */
  command: string;
  /** The 202 `data`: Kazoo's originate request shape (seed), plus `call_id`. */
  echo: Record<string, unknown>;
};

/**
 * Kazoo's reserved custom channel variable keys (`kapps_call_command_types.hrl`, `DEFAULT_CCV_KEYS`, used by
 * `kapps_call_util:filter_ccvs/1` on custom_application_vars). Compared case-insensitively, `_` = `-`.
 */
export const RESERVED_CAV_KEYS: readonly string[] = Object.freeze([
  'Account-ID',
  'Account-Name',
  'Account-Realm',
  'Authorizing-ID',
  'Authorizing-Type',
  'Auto-Answer',
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
]);

const reservedKey = (key: string): string => key.toLowerCase().replace(/_/g, '-');
const RESERVED = new Set(RESERVED_CAV_KEYS.map(reservedKey));

/** Kazoo's export_custom_channel_vars of a click-to-call (echoed only). */
const EXPORTED_CCVS = [
  'Account-ID',
  'Authorizing-ID',
  'Authorizing-Type',
  'Loopback-Request-URI',
  'From-URI',
  'Request-URI',
];

/** Correlation variables carried by all four legs (h2-export-vars-escaped, h8). */
const CORRELATION_EXPORTS = ['c2c_call_id', 'c2c_id', 'c2c_account_id', 'presence_data'];

/** Batch 3's "b5 recipe": direct media once both parties are connected (i3-b5-recipe-*). */
const RECIPE_EXPORTS = [
  'nolocal:bypass_media_after_bridge',
  'source',
  'nolocal:source',
  'nolocal:effective_caller_id_name',
  'nolocal:effective_caller_id_number',
];

const KEY_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
const HEADER_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const CALL_ID_PATTERN = /^c2c-[A-Za-z0-9_.-]{1,251}$/;
const DEFAULT_TIMEOUT_S = 30;
const MAX_TIMEOUT_S = 3600;

type Party = { name: string | undefined; number: string };

function fail(field: string, problem: string): never {
  throw new OriginateInputError(field, problem);
}

/**
 * Whether the contact's phone would show the extension as the caller's number: what it sees is
 * `outbound_callee_id_number`, else the extension, in both call orders.
 */
export function contactSeesExtension(config: { outbound_callee_id_number?: unknown }): boolean {
  return nonEmpty(config.outbound_callee_id_number) === undefined;
}

/**
 * A configured number as Kazoo's default converters normalize it: all digits → E.164 the way a contact is
 * (10 NANP digits → `+1…`, `1` + 10 → `+1…`, `011…`/`00…` → `+…`, 8+ digits from 2–9 → `+…`); anything else
 * (a short extension, a number with `+`, a name) stays as it is.
 */
export function normalizeNumber(n: string): string {
  return /^[0-9]+$/.test(n) ? normalizeDigits(n) : n;
}

function nonEmpty(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function checked(field: string, value: string): string {
  const problem = channelValueProblem(value);
  return problem === undefined ? value : fail(field, problem);
}

function checkRoute(field: string, value: string, kind: 'number' | 'extension' | 'context' | 'sip'): string {
  const problem = routeProblem(value, kind);
  return problem === undefined ? value : fail(field, problem);
}

function timeoutOf(config: ClickToCallDoc): number {
  const t = config.timeout ?? DEFAULT_TIMEOUT_S;
  if (!Number.isSafeInteger(t) || t < 1 || t > MAX_TIMEOUT_S)
    fail('timeout', `must be a whole number of seconds from 1 to ${MAX_TIMEOUT_S}`);
  return t;
}

function ignoreEarlyMediaOf(config: ClickToCallDoc): boolean {
  const v: unknown = config.media?.ignore_early_media;
  if (v === undefined) return true;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  return fail('media.ignore_early_media', 'must be a boolean');
}

function dialFirstOf(config: ClickToCallDoc): 'extension' | 'contact' {
  const v: unknown = config.dial_first ?? 'extension';
  return v === 'extension' || v === 'contact' ? v : fail('dial_first', 'must be "extension" or "contact"');
}

function headerString(v: SipHeaderValue): string {
  return typeof v === 'string' ? v : String(v);
}

/** `custom_sip_headers`: the flat form and `out` (which wins); `in` does not apply to click-to-call. */
function sipHeadersOf(config: ClickToCallDoc): Array<[string, string]> {
  const headers = new Map<string, [field: string, value: string]>();
  const all = config.custom_sip_headers ?? {};
  for (const [name, value] of Object.entries(all)) {
    if (name === 'in' || name === 'out' || value === undefined) continue;
    if (typeof value === 'object') fail(`custom_sip_headers.${name}`, 'must be a string, number or boolean');
    headers.set(name, [`custom_sip_headers.${name}`, headerString(value)]);
  }
  for (const [name, value] of Object.entries(all.out ?? {})) {
    headers.set(name, [`custom_sip_headers.out.${name}`, headerString(value)]);
  }
  return [...headers].map(([name, [field, value]]) => {
    if (!HEADER_PATTERN.test(name)) fail(field, 'is not a valid SIP header name');
    return [name, checked(field, value)];
  });
}

/** custom_application_vars: the configuration's, overlaid by the request's, Kazoo's reserved keys dropped. */
function applicationVarsOf(
  config: ClickToCallDoc,
  requestVars: Record<string, string>,
): Record<string, string> {
  // A Map, not an object literal: a key such as `__proto__` must stay an ordinary key.
  const merged = new Map<string, string>();
  const sources: Array<[string, Record<string, unknown>]> = [
    ['custom_application_vars', config.custom_application_vars ?? {}],
    ['custom_application_vars', requestVars],
  ];
  for (const [prefix, vars] of sources) {
    for (const [key, value] of Object.entries(vars)) {
      if (RESERVED.has(reservedKey(key))) continue;
      const field = `${prefix}.${key}`;
      if (!KEY_PATTERN.test(key)) fail(field, 'is not a valid variable name');
      if (typeof value !== 'string') fail(field, 'must be a string');
      merged.set(key, checked(field, value));
    }
  }
  return Object.fromEntries(merged);
}

/**
 * Builds the one `originate` of a connect (docs/originate.md#variables) and the 202 answer describing it. Pure: validates
 * every input (throwing {@link OriginateInputError} with the configuration's field path), never touches the
 * network.
 */
export function buildOriginateRequest(input: OriginateRequestInput): OriginateRequest {
  const { config, account } = input;
  const callId = CALL_ID_PATTERN.test(input.callId)
    ? input.callId
    : fail('call_id', 'is not a click-to-call id');
  const extension = checkRoute('extension', config.extension, 'extension');
  const contactIsSip = input.contact.startsWith('sip:');
  const contact = checkRoute('contact', input.contact, contactIsSip ? 'sip' : 'number');
  const context = checkRoute('context', input.context, 'context');
  const configId = checked('id', config.id);
  const accountId = checked('account_id', account.id);
  const realm = checked('realm', account.realm);

  const dialFirst = dialFirstOf(config);
  const timeout = timeoutOf(config);
  const ignoreEarlyMedia = ignoreEarlyMediaOf(config);
  const bypass = config.bypass_media === true || config.bypass_media === 'true';

  // h3: origination_caller_id_* is what the FIRST party's phone shows, origination_callee_id_* the second's.
  const extensionSees: Party = {
    name: nonEmpty(config.name) === undefined ? undefined : checked('name', config.name),
    number: checked('caller_id_number', nonEmpty(config.caller_id_number) ?? contact),
  };
  // Kazoo's callee: the configured ids, else the extension, numbers normalized as its converters do.
  const calleeNumber = normalizeNumber(nonEmpty(config.outbound_callee_id_number) ?? extension);
  const contactSees: Party = {
    name: checked(
      'outbound_callee_id_name',
      nonEmpty(config.outbound_callee_id_name) ?? normalizeNumber(extension),
    ),
    number: checked('outbound_callee_id_number', calleeNumber),
  };
  const [first, second] = dialFirst === 'extension' ? [extension, contact] : [contact, extension];
  const [callerId, calleeId] =
    dialFirst === 'extension' ? [extensionSees, contactSees] : [contactSees, extensionSees];

  const ringback = config.ringback === undefined || config.ringback === '' ? undefined : config.ringback;
  if (ringback !== undefined) {
    const problem = ringbackProblem(ringback);
    if (problem !== undefined) fail('ringback', problem);
  }
  const holdMusic = nonEmpty(config.music_on_hold?.media_id);
  if (holdMusic !== undefined) {
    const problem = holdMusicProblem(holdMusic);
    if (problem !== undefined) fail('music_on_hold.media_id', problem);
  }
  const presenceId = nonEmpty(config.presence_id);
  if (presenceId !== undefined) checked('presence_id', presenceId);
  const headers = sipHeadersOf(config);
  const cavs = applicationVarsOf(config, input.requestVars);

  const vars: OriginateVar[] = [
    ['origination_uuid', callId],
    ['c2c_call_id', callId],
    ['c2c_id', configId],
    ['c2c_account_id', accountId],
    ['presence_data', callId],
    ['export_vars', bypass ? [...CORRELATION_EXPORTS, ...RECIPE_EXPORTS] : CORRELATION_EXPORTS],
    ['ignore_early_media', String(ignoreEarlyMedia)],
    ['originate_timeout', String(timeout)],
    ['call_timeout', String(timeout)],
  ];
  if (callerId.name !== undefined) vars.push(['origination_caller_id_name', callerId.name]);
  vars.push(['origination_caller_id_number', callerId.number]);
  if (calleeId.name !== undefined) vars.push(['origination_callee_id_name', calleeId.name]);
  vars.push(['origination_callee_id_number', calleeId.number]);
  if (input.autoAnswer === true) vars.push(['c2c_auto_answer', 'true']);
  if (ringback !== undefined) vars.push(['transfer_ringback', resolveRingback(ringback)]);
  if (holdMusic !== undefined)
    vars.push([
      'hold_music',
      checked(
        'music_on_hold.media_id',
        resolveHoldMusic(holdMusic, {
          mediaLocation: input.mediaLocation ?? DEFAULT_MEDIA_LOCATION,
          accountId,
        }),
      ),
    ]);
  if (presenceId !== undefined) vars.push(['presence_id', presenceId]);
  for (const [name, value] of headers) vars.push([`sip_h_${name}`, value]);
  for (const [key, value] of Object.entries(cavs)) vars.push([`cav_${key}`, value]);
  if (bypass) {
    // Never bypass_media=true or proxy_media=true: the call fails (h6, i3-c1).
    vars.push(['loopback_bowout_on_execute', 'true']);
    vars.push(['nolocal:bypass_media_after_bridge', 'true']);
    vars.push(['nolocal:source', 'c2c']);
    if (calleeId.name !== undefined) vars.push(['nolocal:effective_caller_id_name', calleeId.name]);
    vars.push(['nolocal:effective_caller_id_number', calleeId.number]);
  }

  const args = buildOriginate({
    vars,
    endpoint: { type: 'loopback', destination: first, context },
    route: second,
    dialplan: 'XML',
    context,
  });

  // As Kazoo builds them: the request URIs from the caller's number (caller_id_number, else the contact), the From
  // URI from the callee's. A SIP contact is its own user@host (Kazoo would append the realm to the whole URI).
  const callerNumber = nonEmpty(config.caller_id_number);
  const requestUser =
    callerNumber !== undefined
      ? `${callerNumber}@${realm}`
      : contactIsSip
        ? contact.slice('sip:'.length)
        : `${contact}@${realm}`;
  const echo: Record<string, unknown> = {
    application_data: { route: second },
    application_name: 'transfer',
    continue_on_fail: true,
    custom_application_vars: cavs,
    custom_channel_vars: {
      account_id: accountId,
      authorizing_id: configId,
      authorizing_type: 'clicktocall',
      auto_answer_loopback: input.autoAnswer === true,
      from_uri: `${calleeNumber}@${realm}`,
      inherit_codec: false,
      loopback_request_uri: requestUser,
      request_uri: requestUser,
      retain_cid: true,
    },
    dial_endpoint_method: 'single',
    endpoints: [{ invite_format: 'loopback', route: first, to_did: first, to_realm: realm }],
    export_custom_channel_vars: [...EXPORTED_CCVS],
    ignore_early_media: ignoreEarlyMedia,
    loopback_bowout: bypass ? 'true' : 'false',
    outbound_call_id: callId,
    outbound_callee_id_name: calleeId.name ?? calleeId.number,
    outbound_callee_id_number: calleeId.number,
    outbound_caller_id_name: callerId.name ?? callerId.number,
    outbound_caller_id_number: callerId.number,
    simplify_loopback: 'false',
    start_control_process: 'false',
    timeout,
    call_id: callId,
  };
  if (config.bypass_media !== undefined) echo['bypass_media'] = config.bypass_media;
  if (holdMusic !== undefined) echo['hold_media'] = holdMusic;
  if (presenceId !== undefined) echo['presence_id'] = presenceId;
  if (ringback !== undefined) echo['ringback'] = resolveRingback(ringback);
  if (headers.length > 0) echo['custom_sip_headers'] = Object.fromEntries(headers);

  return { command: `originate ${args}`, echo };
}
