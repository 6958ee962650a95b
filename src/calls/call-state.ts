/**
 * The state of one click-to-call call and its pure, table-driven transition function (docs/call-states.md#transitions).
 * Events are first reduced to a milestone (which party did what), then the status table says where
 * the call goes. No sockets, no clock, no storage: unit-tested alone.
 */

export type CallStatus =
  | 'originating'
  | 'ringing'
  | 'answered'
  | 'connected'
  | 'completed'
  | 'busy'
  | 'no_answer'
  | 'failed'
  | 'canceled';

/** Every status, in the order a call may go through them. */
export const CALL_STATUSES: readonly CallStatus[] = [
  'originating',
  'ringing',
  'answered',
  'connected',
  'completed',
  'busy',
  'no_answer',
  'failed',
  'canceled',
];

export const FINAL_STATUSES: ReadonlySet<CallStatus> = new Set([
  'completed',
  'busy',
  'no_answer',
  'failed',
  'canceled',
]);

export const isFinal = (status: CallStatus): boolean => FINAL_STATUSES.has(status);

/**
 * A party's leg: its phone (a SIP leg), or, for the first party while no phone of it is reached, its loopback leg
 * (`loopback: true`; docs/call-states.md#first-party). Times are ISO-8601.
 */
export type LegState = {
  uuid: string;
  /** The first party's loopback leg standing in for it: its dialplan rings, answers or fails by itself. */
  loopback?: true;
  destination?: string;
  created_at?: string;
  answered_at?: string;
  ended_at?: string;
  hangup_cause?: string;
  sip_status?: string;
  disposition?: string;
};

/** Everything the tracker knows of a call; serializable, stored beside its history record. */
export type CallState = {
  callId: string;
  status: CallStatus;
  result: 'pending' | 'success' | 'error';
  cause?: string;
  createdAt: string;
  answeredAt?: string;
  bridgedAt?: string;
  endedAt?: string;
  hangupCause?: string;
  hungUpBy?: 'first' | 'second';
  first?: LegState;
  second?: LegState;
  /** Loopback legs by uuid: whether each has ended, and loopback-a's DIALSTATUS (a fallback). */
  loopback: Record<string, { ended: boolean; dialStatus?: string }>;
  cancelRequested: boolean;
};

/** What happened, as the tracker reads it off the switch's events. */
export type CallEvent =
  | { type: 'created'; uuid: string; sip: boolean; destination?: string; originator?: string; at: string }
  | { type: 'ringing'; uuid: string; sip: boolean; originator?: string; at: string }
  | { type: 'answered'; uuid: string; sip: boolean; originator?: string; at: string }
  | {
      type: 'hangup';
      uuid: string;
      sip: boolean;
      cause: string;
      sipStatus?: string;
      disposition?: string;
      dialStatus?: string;
      originator?: string;
      at: string;
    }
  /** The originate's BACKGROUND_JOB: `+OK <uuid>` or `-ERR <cause>`. */
  | { type: 'job'; ok: true; uuid: string; at: string }
  | { type: 'job'; ok: false; cause: string; at: string }
  /** We asked the switch to hang the call up. */
  | { type: 'cancel_requested'; at: string }
  /** The switch has no channel of this call left (reconciliation), or the call outlived any lifetime. */
  | { type: 'gone'; cause?: string; at: string };

/** What an event means for the call: the status table is keyed by these. */
export type Milestone =
  | 'first_ringing'
  | 'first_answered'
  | 'first_failed'
  | 'second_answered'
  | 'second_failed'
  | 'all_ended'
  | 'gone';

type Next = CallStatus | 'by_cause';

/**
 * The status table: from a status, on a milestone, to the next status. `by_cause` reads the failing
 * party's hang-up cause. A milestone missing from a row is ignored in that status (out of order or late).
 * Final statuses have no row: nothing moves them.
 */
export const STATUS_TABLE: Readonly<Partial<Record<CallStatus, Partial<Record<Milestone, Next>>>>> = {
  originating: {
    first_ringing: 'ringing',
    first_answered: 'answered',
    first_failed: 'by_cause',
    second_answered: 'connected',
    second_failed: 'by_cause',
    all_ended: 'by_cause',
    gone: 'by_cause',
  },
  ringing: {
    first_answered: 'answered',
    first_failed: 'by_cause',
    second_answered: 'connected',
    second_failed: 'by_cause',
    all_ended: 'by_cause',
    gone: 'by_cause',
  },
  answered: {
    first_failed: 'by_cause', // a `+OK` with a foreign uuid (docs/originate.md#job-result) comes after the first leg's ANSWER
    second_answered: 'connected',
    second_failed: 'by_cause',
    all_ended: 'by_cause',
    gone: 'by_cause',
  },
  connected: { all_ended: 'completed', gone: 'completed' },
};

/** A failed party's cause → status (docs/call-states.md#party-outcomes). ORIGINATOR_CANCEL is `canceled` only when we cancelled. */
export function statusOfCause(cause: string, cancelRequested: boolean): CallStatus {
  if (cancelRequested) return 'canceled';
  switch (cause) {
    case 'USER_BUSY':
      return 'busy';
    case 'NO_ANSWER':
    case 'NO_USER_RESPONSE':
      return 'no_answer';
    default:
      return 'failed';
  }
}

/** DIALSTATUS (loopback-a) → the cause it stands for; the fallback when the second SIP leg was missed. */
const DIALSTATUS_CAUSES: Readonly<Record<string, string>> = {
  BUSY: 'USER_BUSY',
  NOANSWER: 'NO_ANSWER',
  UNALLOCATED_NUMBER: 'UNALLOCATED_NUMBER',
  CANCEL: 'ORIGINATOR_CANCEL',
  INVALIDARGS: 'INVALID_NUMBER_FORMAT',
  CHANUNAVAIL: 'NORMAL_TEMPORARY_FAILURE',
  CONGESTION: 'NORMAL_CIRCUIT_CONGESTION',
};

/** A new call, as placed. */
export function initialState(callId: string, createdAt: string): CallState {
  return {
    callId,
    status: 'originating',
    result: 'pending',
    createdAt,
    loopback: {},
    cancelRequested: false,
  };
}

/**
 * The next state of a call after one event. Pure: returns the same object when nothing changed (a
 * duplicate, or an event that no longer matters), a new one otherwise.
 */
export function transition(state: CallState, event: CallEvent): CallState {
  const recorded = record(state, event);
  const milestone = milestoneOf(recorded, event);
  let moved = milestone === undefined ? recorded : move(recorded, milestone, event);
  // Who hung up is the leg with recv_bye, known once the call is final, also when that leg's hang-up comes after
  // (docs/call-states.md#who-hung-up). Once set, it stays.
  const hungUpBy = isFinal(moved.status) && moved.hungUpBy === undefined ? hungUpByOf(moved) : undefined;
  if (hungUpBy !== undefined) moved = { ...moved, hungUpBy };
  return equalStates(moved, state) ? state : moved;
}

/** Writes the event's facts into the legs (also after the call is final: late details still count). */
function record(state: CallState, event: CallEvent): CallState {
  switch (event.type) {
    case 'cancel_requested':
      return state.cancelRequested || isFinal(state.status) ? state : { ...state, cancelRequested: true };
    case 'job': {
      // A +OK for another uuid: FreeSWITCH placed the call under a uuid of its own (docs/originate.md#job-result).
      const cause = event.ok ? (event.uuid === state.callId ? undefined : 'UUID_MISMATCH') : event.cause;
      return cause !== undefined &&
        state.cause === undefined &&
        !isFinal(state.status) &&
        (state.result !== 'success' || event.ok)
        ? { ...state, cause }
        : state;
    }
    case 'gone':
      return event.cause !== undefined && state.cause === undefined && state.result === 'pending'
        ? { ...state, cause: event.cause }
        : state;
    default:
      break;
  }
  if (!event.sip) return recordLoopback(state, event);
  const slot = slotOf(state, event);
  if (slot === undefined) return state; // a third SIP leg: not ours to judge
  // A phone of the first party replaces its loopback stand-in.
  const own = state[slot];
  return { ...state, [slot]: withFacts(own && !own.loopback ? own : { uuid: event.uuid }, event) };
}

/** A leg with the facts of one of its events written in (the first time each is seen). */
function withFacts(
  current: LegState,
  event: Exclude<CallEvent, { type: 'job' | 'gone' | 'cancel_requested' }>,
): LegState {
  const leg: LegState = { ...current };
  if (event.type === 'created') {
    leg.created_at ??= event.at;
    if (event.destination !== undefined) leg.destination ??= event.destination;
  } else if (event.type === 'answered') {
    leg.answered_at ??= event.at;
  } else if (event.type === 'hangup') {
    leg.ended_at ??= event.at;
    leg.hangup_cause ??= event.cause;
    if (event.sipStatus !== undefined) leg.sip_status ??= event.sipStatus;
    if (event.disposition !== undefined) leg.disposition ??= event.disposition;
  }
  return leg;
}

/**
 * A loopback leg's event: whether it ended (and loopback-a's DIALSTATUS, a fallback), and, while the first party
 * has no phone leg, loopback-b (the leg that is not the call's own) stands in for it.
 */
function recordLoopback(
  state: CallState,
  event: Exclude<CallEvent, { type: 'job' | 'gone' | 'cancel_requested' }>,
): CallState {
  let next = state;
  if (event.type !== 'hangup') {
    if (!state.loopback[event.uuid])
      next = { ...state, loopback: { ...state.loopback, [event.uuid]: { ended: false } } };
  } else {
    const ended = { ended: true, ...(event.dialStatus !== undefined && { dialStatus: event.dialStatus }) };
    next = { ...state, loopback: { ...state.loopback, [event.uuid]: ended } };
  }
  const standIn =
    event.uuid !== state.callId && (state.first === undefined || state.first.uuid === event.uuid);
  if (!standIn || (state.first !== undefined && !state.first.loopback)) return next;
  return { ...next, first: withFacts(state.first ?? { uuid: event.uuid, loopback: true }, event) };
}

/**
 * Which party a SIP leg is (docs/call-states.md#legs): a phone placed by the call's own channel (loopback-a) is the
 * second party's; any other is the first party's while it has no phone yet (it replaces a loopback stand-in). Once
 * the first party has a phone, the next new phone leg is the second party's, whoever placed it (loopback-a, or the
 * first party's phone in the bypass recipe). Without an originator, the first phone leg seen is the first party, the
 * next one the second.
 */
function slotOf(
  state: CallState,
  event: { uuid: string; originator?: string },
): 'first' | 'second' | undefined {
  const { first, second } = state;
  if (first?.uuid === event.uuid && !first.loopback) return 'first';
  if (second?.uuid === event.uuid) return 'second';
  const placedByCall = event.originator === state.callId;
  if (!placedByCall && (first === undefined || first.loopback)) return 'first';
  if (second === undefined) return 'second';
  return undefined;
}

function milestoneOf(state: CallState, event: CallEvent): Milestone | undefined {
  switch (event.type) {
    case 'job':
      return event.ok ? (event.uuid === state.callId ? 'first_answered' : 'first_failed') : 'first_failed';
    case 'gone':
      return 'gone';
    case 'cancel_requested':
    case 'created':
      return undefined;
    default:
      break;
  }
  if (!event.sip) return loopbackMilestone(state, event);
  const isFirst = state.first?.uuid === event.uuid;
  const leg = isFirst ? state.first : state.second;
  if (event.type === 'ringing') return isFirst ? 'first_ringing' : undefined;
  if (event.type === 'answered') return isFirst ? 'first_answered' : 'second_answered';
  // A hang-up. The switch cancels the first party's bridge when the originate ends unanswered (originate_timeout):
  // its SIP leg then says ORIGINATOR_CANCEL. That is no verdict of the party's: it comes with the job (or
  // reconciliation).
  if (isFirst && switchCancelled(state, event.cause) && state.result === 'pending') return undefined;
  if (allPartiesEnded(state)) return 'all_ended';
  if (leg?.answered_at === undefined) return isFirst ? 'first_failed' : 'second_failed';
  return undefined;
}

/**
 * While the first party has no phone leg, the loopback pair tells its fate (docs/call-states.md#first-party): its
 * progress is the first party ringing, its answer the first party answering (an IVR, a queue), and loopback-b's
 * hang-up before any answer the first party failing. Once a phone leg judges the first party, loopback legs move
 * nothing.
 */
function loopbackMilestone(
  state: CallState,
  event: Extract<CallEvent, { type: 'ringing' | 'answered' | 'hangup' }>,
): Milestone | undefined {
  const { first } = state;
  if (first !== undefined && !first.loopback) return undefined;
  if (event.type === 'ringing') return 'first_ringing';
  if (event.type === 'answered') return 'first_answered';
  // A hang-up: only the stand-in's (loopback-b's) judges the first party, not loopback-a's.
  if (first?.uuid !== event.uuid) return undefined;
  if (first.answered_at === undefined) return 'first_failed';
  return allPartiesEnded(state) ? 'all_ended' : undefined;
}

/** An ORIGINATOR_CANCEL we did not ask for: the switch itself cancelled a bridge. */
const switchCancelled = (state: CallState, cause: string | undefined): boolean =>
  cause === 'ORIGINATOR_CANCEL' && !state.cancelRequested;

const allPartiesEnded = (state: CallState): boolean =>
  state.first?.ended_at !== undefined && (state.second === undefined || state.second.ended_at !== undefined);

function move(state: CallState, milestone: Milestone, event: CallEvent): CallState {
  const at = event.at;
  const next = STATUS_TABLE[state.status]?.[milestone];
  let out: CallState = { ...state };
  // Result and milestone times follow the facts even when the status does not move.
  if (milestone === 'first_answered' && out.result === 'pending')
    out = { ...out, result: 'success', answeredAt: at };
  if (milestone === 'second_answered') out = { ...out, bridgedAt: out.bridgedAt ?? at };
  if (next === undefined) return out;
  if (next === 'by_cause') {
    const cause = failureCause(out, milestone);
    out = {
      ...out,
      status: statusOfCause(cause, out.cancelRequested),
      hangupCause: out.hangupCause ?? cause,
    };
    // A `+OK` with a foreign uuid is an error even when the first leg's ANSWER came first (docs/originate.md#job-result).
    if (out.result === 'pending' || (event.type === 'job' && event.ok))
      out = { ...out, result: 'error', cause: out.cause ?? cause };
  } else {
    out = { ...out, status: out.cancelRequested && isFinal(next) ? 'canceled' : next };
  }
  if (milestone === 'second_answered' && out.result === 'pending') out = { ...out, result: 'success' };
  if (isFinal(out.status)) out = finish(out, at);
  return out;
}

/** The cause of a failure: the failing party's own SIP leg first, then what else is known. */
function failureCause(state: CallState, milestone: Milestone): string {
  const secondFailed =
    milestone === 'second_failed' ||
    (milestone !== 'first_failed' && state.result === 'success' && state.second?.answered_at === undefined);
  const leg = secondFailed ? state.second : state.first;
  const ownCause = leg?.answered_at === undefined ? leg?.hangup_cause : undefined;
  if (ownCause !== undefined && !(leg === state.first && switchCancelled(state, ownCause))) return ownCause;
  if (!secondFailed && state.cause !== undefined) return state.cause;
  // Loopback-a's (uuid = call id) only: loopback-b carries DIALSTATUS=INVALIDARGS early.
  const dialStatus = state.loopback[state.callId]?.dialStatus;
  if (secondFailed && dialStatus !== undefined && DIALSTATUS_CAUSES[dialStatus])
    return DIALSTATUS_CAUSES[dialStatus];
  return state.cancelRequested
    ? 'ORIGINATOR_CANCEL'
    : (leg?.hangup_cause ?? state.cause ?? 'NORMAL_CLEARING');
}

/** The final state's end time and hang-up cause (who hung up is set by `transition`). */
function finish(state: CallState, at: string): CallState {
  const hungUpBy = hungUpByOf(state);
  const ender = hungUpBy === undefined ? undefined : state[hungUpBy];
  const hangupCause =
    state.hangupCause ??
    ender?.hangup_cause ??
    state.second?.hangup_cause ??
    state.first?.hangup_cause ??
    'NORMAL_CLEARING';
  const endedAt = latest([state.first?.ended_at, state.second?.ended_at]) ?? at;
  return { ...state, endedAt: state.endedAt ?? endedAt, hangupCause };
}

const hungUpByOf = (state: CallState): 'first' | 'second' | undefined =>
  state.first?.disposition === 'recv_bye'
    ? 'first'
    : state.second?.disposition === 'recv_bye'
      ? 'second'
      : undefined;

const latest = (times: Array<string | undefined>): string | undefined =>
  times
    .filter((t): t is string => t !== undefined)
    .sort()
    .at(-1);

function equalStates(a: CallState, b: CallState): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}
