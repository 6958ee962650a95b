import fc from 'fast-check';
import type { ClickToCallDoc } from '../../src/domain';
import { RESERVED_CAV_KEYS } from '../../src/clicktocall/originate-request';
import { resolveRingback } from '../../src/clicktocall/ringback';

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
export type CallIds = { callId: string; accountId: string };

const RESERVED = new Set(RESERVED_CAV_KEYS.map((k) => k.toLowerCase().replace(/_/g, '-')));

const nonEmpty = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** What the `{}` block must carry, computed from docs/originate.md independently of the builder. */
export function expectedVars(
  cfg: ClickToCallDoc,
  contact: string,
  context: string,
  ids: CallIds,
): Record<string, string> {
  const ext = cfg.extension;
  const extensionSees = { name: nonEmpty(cfg.name), number: nonEmpty(cfg.caller_id_number) ?? contact };
  const contactSees = {
    name: nonEmpty(cfg.outbound_callee_id_name) ?? ext,
    number: nonEmpty(cfg.outbound_callee_id_number) ?? ext,
  };
  const extFirst = (cfg.dial_first ?? 'extension') === 'extension';
  const [caller, callee] = extFirst ? [extensionSees, contactSees] : [contactSees, extensionSees];
  const bypass = cfg.bypass_media === true || cfg.bypass_media === 'true';
  const timeout = String(cfg.timeout ?? 30);
  const exports = ['c2c_call_id', 'c2c_id', 'c2c_account_id', 'presence_data'];
  if (bypass) {
    exports.push('nolocal:bypass_media_after_bridge', 'source', 'nolocal:source');
    exports.push('nolocal:effective_caller_id_name', 'nolocal:effective_caller_id_number');
  }
  const v: Record<string, string> = {
    origination_uuid: ids.callId,
    c2c_call_id: ids.callId,
    c2c_id: cfg.id,
    c2c_account_id: ids.accountId,
    presence_data: ids.callId,
    export_vars: exports.join(','),
    ignore_early_media: String(cfg.media?.ignore_early_media ?? true),
    originate_timeout: timeout,
    call_timeout: timeout,
    origination_caller_id_number: caller.number,
    origination_callee_id_number: callee.number,
  };
  if (caller.name !== undefined) v['origination_caller_id_name'] = caller.name;
  if (callee.name !== undefined) v['origination_callee_id_name'] = callee.name;
  if (nonEmpty(cfg.ringback) !== undefined) v['transfer_ringback'] = resolveRingback(cfg.ringback as string);
  const moh = nonEmpty(cfg.music_on_hold?.media_id);
  if (moh !== undefined) v['hold_music'] = moh;
  if (nonEmpty(cfg.presence_id) !== undefined) v['presence_id'] = cfg.presence_id as string;
  const headers = cfg.custom_sip_headers ?? {};
  for (const [name, value] of Object.entries(headers)) {
    if (name !== 'in' && name !== 'out' && typeof value !== 'object') v[`sip_h_${name}`] = String(value);
  }
  for (const [name, value] of Object.entries(headers.out ?? {})) v[`sip_h_${name}`] = String(value);
  void context;
  return v;
}

export function addCavs(
  v: Record<string, string>,
  cfg: ClickToCallDoc,
  requestVars: Record<string, string>,
): void {
  for (const vars of [cfg.custom_application_vars, requestVars]) {
    for (const [k, value] of Object.entries(vars)) {
      if (!RESERVED.has(k.toLowerCase().replace(/_/g, '-'))) v[`cav_${k}`] = value;
    }
  }
  const bypass = cfg.bypass_media === true || cfg.bypass_media === 'true';
  if (bypass) {
    v['loopback_bowout_on_execute'] = 'true';
    v['nolocal:bypass_media_after_bridge'] = 'true';
    v['nolocal:source'] = 'c2c';
    const name = v['origination_callee_id_name'];
    if (name !== undefined) v['nolocal:effective_caller_id_name'] = name;
    v['nolocal:effective_caller_id_number'] = v['origination_callee_id_number'] as string;
  }
}
