import { routeProblem } from '../../esl';

export type ContactKind = 'number' | 'sip';

export type NormalizedContact =
  { ok: true; contact: string; kind: ContactKind } | { ok: false; reason: string };

const MAX_CONTACT_LENGTH = 64;
const DECORATION = /[ .()-]/g;

function invalid(reason: string): NormalizedContact {
  return { ok: false, reason };
}

function normalizeSip(raw: string, allowSip: boolean): NormalizedContact {
  if (!allowSip) return invalid('SIP URIs are not allowed for this account');
  const uri = `sip:${raw.slice(4)}`;
  const problem = routeProblem(uri, 'sip');
  return problem === undefined ? { ok: true, contact: uri, kind: 'sip' } : invalid(`contact ${problem}`);
}

/** Digits as a number in E.164 where Kazoo's default converters would make one (see normalizeContact). */
export function normalizeDigits(digits: string): string {
  if (/^[2-9][0-9]{9}$/.test(digits)) return `+1${digits}`;
  if (/^1[0-9]{10}$/.test(digits)) return `+${digits}`;
  if (/^011[0-9]+$/.test(digits)) return `+${digits.slice(3)}`;
  if (/^00[0-9]+$/.test(digits)) return `+${digits.slice(2)}`;
  if (/^[2-9][0-9]{7,}$/.test(digits)) return `+${digits}`;
  return digits;
}

/**
 * Normalizes the contact of a connect (docs/originate.md#contact): spaces, dashes, dots and parentheses are dropped, a
 * leading `+` is kept; NANP 10 digits → `+1…`, 11 digits starting with 1 → `+1…`, `011…`/`00…` → `+…`,
 * 8+ digits starting 2–9 → `+…`; short internal numbers (`2601`, `*97`) stay. A `sip:user@host` contact is
 * accepted when `allowSip`. Anything else is refused with a short reason.
 */
export function normalizeContact(raw: string, opts: { allowSip: boolean }): NormalizedContact {
  if (raw.length > MAX_CONTACT_LENGTH)
    return invalid(`contact must not be longer than ${MAX_CONTACT_LENGTH} characters`);
  const trimmed = raw.replace(/^ +| +$/g, '');
  if (/^sip:/i.test(trimmed)) return normalizeSip(trimmed, opts.allowSip);

  const compact = trimmed.replace(DECORATION, '');
  if (compact === '') return invalid('contact must not be empty');
  let contact: string;
  if (/^\+[0-9]+$/.test(compact)) contact = compact;
  else if (/^[0-9]+$/.test(compact)) contact = normalizeDigits(compact);
  else if (/^[0-9*#]+$/.test(compact)) contact = compact;
  else return invalid('contact must be a phone number (digits, an optional leading +, * and #)');

  const problem = routeProblem(contact, 'number');
  return problem === undefined ? { ok: true, contact, kind: 'number' } : invalid(`contact ${problem}`);
}
