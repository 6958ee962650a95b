/**
 * A click-to-call's four channels and builders of the events the tracker reads, for the call-state machine's
 * tests (times in ms after the originate).
 */
import { initialState, transition, type CallEvent, type CallState } from '../../src/calls/call-state';
export const CALL = 'c2c-0123456789abcdef0123456789abcdef-0a1b2c3d4e'; // loopback-a's uuid = the call id
export const LB_B = 'b0000000-0000-4000-8000-00000000000b';
export const FIRST = 'f1000000-0000-4000-8000-0000000000f1';
export const SECOND = 'f2000000-0000-4000-8000-0000000000f2';
export const FOREIGN = 'e9000000-0000-4000-8000-0000000000e9';
const T0 = Date.parse('2025-03-01T12:00:00.000Z');
export const at = (ms: number): string => new Date(T0 + ms).toISOString();
export const msOf = (e: CallEvent): number => Date.parse(e.at) - T0;
const sip = (uuid: string): boolean => uuid !== CALL && uuid !== LB_B;

export const NC = 'NORMAL_CLEARING';
export const OC = 'ORIGINATOR_CANCEL';
type HangupExtra = { disposition?: string; sipStatus?: string; dialStatus?: string };
const channelEvent =
  (type: 'created' | 'ringing' | 'answered') =>
  (uuid: string, ms: number): CallEvent => ({ type, uuid, sip: sip(uuid), at: at(ms) });
export const created = channelEvent('created');
/** A SIP leg as FreeSWITCH reports it: with the channel that placed it (`variable_originator`). */
export const createdBy = (uuid: string, ms: number, originator: string): CallEvent => ({
  type: 'created',
  uuid,
  sip: sip(uuid),
  originator,
  at: at(ms),
});
export const ringing = channelEvent('ringing');
export const answered = channelEvent('answered');
export const hangup = (uuid: string, ms: number, cause: string, extra: HangupExtra = {}): CallEvent => ({
  type: 'hangup',
  uuid,
  sip: sip(uuid),
  cause,
  at: at(ms),
  ...extra,
});
export const jobOk = (ms: number, uuid = CALL): CallEvent => ({ type: 'job', ok: true, uuid, at: at(ms) });
export const jobErr = (ms: number, cause: string): CallEvent => ({
  type: 'job',
  ok: false,
  cause,
  at: at(ms),
});
export const cancel = (ms: number): CallEvent => ({ type: 'cancel_requested', at: at(ms) });
export const gone = (ms: number, cause?: string): CallEvent => ({
  type: 'gone',
  at: at(ms),
  ...(cause !== undefined && { cause }),
});
export const BYE = { disposition: 'recv_bye', sipStatus: '200' };
export const SEND_BYE = { disposition: 'send_bye' };
export const SEND_CANCEL = { disposition: 'send_cancel' };
export const REFUSED = { disposition: 'recv_refuse' };
export const not = (uuid: string, type: CallEvent['type']) => (e: CallEvent) =>
  e.type !== type || !('uuid' in e) || e.uuid !== uuid;

function deepFreeze<T>(o: T): T {
  if (o !== null && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

/** Applies events in order; every intermediate state is frozen, so a mutating transition throws. */
export const run = (events: CallEvent[], from: CallState = initialState(CALL, at(0))): CallState =>
  events.reduce((state, event) => transition(deepFreeze(state), event), from);

// ---- timelines after the captures (ms after the originate; the recordings of docs/README.md#recordings) ----

/** Originate: the loopback pair, then the first party's SIP leg rings. */
export const placed: CallEvent[] = [
  created(CALL, 25),
  created(LB_B, 26),
  created(FIRST, 30),
  ringing(FIRST, 32),
];
/** The first party answers; the job's +OK comes 2 ms later (close enough to arrive first). */
export const firstUp: CallEvent[] = [
  ...placed,
  answered(FIRST, 33),
  jobOk(35),
  answered(CALL, 49),
  answered(LB_B, 50),
];
export const secondRings: CallEvent[] = [...firstUp, created(SECOND, 66), ringing(SECOND, 68)];
export const connected: CallEvent[] = [...secondRings, answered(SECOND, 70)];
