import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { IntakeMetrics } from './calls/call-intake';
import type { CallNotices } from './calls/call-notices';
import type { SwitchPort } from './calls/switch-port';
import type { StoreMetrics, WebhookOutboxRepository } from './store/ports';
import type { AttemptResult, DeliveryOutcome, WebhookMetrics } from './webhooks/delivery-worker';

/** What the connect service reports (optional dependency of ConnectService). */
export type ConnectMetrics = { connect(outcome: string): void };

export type MetricsOptions = {
  /** Also export Node's process metrics (`process_*`, `nodejs_*`); default false. */
  processMetrics?: boolean;
  /** The clock the age of the oldest pending webhook is measured with (Unix ms). */
  now?: () => number;
};

export const METRIC_PREFIX = 'clicktocall_';

/** The names of the series the service exports (without process metrics). */
export const METRIC_NAMES = [
  'clicktocall_http_requests_total',
  'clicktocall_http_request_duration_seconds',
  'clicktocall_connects_total',
  'clicktocall_calls_ended_total',
  'clicktocall_calls_in_flight',
  'clicktocall_esl_connected',
  'clicktocall_esl_reconnects_total',
  'clicktocall_esl_command_duration_seconds',
  'clicktocall_switch_up',
  'clicktocall_switch_load',
  'clicktocall_switch_tracked',
  'clicktocall_esl_events_total',
  'clicktocall_esl_events_unknown_total',
  'clicktocall_store_write_duration_seconds',
  'clicktocall_store_commit_failures_total',
  'clicktocall_webhook_deliveries_total',
  'clicktocall_webhook_attempts_total',
  'clicktocall_webhook_queue_depth',
  'clicktocall_webhook_oldest_pending_age_seconds',
] as const;

/** Label values come from the outside world (FreeSWITCH causes, event names): bound them. */
const UPPER_WORD = /^[A-Z][A-Z0-9_]{0,47}$/;
const LOWER_WORD = /^[a-z][a-z0-9_]{0,47}$/;
const bounded = (value: string | undefined, shape: RegExp, fallback: string): string =>
  value !== undefined && shape.test(value) ? value : fallback;

const ESL_COMMANDS = new Set(['originate', 'hupall', 'show', 'uuid_kill', 'status', 'api', 'bgapi']);

const seconds = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e9;

/**
 * The service's Prometheus metrics, on a registry of its own (never prom-client's global one), so each
 * app (and each test) has its own counters. Passed in as a dependency; nothing here is a singleton.
 */
export class Metrics implements IntakeMetrics, ConnectMetrics, StoreMetrics, WebhookMetrics {
  readonly registry = new Registry();
  private readonly httpRequests;
  private readonly httpDuration;
  private readonly connects;
  private readonly callsEnded;
  private readonly inFlight: Gauge;
  private readonly eslConnected: Gauge;
  private readonly eslReconnects;
  private readonly eslCommands;
  private readonly eslEvents;
  private readonly eslUnknown;
  private readonly storeWrites;
  private readonly storeCommitFailures;
  private readonly webhookDeliveries;
  private readonly webhookAttempts;
  private readonly webhookQueue: Gauge;
  private readonly webhookOldest: Gauge;
  private outboxSource: Pick<WebhookOutboxRepository, 'pending'> | undefined;
  private readonly clock: () => number;
  private inFlightSource: () => number = () => 0;
  private readonly eslLinks: SwitchPort[] = [];
  private readonly eslStateSource = (): boolean => this.eslLinks.some((link) => link.connected);
  private switchSource: () => Array<{ name: string; up: boolean; load: number; tracked: boolean }> = () => [];

  constructor(options: MetricsOptions = {}) {
    const registers = [this.registry];
    this.clock = options.now ?? Date.now;
    this.httpRequests = new Counter({
      name: 'clicktocall_http_requests_total',
      help: 'HTTP requests answered, by route template, method and status code',
      labelNames: ['route', 'method', 'code'] as const,
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'clicktocall_http_request_duration_seconds',
      help: 'HTTP request latency, by route template, method and status code',
      labelNames: ['route', 'method', 'code'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 40],
      registers,
    });
    this.connects = new Counter({
      name: 'clicktocall_connects_total',
      help: 'Connect requests, by outcome (accepted, answered, failed, pending, or the refusal code)',
      labelNames: ['outcome'] as const,
      registers,
    });
    this.callsEnded = new Counter({
      name: 'clicktocall_calls_ended_total',
      help: 'Calls that reached a final status, by status and hangup cause',
      labelNames: ['status', 'cause'] as const,
      registers,
    });
    this.inFlight = new Gauge({
      name: 'clicktocall_calls_in_flight',
      help: 'Calls tracked now (not yet final)',
      registers,
      collect: (): void => this.inFlight.set(this.inFlightSource()),
    });
    this.eslConnected = new Gauge({
      name: 'clicktocall_esl_connected',
      help: '1 while the FreeSWITCH event socket link is up, else 0',
      registers,
      collect: (): void => this.eslConnected.set(this.eslStateSource() ? 1 : 0),
    });
    const perSwitch = (
      name: string,
      help: string,
      value: (s: ReturnType<typeof this.switchSource>[number]) => number,
    ) => {
      const gauge: Gauge<'switch'> = new Gauge({
        name,
        help,
        labelNames: ['switch'] as const,
        registers,
        collect: (): void => {
          gauge.reset();
          for (const s of this.switchSource()) gauge.set({ switch: s.name }, value(s));
        },
      });
      return gauge;
    };
    perSwitch('clicktocall_switch_up', '1 while the switch is connected and answering, else 0', (s) =>
      s.up ? 1 : 0,
    );
    perSwitch(
      'clicktocall_switch_load',
      'Sessions the switch reported at its last probe plus calls placed on it since (several switches only)',
      (s) => s.load,
    );
    perSwitch(
      'clicktocall_switch_tracked',
      "1 while this instance follows the switch's calls (holds its tracking lease), else 0",
      (s) => (s.tracked ? 1 : 0),
    );
    this.eslReconnects = new Counter({
      name: 'clicktocall_esl_reconnects_total',
      help: 'Event socket reconnections after the first connection',
      registers,
    });
    this.eslCommands = new Histogram({
      name: 'clicktocall_esl_command_duration_seconds',
      help: 'Event socket command latency (until the reply), by command and result',
      labelNames: ['command', 'result'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.eslEvents = new Counter({
      name: 'clicktocall_esl_events_total',
      help: 'Event socket events received, by event name',
      labelNames: ['event'] as const,
      registers,
    });
    this.eslUnknown = new Counter({
      name: 'clicktocall_esl_events_unknown_total',
      help: 'Events received that no tracked call takes: not a click-to-call event, or of an unknown call',
      labelNames: ['reason'] as const,
      registers,
    });
    this.storeWrites = new Histogram({
      name: 'clicktocall_store_write_duration_seconds',
      help: 'Store write latency, by operation',
      labelNames: ['operation'] as const,
      buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1],
      registers,
    });
    this.storeCommitFailures = new Counter({
      name: 'clicktocall_store_commit_failures_total',
      help: 'Grouped commits of call history updates that failed (the updates were lost; see the log)',
      registers,
    });
    this.webhookDeliveries = new Counter({
      name: 'clicktocall_webhook_deliveries_total',
      help: 'Webhook events that left the queue, by outcome (delivered, failed, refused, gone)',
      labelNames: ['outcome'] as const,
      registers,
    });
    this.webhookAttempts = new Counter({
      name: 'clicktocall_webhook_attempts_total',
      help: "Webhook delivery attempts, by result (the receiver's 2xx-5xx, network, refused)",
      labelNames: ['result'] as const,
      registers,
    });
    this.webhookQueue = new Gauge({
      name: 'clicktocall_webhook_queue_depth',
      help: 'Webhook events waiting for delivery (pending)',
      registers,
      collect: async (): Promise<void> => {
        const pending = await this.outboxSource?.pending();
        this.webhookQueue.set(pending?.count ?? 0);
        const oldest = pending?.oldestMs;
        this.webhookOldest.set(oldest === undefined ? 0 : Math.max(0, (this.clock() - oldest) / 1000));
      },
    });
    this.webhookOldest = new Gauge({
      name: 'clicktocall_webhook_oldest_pending_age_seconds',
      help: 'Age of the oldest webhook event waiting for delivery (0 when none)',
      registers,
    });
    for (const reason of ['not_clicktocall', 'unknown_call'] as const) this.eslUnknown.inc({ reason }, 0);
    for (const outcome of ['delivered', 'failed', 'refused', 'gone'] as const)
      this.webhookDeliveries.inc({ outcome }, 0);
    for (const result of ['2xx', '3xx', '4xx', '5xx', 'network', 'refused'] as const)
      this.webhookAttempts.inc({ result }, 0);
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** The exposition text and its content type, for `GET /metrics`. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  httpRequest(route: string, method: string, code: number, durationS: number): void {
    const labels = { route, method, code: String(code) };
    this.httpRequests.inc(labels);
    this.httpDuration.observe(labels, durationS);
  }

  connect(outcome: string): void {
    this.connects.inc({ outcome: bounded(outcome, LOWER_WORD, 'other') });
  }

  callEnded(status: string, cause: string | undefined): void {
    this.callsEnded.inc({
      status: bounded(status, LOWER_WORD, 'other'),
      cause: cause === undefined ? 'NONE' : bounded(cause, UPPER_WORD, 'OTHER'),
    });
  }

  eslEvent(eventName: string): void {
    this.eslEvents.inc({ event: bounded(eventName, UPPER_WORD, 'OTHER') });
  }

  eslEventUnknown(reason: 'not_clicktocall' | 'unknown_call'): void {
    this.eslUnknown.inc({ reason });
  }

  storeWrite<T>(operation: string, write: () => T): T {
    const start = process.hrtime.bigint();
    try {
      return write();
    } finally {
      this.storeWrites.observe({ operation }, seconds(start));
    }
  }

  /** An asynchronous write's latency (the PostgreSQL adapter's, until its batch committed). */
  storeWriteObserved(operation: string, durationS: number): void {
    this.storeWrites.observe({ operation }, durationS);
  }

  storeCommitFailed(): void {
    this.storeCommitFailures.inc();
  }

  webhookAttempt(result: AttemptResult): void {
    this.webhookAttempts.inc({ result });
  }

  webhookDelivery(outcome: DeliveryOutcome): void {
    this.webhookDeliveries.inc({ outcome });
  }

  /** Where the webhook queue's depth and oldest event are read from at each scrape. */
  trackWebhookQueue(outbox: Pick<WebhookOutboxRepository, 'pending'>): void {
    this.outboxSource = outbox;
  }

  /** Counts the calls that end, by status and cause, from the tracker's notices. */
  observeCalls(notices: CallNotices): void {
    notices.subscribe((notice) => {
      if (notice.type === 'ended') this.callEnded(notice.status, notice.cause);
    });
  }

  /** Where `clicktocall_calls_in_flight` is read from at each scrape (the call tracker). */
  trackCallsInFlight(source: () => number): void {
    this.inFlightSource = source;
  }

  /** Each switch's state, load and whether this instance tracks it (docs/switches.md). */
  trackSwitches(source: () => Array<{ name: string; up: boolean; load: number; tracked: boolean }>): void {
    this.switchSource = source;
  }

  /**
   * Meters a switch link: its state and reconnects, and the latency of every command sent through the
   * returned port (which the services then use in place of `esl`).
   */
  meterSwitch(esl: SwitchPort): SwitchPort {
    // With several switches, the link gauge is 1 while at least one is up (clicktocall_switch_up tells which).
    this.eslLinks.push(esl);
    esl.on('connected', ({ reconnect }) => {
      if (reconnect) this.eslReconnects.inc();
    });
    const timed = async <T>(command: string, send: () => Promise<T>): Promise<T> => {
      const word = command.trimStart().split(/\s+/, 1)[0] ?? '';
      const labels = { command: ESL_COMMANDS.has(word) ? word : 'other', result: 'ok' };
      const start = process.hrtime.bigint();
      try {
        return await send();
      } catch (err) {
        labels.result = 'error';
        throw err;
      } finally {
        this.eslCommands.observe(labels, seconds(start));
      }
    };
    return {
      get connected() {
        return esl.connected;
      },
      bgapi: (command, options) => timed(command, () => esl.bgapi(command, options)),
      api: (command, options) => timed(command, () => esl.api(command, options)),
      waitForJob: (jobUuid, options) => esl.waitForJob(jobUuid, options),
      on: esl.on.bind(esl),
    };
  }
}
