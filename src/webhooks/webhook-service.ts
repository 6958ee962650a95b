/**
 * What the API offers of webhooks (docs/webhooks.md#api): the account's signing secret (read, rotate) and its
 * deliveries (list, one, redeliver).
 */
import { cutPage, pageWindow, type PageOptions } from '../clicktocall/paging';
import { badIdentifier, fieldError } from '../errors';
import type {
  DeliveryState,
  WebhookDelivery,
  WebhookOutboxRepository,
  WebhookSecretRepository,
  WebhookSecrets,
} from '../store/ports';
import { payloadOf } from './events';
import { newSecret } from './signing';

export type WebhookServiceDeps = {
  outbox: WebhookOutboxRepository;
  secrets: WebhookSecretRepository;
  now: () => Date;
  /** Told when a redelivery made an event pending (the delivery worker). */
  onEvents?: () => void;
};

/** How long the previous secret still signs after a rotation, unless the request says (24 h). */
export const DEFAULT_ROTATION_WINDOW_S = 86_400;
const MAX_ROTATION_WINDOW_S = 7 * 86_400;
const DELIVERY_STATES: readonly DeliveryState[] = ['pending', 'delivered', 'failed'];
const EVENT_ID = /^evt_[0-9a-f]{32}$/;

const iso = (ms: number | null): string | undefined => (ms === null ? undefined : new Date(ms).toISOString());

/** The secret as the API shows it. */
const secretView = (s: WebhookSecrets, nowMs: number): Record<string, unknown> => ({
  secret: s.secret,
  created: new Date(s.created_ms).toISOString(),
  ...(s.previous &&
    s.previous.until_ms > nowMs && { previous_secret_expires: new Date(s.previous.until_ms).toISOString() }),
});

/** A delivery as the API shows it; with the payload when one is asked for. */
export function deliveryView(d: WebhookDelivery, withPayload = false): Record<string, unknown> {
  const view: Record<string, unknown> = {
    event_id: d.event_id,
    type: d.type,
    call_id: d.call_id,
    clicktocall_id: d.clicktocall_id,
    sequence: d.sequence,
    url: d.url,
    method: d.method,
    state: d.state,
    attempts: d.attempts,
    created: new Date(d.occurred_ms).toISOString(),
    next_attempt_at: iso(d.next_attempt_ms),
    last_attempt_at: iso(d.last_attempt_ms),
    last_status: d.last_status ?? undefined,
    last_error: d.last_error ?? undefined,
    delivered_at: iso(d.delivered_ms),
  };
  if (withPayload) view['payload'] = JSON.parse(payloadOf(d)) as unknown;
  for (const key of Object.keys(view)) if (view[key] === undefined) delete view[key];
  return view;
}

export type DeliveryFilter = { callId?: string; state?: string };

export class WebhookService {
  constructor(private readonly deps: WebhookServiceDeps) {}

  /** The account's signing secret, created on first use. */
  async secret(accountId: string): Promise<Record<string, unknown>> {
    const nowMs = this.deps.now().getTime();
    return secretView(await this.deps.secrets.ensure(accountId, newSecret(), nowMs), nowMs);
  }

  /** A new secret; the current one keeps signing for `windowS` seconds (default 24 h). */
  async rotate(accountId: string, windowS: unknown): Promise<Record<string, unknown>> {
    const window = windowS ?? DEFAULT_ROTATION_WINDOW_S;
    if (
      typeof window !== 'number' ||
      !Number.isInteger(window) ||
      window < 0 ||
      window > MAX_ROTATION_WINDOW_S
    )
      throw fieldError('window_s', 'invalid', `must be an integer from 0 to ${MAX_ROTATION_WINDOW_S}`);
    const nowMs = this.deps.now().getTime();
    const s = await this.deps.secrets.rotate(accountId, newSecret(), nowMs, nowMs + window * 1000);
    return secretView(s, nowMs);
  }

  async list(
    accountId: string,
    filter: DeliveryFilter,
    options: PageOptions,
  ): Promise<{ items: Array<Record<string, unknown>>; startKey?: string; nextStartKey?: string }> {
    const state = filter.state;
    if (state !== undefined && !DELIVERY_STATES.includes(state as DeliveryState))
      throw fieldError('state', 'enum', `must be one of ${DELIVERY_STATES.join(', ')}`);
    const { start, pageSize, limit } = pageWindow(options);
    const rows = await this.deps.outbox.list({
      accountId,
      ...(filter.callId !== undefined && { callId: filter.callId }),
      ...(state !== undefined && { state: state as DeliveryState }),
      ...(start !== undefined && { start }),
      ...(limit !== undefined && { limit }),
    });
    const { page, next } = cutPage(rows, pageSize);
    return {
      items: page.map((d) => deliveryView(d)),
      ...(options.startKey !== undefined && { startKey: options.startKey }),
      ...(next !== undefined && { nextStartKey: next }),
    };
  }

  async get(accountId: string, eventId: string): Promise<Record<string, unknown>> {
    const found = EVENT_ID.test(eventId) ? await this.deps.outbox.get(accountId, eventId) : undefined;
    if (!found) throw badIdentifier(eventId);
    return deliveryView(found, true);
  }

  /** Sends the event again (same id), from the first step of the schedule; lifts a 410 stop of its receiver. */
  async redeliver(accountId: string, eventId: string): Promise<Record<string, unknown>> {
    const found = EVENT_ID.test(eventId)
      ? await this.deps.outbox.redeliver(accountId, eventId, this.deps.now().getTime())
      : undefined;
    if (!found) throw badIdentifier(eventId);
    this.deps.onEvents?.();
    return deliveryView(found);
  }
}
