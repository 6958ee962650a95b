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
  WebhookSecrets,
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
  /** While the process is busy serving: one attempt at a time, at most one per this many ms (10). */
  busyGapMs: number;
  /** Attempts in flight to one destination (scheme, host, port) at most (4). */
  perDestination: number;
  /** How often the outbox is looked at when nothing nudges the worker (500 ms). */
  pollMs: number;
};

export const DEFAULT_DELIVERY_OPTIONS: DeliveryOptions = {
  concurrency: 16,
  busyGapMs: 10,
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
  /** Whether the process is busy serving requests (then the worker yields); default never. */
  load?: { busy(): boolean };
};

/** The most of a receiver's answer kept with an attempt. */
const ANSWER_KEPT = 200;
/** How long an account's secrets are reused before they are read again (a rotation shows within this). */
const SECRETS_REUSED_MS = 1000;

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
  private gapTimer: NodeJS.Timeout | undefined;
  /** Due events read but not started yet (their destination was busy), and when they were read. */
  private buffer: DueDelivery[] = [];
  private bufferAt = 0;
  private readonly secretCache = new Map<string, { keys: WebhookSecrets; until: number }>();
  private nudged = false;
  /** New events were written since the last read of the outbox. */
  private written = true;
  private lastStartMs = 0;
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

  /** New events were written: look now rather than at the next poll (nudges of one turn count as one). */
  nudge(): void {
    if (!this.running || this.nudged) return;
    this.nudged = true;
    setImmediate(() => {
      this.nudged = false;
      this.written = true;
      this.kick();
    });
  }

  /**
   * Stops taking events and waits up to `graceMs` for the attempts in flight. One still running after that is
   * not recorded: its event stays pending and is sent again at the next start (at least once).
   */
  async stop(graceMs = 2000): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    clearTimeout(this.gapTimer);
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

  /**
   * Starts attempts for due events while there is room: from the events already read; when none of those can start
   * (their destinations are busy), from a new read of the outbox that skips the busy destinations. Such a read
   * comes when the buffer is used up, new events were written (a nudge) or a poll passed, not after every attempt:
   * a backlog at one busy destination is not read again and again.
   */
  private async fill(): Promise<void> {
    const { perDestination, pollMs } = this.options;
    const nowMs = this.deps.now().getTime();
    for (const [destination, until] of this.pausedUntil)
      if (until <= nowMs) this.pausedUntil.delete(destination);
    if (nowMs - this.bufferAt >= pollMs) this.buffer = [];
    this.startFromBuffer();
    if (this.room() === 0 || this.buffer.some((e) => this.startable(e))) return;
    if (this.buffer.length > 0 && !this.written) return;
    this.written = false;
    const skip = new Set(this.pausedUntil.keys());
    for (const [destination, busy] of this.perDestination) if (busy >= perDestination) skip.add(destination);
    const due = await this.deps.outbox.due(nowMs, 2 * this.options.concurrency, [...skip]);
    this.buffer = due.filter((e) => !this.inFlight.has(e.event_id));
    this.bufferAt = nowMs;
    this.startFromBuffer();
  }

  /**
   * How many attempts may start now. While the process is busy serving, one at a time and one per `busyGapMs`
   * (a kick is set for when the gap ends): deliveries go on, slower, and leave the requests their time.
   */
  private room(): number {
    if (!this.running) return 0;
    if (!this.deps.load?.busy()) return this.options.concurrency - this.inFlight.size;
    if (this.inFlight.size > 0) return 0;
    const wait = this.lastStartMs + this.options.busyGapMs - Date.now();
    if (wait <= 0) return 1;
    clearTimeout(this.gapTimer);
    this.gapTimer = setTimeout(() => this.kick(), wait);
    this.gapTimer.unref();
    return 0;
  }

  private startable(event: DueDelivery): boolean {
    return (
      !this.inFlight.has(event.event_id) &&
      !this.pausedUntil.has(event.destination) &&
      (this.perDestination.get(event.destination) ?? 0) < this.options.perDestination
    );
  }

  /** Starts the buffered events that can start, in order, while there is room; keeps the others. */
  private startFromBuffer(): void {
    const kept: DueDelivery[] = [];
    for (const event of this.buffer) {
      if (this.inFlight.has(event.event_id)) continue;
      if (this.startable(event) && this.room() > 0) this.launch(event);
      else kept.push(event);
    }
    this.buffer = kept;
  }

  private launch(event: DueDelivery): void {
    this.lastStartMs = Date.now();
    this.perDestination.set(event.destination, (this.perDestination.get(event.destination) ?? 0) + 1);
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

  /** The account's secrets, reused for a second; created when it has none. */
  private async secretsOf(accountId: string, atMs: number): Promise<WebhookSecrets> {
    const cached = this.secretCache.get(accountId);
    if (cached && cached.until > atMs) return cached.keys;
    const { secrets } = this.deps;
    const keys = (await secrets.get(accountId)) ?? (await secrets.ensure(accountId, newSecret(), atMs));
    this.secretCache.set(accountId, { keys, until: atMs + SECRETS_REUSED_MS });
    return keys;
  }

  private async attempt(event: DueDelivery): Promise<void> {
    const { outbox, now } = this.deps;
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
    const keys = await this.secretsOf(event.account_id, at.getTime());
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
