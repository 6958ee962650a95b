/**
 * The delivery worker (docs/webhooks.md#delivery): sends the outbox's due events, each signed, and records every
 * attempt. At least once: an event stays pending until a receiver answered 2xx for it, so a restart (or `kill -9`)
 * sends again whatever was pending or in flight. A call's events go in order (the outbox hands out only a call's
 * earliest pending event); concurrency is bounded in total and per destination, so a slow or dead receiver holds
 * only its own share.
 */
import type { Logger } from '../logger';
import type {
  AttemptOutcome,
  DueDelivery,
  WebhookOutboxRepository,
  WebhookSecretRepository,
} from '../store/ports';
import { payloadOf } from './events';
import { DEFAULT_SCHEDULE_MS, retryDelay, type RetryPolicy } from './schedule';
import type { SendOutcome, SendRequest } from './sender';
import { newSecret, signatureHeaders } from './signing';

/** What an attempt came to, for the metrics. */
export type AttemptResult = '2xx' | '3xx' | '4xx' | '5xx' | 'network' | 'refused';
/** What became of an event, for the metrics. */
export type DeliveryOutcome = 'delivered' | 'failed' | 'refused' | 'gone';

export type WebhookMetrics = {
  webhookAttempt(result: AttemptResult): void;
  webhookDelivery(outcome: DeliveryOutcome): void;
};

export type DeliveryOptions = RetryPolicy & {
  /** Attempts in flight at most (16). */
  concurrency: number;
  /** Attempts in flight to one destination (scheme, host, port) at most (4). */
  perDestination: number;
  /** How often the outbox is looked at when nothing nudges the worker (500 ms). */
  pollMs: number;
};

export const DEFAULT_DELIVERY_OPTIONS: DeliveryOptions = {
  concurrency: 16,
  perDestination: 4,
  pollMs: 500,
  scheduleMs: DEFAULT_SCHEDULE_MS,
  jitter: 0.2,
};

export type DeliveryWorkerDeps = {
  outbox: WebhookOutboxRepository;
  secrets: WebhookSecretRepository;
  send: (request: SendRequest) => Promise<SendOutcome>;
  now: () => Date;
  logger: Logger;
  metrics?: WebhookMetrics;
  random?: () => number;
  options?: Partial<DeliveryOptions>;
};

/** The most of a receiver's answer kept with an attempt. */
const ANSWER_KEPT = 200;

const resultOf = (outcome: SendOutcome): AttemptResult =>
  outcome.kind === 'answered'
    ? (`${Math.min(5, Math.max(2, Math.floor(outcome.status / 100)))}xx` as AttemptResult)
    : outcome.kind === 'refused'
      ? 'refused'
      : 'network';

/** A receiver's answer as kept with the attempt: one line, printable, short. */
const answerText = (outcome: SendOutcome): string =>
  outcome.kind === 'answered'
    ? `HTTP ${outcome.status}${outcome.body ? `: ${outcome.body.replace(/[^\x20-\x7e]+/g, ' ').trim()}` : ''}`.slice(
        0,
        ANSWER_KEPT,
      )
    : outcome.kind === 'refused'
      ? `refused: ${outcome.reason}`
      : outcome.error;

export class DeliveryWorker {
  readonly stats = { attempts: 0, delivered: 0, failed: 0 };
  private readonly options: DeliveryOptions;
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly perDestination = new Map<string, number>();
  /** Destinations that asked to be left alone (429/503 with Retry-After), until when. */
  private readonly pausedUntil = new Map<string, number>();
  private readonly log: Logger;
  private timer: NodeJS.Timeout | undefined;
  private pumping = false;
  private again = false;
  private running = false;
  /** Stopped and done waiting: an attempt that ends now is not recorded (its event stays pending). */
  private abandoned = false;

  constructor(private readonly deps: DeliveryWorkerDeps) {
    this.options = { ...DEFAULT_DELIVERY_OPTIONS, ...deps.options };
    this.log = deps.logger.child({ module: 'webhooks' });
  }

  /** Starts sending: what is pending from an earlier run first. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.kick();
  }

  /** New events were written: look now rather than at the next poll. */
  nudge(): void {
    if (this.running) setImmediate(() => this.kick());
  }

  /**
   * Stops taking events and waits up to `graceMs` for the attempts in flight. One still running after that is
   * not recorded: its event stays pending and is sent again at the next start (at least once).
   */
  async stop(graceMs = 2000): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.inFlight.values()]),
      new Promise((resolve) => (timer = setTimeout(resolve, graceMs))),
    ]);
    clearTimeout(timer);
    this.abandoned = true;
  }

  private kick(): void {
    if (!this.running) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    clearTimeout(this.timer);
    void this.pump().finally(() => {
      this.pumping = false;
      if (!this.running) return;
      this.timer = setTimeout(() => this.kick(), this.options.pollMs);
      this.timer.unref();
    });
  }

  private async pump(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.fill();
      } catch (err) {
        this.log.error('webhook outbox not read', { error: (err as Error).message });
        return;
      }
    } while (this.again && this.running);
  }

  /** Starts attempts for due events while there is room. */
  private async fill(): Promise<void> {
    const { concurrency, perDestination } = this.options;
    if (this.inFlight.size >= concurrency) return;
    const nowMs = this.deps.now().getTime();
    for (const [destination, until] of this.pausedUntil)
      if (until <= nowMs) this.pausedUntil.delete(destination);
    // In-flight events are still pending (and due), and each destination's share may be taken by paused ones.
    const limit = concurrency + this.inFlight.size + perDestination * this.pausedUntil.size;
    for (const event of await this.deps.outbox.due(nowMs, perDestination, limit)) {
      if (!this.running || this.inFlight.size >= concurrency) break;
      if (this.inFlight.has(event.event_id) || this.pausedUntil.has(event.destination)) continue;
      const busy = this.perDestination.get(event.destination) ?? 0;
      if (busy >= perDestination) continue;
      this.perDestination.set(event.destination, busy + 1);
      const attempt = this.attempt(event)
        .catch((err: unknown) =>
          this.log.error('webhook attempt not recorded', {
            event_id: event.event_id,
            error: (err as Error).message,
          }),
        )
        .finally(() => {
          this.inFlight.delete(event.event_id);
          const left = (this.perDestination.get(event.destination) ?? 1) - 1;
          if (left > 0) this.perDestination.set(event.destination, left);
          else this.perDestination.delete(event.destination);
          this.kick();
        });
      this.inFlight.set(event.event_id, attempt);
    }
  }

  private async attempt(event: DueDelivery): Promise<void> {
    const { outbox, secrets, now } = this.deps;
    const at = now();
    if (event.stopped) {
      await outbox.attempted(event.event_id, {
        atMs: at.getTime(),
        state: 'failed',
        error: 'the receiver answered 410 Gone: subscription stopped',
      });
      this.ended(event, 'gone');
      return;
    }
    const keys = await secrets.ensure(event.account_id, newSecret(), at.getTime());
    const body = payloadOf(event);
    const outcome = await this.deps.send({
      url: event.url,
      method: event.method,
      headers: { 'content-type': 'application/json', ...signatureHeaders(keys, event.event_id, body, at) },
      body,
    });
    if (this.abandoned) return;
    this.stats.attempts += 1;
    this.deps.metrics?.webhookAttempt(resultOf(outcome));
    const doneAt = now().getTime();
    const verdict = this.judge(event, outcome, doneAt);
    await outbox.attempted(event.event_id, verdict.record);
    if (verdict.ended === 'gone') await outbox.stop(event.account_id, event.url, doneAt);
    if (verdict.ended) this.ended(event, verdict.ended, verdict.record.error);
    else
      this.log.debug('webhook attempt failed; will try again', {
        event_id: event.event_id,
        destination: event.destination,
        attempt: event.attempts + 1,
        next_attempt_ms: verdict.record.nextAttemptMs,
        error: verdict.record.error,
      });
  }

  /** An attempt's outcome: delivered, failed for good, or pending with its next attempt. */
  private judge(
    event: DueDelivery,
    outcome: SendOutcome,
    atMs: number,
  ): { record: AttemptOutcome; ended?: DeliveryOutcome } {
    const status = outcome.kind === 'answered' ? { status: outcome.status } : {};
    if (outcome.kind === 'answered' && outcome.status >= 200 && outcome.status < 300)
      return { record: { atMs, state: 'delivered', ...status }, ended: 'delivered' };
    const error = answerText(outcome);
    if (outcome.kind === 'refused') return { record: { atMs, state: 'failed', error }, ended: 'refused' };
    if (outcome.kind === 'answered' && outcome.status === 410)
      return { record: { atMs, state: 'failed', error, ...status }, ended: 'gone' };
    const asked =
      outcome.kind === 'answered' && (outcome.status === 429 || outcome.status === 503)
        ? outcome.retryAfterMs
        : undefined;
    const delay = retryDelay(event.attempts + 1, this.options, this.deps.random ?? Math.random, asked);
    if (delay === undefined) return { record: { atMs, state: 'failed', error, ...status }, ended: 'failed' };
    if (asked !== undefined) this.pausedUntil.set(event.destination, atMs + delay);
    return { record: { atMs, state: 'pending', nextAttemptMs: atMs + delay, error, ...status } };
  }

  private ended(event: DueDelivery, outcome: DeliveryOutcome, error?: string): void {
    this.deps.metrics?.webhookDelivery(outcome);
    const fields = { event_id: event.event_id, call_id: event.call_id, destination: event.destination };
    if (outcome === 'delivered') {
      this.stats.delivered += 1;
      this.log.debug('webhook delivered', fields);
      return;
    }
    this.stats.failed += 1;
    if (outcome === 'gone') this.log.info('webhook receiver answered 410 Gone: subscription stopped', fields);
    else this.log.warn('webhook not delivered', { ...fields, outcome, error });
  }
}
