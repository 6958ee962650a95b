/**
 * A call's status events (docs/webhooks.md#payload): which change sends one, and the JSON a receiver gets.
 * Pure: no storage, no clock.
 */
import crypto from 'node:crypto';
import { CALL_STATUSES, FINAL_STATUSES } from '../calls/call-state';
import type { RecordBase } from '../calls/history-record';
import type { HistoryDoc, StatusCallback } from '../domain';
import type { NewWebhookEvent, WebhookDelivery } from '../store/ports';

/** The statuses a callback may ask for; without `events`, the final ones. */
export const EVENT_STATUSES: readonly string[] = CALL_STATUSES;
export const DEFAULT_EVENTS: readonly string[] = [...FINAL_STATUSES];

/** `call.completed`, `call.ringing`, … */
export const eventType = (status: string): string => `call.${status}`;

/**
 * A new event id, the `webhook-id` of every attempt to deliver it: `evt_`, the time in ms (12 hex digits) and
 * 80 random bits. Ids written one after the other sort together, so the outbox's index on them grows at its end.
 */
export const newEventId = (atMs: number): string =>
  `evt_${atMs.toString(16).padStart(12, '0').slice(-12)}${crypto.randomBytes(10).toString('hex')}`;

/**
 * The event a call's record sends now that its status is `record.status`, or undefined when its callback does not
 * ask for that status (or it has none).
 */
export function statusEvent(
  base: Pick<RecordBase, 'account_id' | 'clicktocall_id' | 'status_callback'>,
  record: HistoryDoc,
  atMs: number,
): NewWebhookEvent | undefined {
  const callback = base.status_callback;
  if (!callback?.events.includes(record.status)) return undefined;
  return {
    event_id: newEventId(atMs),
    account_id: base.account_id,
    clicktocall_id: base.clicktocall_id,
    call_id: record.call_id,
    type: eventType(record.status),
    occurred_ms: atMs,
    url: callback.url,
    method: callback.method,
    record,
  };
}

/** A callback with its defaults filled in. */
export const withDefaults = (callback: {
  url: string;
  method?: string | undefined;
  events?: readonly string[] | undefined;
}): StatusCallback => ({
  url: callback.url,
  method: callback.method === 'PUT' ? 'PUT' : 'POST',
  events: [...(callback.events ?? DEFAULT_EVENTS)],
});

/**
 * The body a receiver gets, in the Standard Webhooks shape (`type`, `timestamp`, `data`). The same bytes on every
 * attempt: built from the stored event alone.
 */
export function payloadOf(event: WebhookDelivery): string {
  return JSON.stringify({
    type: event.type,
    timestamp: new Date(event.occurred_ms).toISOString(),
    data: {
      event_id: event.event_id,
      call_id: event.call_id,
      account_id: event.account_id,
      clicktocall_id: event.clicktocall_id,
      sequence: event.sequence,
      status: event.record.status,
      record: event.record,
    },
  });
}
