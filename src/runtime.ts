/**
 * The one place the service is wired: configuration and overrides in; the app, the services, the call-following
 * parts and a way to close them out. `main`, the command line, the tests and the bench all build through it.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import type { Express } from 'express';
import { AccountService } from './accounts/account-service';
import { createApp } from './app';
import { CallIntake } from './calls/call-intake';
import { callNotices, type CallNotices } from './calls/call-notices';
import { persistCalls } from './calls/call-persistence';
import { CallTracker } from './calls/call-tracker';
import { Reconciler } from './calls/reconciler';
import { Sweeper } from './calls/sweeper';
import type { SwitchPort } from './calls/switch-port';
import { ClickToCallService } from './clicktocall/clicktocall-service';
import { ConnectService } from './clicktocall/connect-service';
import { HistoryService } from './clicktocall/history-service';
import { createValidators } from './clicktocall/validation';
import type { Config } from './config';
import type { HealthProbe } from './http/endpoint';
import type { EnvelopeMeta } from './http/envelope';
import type { Logger } from './logger';
import { Metrics } from './metrics';
import type { Store } from './store/ports';
import { openSqliteStore } from './store/sqlite/store';
import { openPgStore } from './store/pg/store';
import { startSwitchLink } from './switch-link';
import { SwitchSet, type SwitchMember } from './switches/switch-set';
import { pgLeases } from './switches/pg-leases';
import { soleLeases, type TrackingLeases } from './switches/tracking-leases';
import { StandbyEvents, type TrackingScope } from './calls/tracking-scope';
import { DeliveryWorker, type DeliveryOptions } from './webhooks/delivery-worker';
import { LinkService } from './links/link-service';
import { RateLimit } from './rate-limit';
import { statusEvent } from './webhooks/events';
import { eventLoopGauge } from './webhooks/load-gauge';
import { createSender, type SendOutcome, type SendRequest } from './webhooks/sender';
import { WebhookService } from './webhooks/webhook-service';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require('../../package.json') as { version: string };

/** A switch link the runtime owns and closes (the ESL client). */
type OwnedSwitch = SwitchPort & { close(): Promise<void> };

export type RuntimeOptions = {
  config: Config;
  logger: Logger;
  /** The store; default: SQLite at `config.dbPath`. The runtime closes it. */
  store?: Store;
  /**
   * One switch link, named as the first of `config.switches`; default: an ESL client to each of `config.switches`,
   * connecting at once (closed by the runtime). A given link is the caller's to close.
   */
  esl?: SwitchPort;
  /** Several switch links with their names and weights (the caller's to close); wins over `esl`. */
  switches?: SwitchMember[];
  /** How the switches are probed when there are several (tests). */
  switchProbe?: { intervalMs?: number; timeoutMs?: number };
  /**
   * Which switches this process tracks: default, PostgreSQL's advisory locks when `config.databaseUrl` is set
   * (several instances), otherwise every switch.
   */
  leases?: TrackingLeases;
  /** Prometheus metrics: default a registry with Node's process metrics; `false` for none. */
  metrics?: Metrics | false;
  now?: () => Date;
  /** The random part of call ids (tests pin it). */
  randomHex?: () => string;
  /** How long the switch may take to accept an originate (default 5 s). */
  commandTimeoutMs?: number;
  /** Webhook delivery (tests, bench): the sender (default: HTTP with the config's guard) and the worker's options. */
  webhooks?: {
    send?: (request: SendRequest) => Promise<SendOutcome>;
    options?: Partial<DeliveryOptions>;
    random?: () => number;
    /** Whether the process is busy serving (default: the event loop's utilization). */
    load?: { busy(): boolean };
  };
  /** Timings of call following (tests). */
  calls?: {
    lingerMs?: number;
    sweepIntervalMs?: number;
    staleAfterMs?: number;
    maxCallAgeMs?: number;
    reconcileGraceMs?: number;
  };
};

export type Runtime = {
  app: Express;
  store: Store;
  /** The first switch's link as the services use it (metered when there are metrics). */
  esl: SwitchPort;
  /** Every switch, as the services use them. */
  switches: SwitchSet;
  leases: TrackingLeases;
  metrics: Metrics | undefined;
  meta: EnvelopeMeta;
  services: {
    accounts: AccountService;
    clicktocall: ClickToCallService;
    connect: ConnectService;
    history: HistoryService;
    webhooks: WebhookService;
    links: LinkService;
  };
  /** Sends the outbox's status events (started by `start`). */
  webhooks: DeliveryWorker;
  calls: {
    tracker: CallTracker;
    notices: CallNotices;
    intake: CallIntake;
    reconciler: Reconciler;
    sweeper: Sweeper;
    persistence: { stats: { updates: number } };
  };
  /** Starts following calls: the switch's events into the tracker, reconciliation on every connection, sweeps. */
  start(): void;
  /**
   * Stops the sweeper and the webhook worker (its attempts in flight end first), closes the switch link (when the
   * runtime opened it) and the store. Idempotent.
   */
  close(): Promise<void>;
};

/**
 * `buildRuntime` over the store the configuration names: PostgreSQL when `config.databaseUrl` is set (opened, and
 * migrated, before the runtime is built), otherwise SQLite at `config.dbPath`.
 */
export async function openRuntime(opts: RuntimeOptions): Promise<Runtime> {
  if (opts.store !== undefined || opts.config.databaseUrl === undefined) return buildRuntime(opts);
  const metrics =
    opts.metrics === false
      ? undefined
      : (opts.metrics ??
        new Metrics({ processMetrics: true, now: () => (opts.now?.() ?? new Date()).getTime() }));
  const store = await openPgStore({
    url: opts.config.databaseUrl,
    logger: opts.logger.child({ module: 'store' }),
    ...(metrics && { metrics }),
  });
  return buildRuntime({ ...opts, store, metrics: metrics ?? false });
}

/** The envelope's `node` (a hash of the host name, as Kazoo's) and `version`. */
export function envelopeMeta(): EnvelopeMeta {
  return {
    node: crypto.createHash('sha256').update(os.hostname()).digest('base64url').slice(0, 22),
    version,
  };
}

/** A switch link that is never connected: for the command line, which places no calls. */
export const NO_SWITCH: SwitchPort = {
  connected: false,
  bgapi: () => Promise.reject(new Error('no switch')),
  waitForJob: () => Promise.reject(new Error('no switch')),
  api: () => Promise.reject(new Error('no switch')),
  on: () => undefined,
};

export function buildRuntime(opts: RuntimeOptions): Runtime {
  const { config, logger } = opts;
  const now = opts.now ?? (() => new Date());
  const metrics =
    opts.metrics === false
      ? undefined
      : (opts.metrics ?? new Metrics({ processMetrics: true, now: () => now().getTime() }));
  const store =
    opts.store ??
    openSqliteStore({ file: config.dbPath, logger: logger.child({ module: 'store' }), metrics });
  const owned: Array<SwitchMember & { link: OwnedSwitch }> =
    opts.switches === undefined && opts.esl === undefined
      ? config.switches.map((sw) => ({
          name: sw.name,
          weight: sw.weight,
          link: startSwitchLink(sw, config.dialplanContext, logger),
        }))
      : [];
  const given: SwitchMember[] =
    opts.switches ??
    (opts.esl ? [{ name: config.switches[0]?.name ?? 'default', weight: 1, link: opts.esl }] : owned);
  const switches = new SwitchSet(
    given.map((m) => ({ ...m, link: metrics ? metrics.meterSwitch(m.link) : m.link })),
    {
      ...(opts.switchProbe?.intervalMs !== undefined && { probeIntervalMs: opts.switchProbe.intervalMs }),
      ...(opts.switchProbe?.timeoutMs !== undefined && { probeTimeoutMs: opts.switchProbe.timeoutMs }),
    },
  );
  const esl = switches.link(undefined) ?? NO_SWITCH;
  const leases =
    opts.leases ??
    (config.databaseUrl === undefined
      ? soleLeases()
      : pgLeases({
          url: config.databaseUrl,
          switchNames: switches.names,
          logger: logger.child({ module: 'leases' }),
          eligible: (name) => switches.link(name)?.connected === true,
        }));
  const scope: TrackingScope = {
    tracks: (name) => leases.holds(name),
    switchOf: (name) => switches.nameOf(name),
  };
  const standby = new StandbyEvents();

  const notices = callNotices((err, notice) =>
    logger.error('a call notice subscriber failed', {
      call_id: notice.callId,
      error: (err as Error).message,
    }),
  );
  const timings = opts.calls ?? {};
  const tracker = new CallTracker({
    notices,
    logger,
    now,
    ...(timings.lingerMs !== undefined && { lingerMs: timings.lingerMs }),
  });
  const sender =
    opts.webhooks?.send === undefined
      ? createSender({
          allowPrivateNetworks: config.webhooks.allowPrivateNetworks,
          timeoutMs: config.webhooks.timeoutMs,
        })
      : undefined;
  const gauge = opts.webhooks?.load === undefined ? eventLoopGauge() : undefined;
  const webhooks = new DeliveryWorker({
    outbox: store.outbox,
    secrets: store.webhookSecrets,
    send: opts.webhooks?.send ?? ((request) => sender!.send(request)),
    now,
    logger,
    ...(metrics && { metrics }),
    ...(opts.webhooks?.random && { random: opts.webhooks.random }),
    load: opts.webhooks?.load ?? gauge!,
    options: {
      concurrency: config.webhooks.concurrency,
      perDestination: config.webhooks.perDestination,
      ...opts.webhooks?.options,
    },
  });
  metrics?.trackWebhookQueue(store.outbox);
  const persistence = persistCalls({
    notices,
    history: store.history,
    now,
    logger,
    // A status change sends the call's event, when its callback asks for that status.
    eventsOf: (change, atMs) => {
      if (change.state.status === change.previous.status) return [];
      const event = statusEvent(change.base, change.record, atMs);
      return event ? [event] : [];
    },
    onEvents: () => webhooks.nudge(),
  });
  metrics?.observeCalls(notices);
  metrics?.trackCallsInFlight(() => tracker.inFlight);
  const intake = new CallIntake({
    tracker,
    history: store.history,
    logger,
    now,
    scope,
    standby,
    ...(metrics && { metrics }),
  });
  const reconciler = new Reconciler({
    tracker,
    history: store.history,
    switches,
    scope,
    logger,
    now,
    ...(timings.reconcileGraceMs !== undefined && { graceMs: timings.reconcileGraceMs }),
  });
  const sweeper = new Sweeper({
    tracker,
    history: store.history,
    reconciler,
    switches,
    scope,
    logger,
    now,
    ...(timings.sweepIntervalMs !== undefined && { intervalMs: timings.sweepIntervalMs }),
    ...(timings.staleAfterMs !== undefined && { staleAfterMs: timings.staleAfterMs }),
    ...(timings.maxCallAgeMs !== undefined && { maxCallAgeMs: timings.maxCallAgeMs }),
  });

  const validators = createValidators();
  const accounts = new AccountService({ store, now, tokenTtlS: config.tokenTtlS });
  const clicktocall = new ClickToCallService({
    repo: store.clicktocalls,
    validate: validators.config,
    webhookStops: store.outbox,
    now,
    logger: logger.child({ module: 'clicktocall' }),
  });
  const connect = new ConnectService({
    accounts,
    clicktocall,
    store,
    tracker,
    switches,
    scope,
    validateRequestVars: validators.requestVars,
    validateStatusCallback: validators.statusCallback,
    onEvents: () => webhooks.nudge(),
    now,
    dialplanContext: config.dialplanContext,
    mediaLocation: config.mediaLocation,
    logger: logger.child({ module: 'connect' }),
    ...(metrics && { metrics }),
    ...(opts.commandTimeoutMs !== undefined && { commandTimeoutMs: opts.commandTimeoutMs }),
    ...(opts.randomHex !== undefined && { randomHex: opts.randomHex }),
  });
  const history = new HistoryService({
    history: store.history,
    configs: store.clicktocalls,
    tracker,
    reconciler,
    switches,
    scope,
    now,
    logger: logger.child({ module: 'calls' }),
  });
  const links = new LinkService({
    links: store.links,
    keys: store.serviceKeys,
    history: store.history,
    accounts,
    clicktocall,
    connect,
    notices,
    rate: new RateLimit(() => now().getTime()),
    validate: validators.link,
    now,
    logger: logger.child({ module: 'links' }),
  });
  const webhookService = new WebhookService({
    outbox: store.outbox,
    secrets: store.webhookSecrets,
    now,
    onEvents: () => webhooks.nudge(),
  });

  /** Each switch as `/health` and `/metrics` show it. */
  const switchView = () =>
    switches.status().map((s) => ({ name: s.name, up: s.up, load: s.load, tracked: leases.holds(s.name) }));
  metrics?.trackSwitches(switchView);
  // One switch up is enough to serve: connects go to it (docs/switches.md).
  const health: HealthProbe = async () => {
    const database = await store.writable();
    const link = switches.anyUp;
    const reasons = [...(database ? [] : ['database not writable']), ...(link ? [] : ['switch link down'])];
    const several = switches.names.length > 1;
    return {
      ok: reasons.length === 0,
      checks: {
        process: 'up',
        database: database ? 'up' : 'down',
        switch: link ? 'up' : 'down',
      },
      ...(several && {
        switches: Object.fromEntries(switchView().map(({ name, ...view }) => [name, view])),
      }),
      ...(reasons.length > 0 && { reason: reasons.join('; ') }),
    };
  };
  const meta = envelopeMeta();
  const app = createApp({
    accounts,
    clicktocall,
    connect,
    history,
    webhooks: webhookService,
    links,
    logger,
    meta,
    trustProxy: config.trustProxy,
    anonConnectsPerMinute: config.anonConnectsPerMinute,
    health,
    ...(metrics && { metrics }),
    ...(config.metricsToken !== undefined && { metricsToken: config.metricsToken }),
    ...(config.publicUrl !== undefined && { publicUrl: config.publicUrl }),
    ...(gauge && { onRequest: gauge.request }),
  });

  let started = false;
  let closing: Promise<void> | undefined;
  return {
    app,
    store,
    esl,
    switches,
    leases,
    metrics,
    meta,
    services: { accounts, clicktocall, connect, history, webhooks: webhookService, links },
    webhooks,
    calls: { tracker, notices, intake, reconciler, sweeper, persistence },
    start() {
      if (started) return;
      started = true;
      switches.onEvent((event, switchName) => intake.onEslEvent(event, switchName));
      // A switch taken over (its last tracker died): its events kept meanwhile, then its open calls checked.
      leases.onChange(({ switchName, held }) => {
        if (held) {
          const replayed = intake.replayStandby(switchName);
          logger.info('switch taken over', { switch: switchName, replayed_events: replayed });
          void reconciler.reconcileAll(switchName);
        } else tracker.forgetSwitch((base) => switches.nameOf(base.switch) === switchName);
      });
      leases.start();
      switches.start();
      reconciler.start();
      sweeper.start();
      webhooks.start();
    },
    close() {
      closing ??= (async () => {
        sweeper.stop();
        switches.stop();
        await leases.stop();
        await webhooks.stop();
        gauge?.stop();
        sender?.close();
        await Promise.all(owned.map((m) => m.link.close()));
        await store.close();
      })();
      return closing;
    },
  };
}
