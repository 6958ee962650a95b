import type { EslEvent } from '../../esl';
import type { CallEvent } from './call-state';

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
