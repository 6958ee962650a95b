import { jobResultOf, type EslEvent } from '../../esl';
import type { CallEvent } from './call-state';
import { CALL_ID } from './resume';

/** `Event-Date-Timestamp` (microseconds since the epoch) as ISO-8601; the receiving time when absent. */
function timeOf(event: EslEvent, now: () => Date): string {
  const us = Number(event.header('Event-Date-Timestamp'));
  return Number.isFinite(us) && us > 0 ? new Date(Math.floor(us / 1000)).toISOString() : now().toISOString();
}

/**
 * A channel event of a click-to-call call, reduced to what the tracker judges on (docs/call-states.md#events-read). A leg is
 * a party's phone unless its channel is `loopback/…`. Bridges and bow-outs say nothing of the parties'
 * fate and are not read. Returns undefined for anything else.
 */
export function callEventOf(event: EslEvent, now: () => Date): CallEvent | undefined {
  const uuid = event.header('Unique-ID');
  if (uuid === undefined) return undefined;
  const sip = !(event.header('Channel-Name') ?? '').startsWith('loopback/');
  const at = timeOf(event, now);
  // The channel that placed a SIP leg tells which party it is (docs/call-states.md#legs).
  const originator = sip ? event.header('variable_originator') : undefined;
  const base = { uuid, sip, at, ...(originator !== undefined && { originator }) };
  switch (event.name) {
    case 'CHANNEL_CREATE': {
      const destination = event.header('Caller-Destination-Number');
      return { type: 'created', ...base, ...(destination !== undefined && { destination }) };
    }
    case 'CHANNEL_PROGRESS':
    case 'CHANNEL_PROGRESS_MEDIA':
      return { type: 'ringing', ...base };
    case 'CHANNEL_ANSWER':
      return { type: 'answered', ...base };
    case 'CHANNEL_HANGUP_COMPLETE': {
      const sipStatus = event.header('variable_sip_term_status');
      const disposition = event.header('variable_sip_hangup_disposition');
      const dialStatus = sip ? undefined : event.header('variable_DIALSTATUS');
      return {
        type: 'hangup',
        ...base,
        cause: event.header('Hangup-Cause') ?? 'NORMAL_CLEARING',
        ...(sipStatus !== undefined && { sipStatus }),
        ...(disposition !== undefined && { disposition }),
        ...(dialStatus !== undefined && { dialStatus }),
      };
    }
    default:
      return undefined;
  }
}

/** The call id an originate's arguments give its legs (`{…,c2c_call_id=c2c-…,…}`). */
const JOB_CALL_ID = new RegExp(`[{,]c2c_call_id=(${CALL_ID.source.slice(1, -1)})[,}]`);

/** The hang-up cause at the head of a failed job's result (`USER_BUSY`), or a generic one. */
export function causeOf(result: string): string {
  const cause = result.trim().split(/\s+/)[0] ?? '';
  return /^[A-Z_]{3,64}$/.test(cause) ? cause : 'NORMAL_TEMPORARY_FAILURE';
}

/**
 * The outcome of a click-to-call originate as another process sees it (docs/switches.md#several-instances): the
 * switch sends every job's `BACKGROUND_JOB` to every subscriber, and the originate's arguments name the call. The
 * process that tracks the switch applies it as the placing process does. Undefined for any other job.
 */
export function jobEventOf(
  event: EslEvent,
  now: () => Date,
): { callId: string; event: CallEvent } | undefined {
  if (event.name !== 'BACKGROUND_JOB' || event.header('Job-Command') !== 'originate') return undefined;
  const callId = JOB_CALL_ID.exec(event.header('Job-Command-Arg') ?? '')?.[1];
  if (callId === undefined) return undefined;
  const job = jobResultOf(event.header('Job-UUID') ?? '', event);
  const at = timeOf(event, now);
  const uuid = job.result.trim();
  return {
    callId,
    event: job.ok
      ? { type: 'job', ok: true, uuid, at }
      : { type: 'job', ok: false, cause: causeOf(job.result), at },
  };
}
