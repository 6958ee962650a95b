/**
 * Which events of an `event plain ALL` capture the service would have received, for the scenario
 * generator and its tests. Written out here rather than taken from src/calls/subscription.ts, so that it
 * checks the fake switch's filter rules instead of sharing them.
 */
import { header, type Capture, type CaptureEvent } from './capture-reader';

/** The event names the service subscribes to (CUSTOM only for `loopback::bowout`). */
export const SUBSCRIBED = new Set([
  'CHANNEL_CREATE',
  'CHANNEL_PROGRESS',
  'CHANNEL_PROGRESS_MEDIA',
  'CHANNEL_ANSWER',
  'CHANNEL_BRIDGE',
  'CHANNEL_UNBRIDGE',
  'CHANNEL_HANGUP_COMPLETE',
  'BACKGROUND_JOB',
]);

function subscribed(ev: CaptureEvent): boolean {
  const name = header(ev, 'Event-Name') ?? '';
  if (name === 'CUSTOM') return header(ev, 'Event-Subclass') === 'loopback::bowout';
  return SUBSCRIBED.has(name);
}

/**
 * What the service would receive: `event plain CHANNEL_CREATE … CUSTOM loopback::bowout` with
 * `filter variable_c2c_call_id /^c2c-/`, `filter Event-Name BACKGROUND_JOB`,
 * `filter Event-Subclass loopback::bowout`. Only jobs of `jobUuid` are kept (other clients' jobs dropped).
 */
export function serviceView(cap: Capture, jobUuid?: string): CaptureEvent[] {
  return cap.events.filter((ev) => {
    if (ev.atMs < 0 || !subscribed(ev)) return false;
    const name = header(ev, 'Event-Name');
    if (name === 'BACKGROUND_JOB') return jobUuid === undefined || header(ev, 'Job-UUID') === jobUuid;
    if (name === 'CUSTOM') return true;
    return /^c2c-/.test(header(ev, 'variable_c2c_call_id') ?? '');
  });
}

/**
 * For the first and second sets of recordings (docs/README.md#recordings), whose originate did not set `c2c_call_id`: the subscribed events of the call's
 * channels (every channel event after the originate except the hairpin's inbound helper SIP leg, which
 * a real deployment does not have) and the originate's BACKGROUND_JOB.
 */
export function callLegsView(cap: Capture, jobUuid?: string): CaptureEvent[] {
  return cap.events.filter((ev) => {
    if (ev.atMs < 0 || !subscribed(ev)) return false;
    const name = header(ev, 'Event-Name');
    if (name === 'BACKGROUND_JOB') return jobUuid === undefined || header(ev, 'Job-UUID') === jobUuid;
    if (name === 'CUSTOM') return true;
    const inboundSip =
      header(ev, 'Call-Direction') === 'inbound' && (header(ev, 'Channel-Name') ?? '').startsWith('sofia/');
    return !inboundSip;
  });
}

/** The Job-UUID of the originate's reply (`+OK Job-UUID: …`). */
export function originateJobUuid(cap: Capture): string | undefined {
  let seen = false;
  for (const r of cap.records) {
    if (r.kind === 'sent' && r.t === cap.originateAtS) seen = true;
    else if (seen && r.kind === 'recv') {
      const m = /Reply-Text: \+OK Job-UUID: ([0-9a-f-]+)/.exec(r.bytes.toString('utf8'));
      if (m) return m[1];
    }
  }
  return undefined;
}
