import type { EslSubscription } from '../../esl';

/**
 * The service's event socket subscription, sent by its ESL client after every (re)connect. FreeSWITCH
 * delivers the subscribed events of every call on the switch; once a filter is set, it delivers only the
 * events that match at least one filter (filters add up: each one lets its own events through).
 */
export const CALL_SUBSCRIPTION: EslSubscription = Object.freeze({
  events: Object.freeze([
    // The legs' lives, read by the call tracker (esl-events.ts): created, ringing, answered, hung up.
    'CHANNEL_CREATE',
    'CHANNEL_PROGRESS',
    'CHANNEL_PROGRESS_MEDIA',
    'CHANNEL_ANSWER',
    // The parties joined and parted; the tracker does not judge on them.
    'CHANNEL_BRIDGE',
    'CHANNEL_UNBRIDGE',
    'CHANNEL_HANGUP_COMPLETE',
    // The originate's outcome, matched by the client to our own Job-UUID.
    'BACKGROUND_JOB',
    // One CUSTOM subclass only: the loopback pair leaving the call (the bypass_media recipe).
    'CUSTOM',
    'loopback::bowout',
  ]),
  filters: Object.freeze([
    // Only the service's own calls: every leg of a call carries c2c_call_id (the originate exports it to
    // the legs); the switch's other calls do not, and their events never reach the service.
    Object.freeze(['variable_c2c_call_id', '/^c2c-/'] as const),
    // A job's outcome carries no channel variable: without this filter the one above would drop it.
    Object.freeze(['Event-Name', 'BACKGROUND_JOB'] as const),
    // Nor does the bow-out event: it carries the UUIDs of the legs it concerns, no channel variable.
    Object.freeze(['Event-Subclass', 'loopback::bowout'] as const),
  ]),
});
