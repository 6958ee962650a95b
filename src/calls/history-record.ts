import type { HistoryDoc, HistoryRecord, StatusCallback } from '../domain';
import type { CallState, LegState } from './call-state';

/** What a record keeps from the connect that created it. */
export type RecordBase = {
  /** Whose call it is and where its status events go: kept beside the record, not in it. */
  account_id: string;
  clicktocall_id: string;
  status_callback?: StatusCallback;
  id: string;
  call_id: string;
  timestamp: number;
  contact: string;
  extension: string;
  dial_first: 'extension' | 'contact';
  created: string;
  custom_application_vars: unknown;
  requested_by: 'token' | 'anonymous' | 'link';
  /** The public link the call came through. */
  link_id?: string;
  /** The switch that carries the call (docs/switches.md); absent in records written before switches had names. */
  switch?: string;
};

const seconds = (from: string | undefined, to: string | undefined): number | undefined =>
  from === undefined || to === undefined
    ? undefined
    : Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 1000));

const leg = (l: LegState | undefined): Record<string, unknown> | undefined =>
  l && {
    uuid: l.uuid,
    loopback: l.loopback,
    destination: l.destination,
    answered_at: l.answered_at,
    ended_at: l.ended_at,
    hangup_cause: l.hangup_cause,
    sip_status: l.sip_status,
  };

/** Drops undefined members, so a record shows only what is known. */
const defined = (o: Record<string, unknown>): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(o)) if (o[key] !== undefined) out[key] = o[key];
  return out;
};

/**
 * The history record of a call (docs/history.md): Kazoo's fields first (`id`, `call_id`, `timestamp`,
 * `contact`, `result`, `cause`), then ours, from the tracker's state.
 */
export function renderRecord(base: RecordBase, state: CallState): HistoryDoc {
  // A call ends when its last leg does: a party's leg may hang up after the call's fate was decided.
  const endedAt =
    state.endedAt === undefined
      ? undefined
      : [state.endedAt, state.first?.ended_at, state.second?.ended_at]
          .filter((t): t is string => t !== undefined)
          .sort()
          .at(-1);
  const parties =
    base.dial_first === 'extension'
      ? (['extension', 'contact'] as const)
      : (['contact', 'extension'] as const);
  const hungUpBy = state.hungUpBy === undefined ? undefined : parties[state.hungUpBy === 'first' ? 0 : 1];
  const legs = defined({
    first: leg(state.first) && defined(leg(state.first)!),
    second: leg(state.second) && defined(leg(state.second)!),
  });
  return defined({
    id: base.id,
    call_id: base.call_id,
    timestamp: base.timestamp,
    contact: base.contact,
    // Kazoo's fields hold only Kazoo's values: no `result` until the first party's fate is known (`status` says
    // where the call is meanwhile).
    result: state.result === 'pending' ? undefined : state.result,
    cause: state.result === 'error' ? state.cause : undefined,
    status: state.status,
    extension: base.extension,
    dial_first: base.dial_first,
    created: base.created,
    answered_at: state.answeredAt,
    bridged_at: state.bridgedAt,
    ended_at: endedAt,
    duration_s: seconds(base.created, endedAt),
    talk_s: endedAt === undefined ? undefined : (seconds(state.bridgedAt, endedAt) ?? 0),
    hangup_cause: state.hangupCause,
    hung_up_by: hungUpBy,
    legs,
    custom_application_vars: base.custom_application_vars,
    requested_by: base.requested_by,
    link_id: base.link_id,
    switch: base.switch,
  }) as HistoryDoc;
}

/** The base of a record, read back from a stored one. */
export function baseOf(
  stored: Pick<HistoryRecord, 'doc' | 'account_id' | 'clicktocall_id' | 'status_callback'>,
): RecordBase {
  const doc = stored.doc;
  return {
    account_id: stored.account_id,
    clicktocall_id: stored.clicktocall_id,
    ...(stored.status_callback !== undefined && { status_callback: stored.status_callback }),
    id: doc.id,
    call_id: doc.call_id,
    timestamp: doc['timestamp'] as number,
    contact: doc['contact'] as string,
    extension: doc['extension'] as string,
    dial_first: doc['dial_first'] === 'contact' ? 'contact' : 'extension',
    created: doc['created'] as string,
    custom_application_vars: doc['custom_application_vars'],
    requested_by:
      doc['requested_by'] === 'anonymous' ? 'anonymous' : doc['requested_by'] === 'link' ? 'link' : 'token',
    ...(typeof doc['link_id'] === 'string' && { link_id: doc['link_id'] }),
    ...(typeof doc['switch'] === 'string' && { switch: doc['switch'] }),
  };
}
