import crypto from 'node:crypto';
import os from 'node:os';
import { AccountService } from './accounts/account-service';
import { ClickToCallService } from './clicktocall/clicktocall-service';
import { CallTracker } from './calls/call-tracker';
import type { SwitchPort } from './calls/switch-port';
import { ConnectService } from './clicktocall/connect-service';
import { HistoryService } from './clicktocall/history-service';
import { createValidators } from './clicktocall/validation';
import type { EnvelopeMeta } from './http/envelope';
import type { HealthProbe, HealthReport } from './http/ops-routes';
import type { Logger } from './logger';
import type { Metrics } from './metrics';
import { AccountsRepo } from './store/accounts-repo';
import { AuthRepo } from './store/auth-repo';
import { ClickToCallRepo } from './store/clicktocall-repo';
import { HistoryRepo } from './store/history-repo';
import type { Db } from './store/sqlite';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require('../../package.json') as { version: string };

export type Services = {
  accounts: AccountService;
  clicktocall: ClickToCallService;
  connect: ConnectService;
  history: HistoryService;
  tracker: CallTracker;
};

export type ServiceOptions = {
  db: Db;
  tokenTtlS: number;
  dialplanContext: string;
  esl: SwitchPort;
  logger: Logger;
  now?: () => Date;
  /** Prometheus metrics: when given, the switch link, the tracker, connects and writes are metered. */
  metrics?: Metrics;
  /** How long the switch may take to accept an originate (default 5 s). */
  commandTimeoutMs?: number;
  /** The random part of call ids (tests pin it). */
  randomHex?: () => string;
};

/** A switch port that is never connected: for the command line, which places no calls. */
export const NO_SWITCH: SwitchPort = {
  connected: false,
  bgapi: () => Promise.reject(new Error('no switch')),
  waitForJob: () => Promise.reject(new Error('no switch')),
  api: () => Promise.reject(new Error('no switch')),
  on: () => undefined,
};

/** Builds the services over an open database: the one place that wires repositories into services. */
export function createServices(opts: ServiceOptions): Services {
  const now = opts.now ?? (() => new Date());
  const { metrics } = opts;
  const esl = metrics ? metrics.meterSwitch(opts.esl) : opts.esl;
  const transaction = <T>(fn: () => T): T => opts.db.transaction(fn)();
  const validators = createValidators();
  const accounts = new AccountService({
    accounts: new AccountsRepo(opts.db),
    auth: new AuthRepo(opts.db),
    transaction,
    now,
    tokenTtlS: opts.tokenTtlS,
  });
  const configs = new ClickToCallRepo(opts.db, metrics);
  const clicktocall = new ClickToCallService({
    repo: configs,
    validate: validators.config,
    now,
    logger: opts.logger.child({ module: 'clicktocall' }),
  });
  const history = new HistoryRepo(opts.db, metrics);
  const tracker = new CallTracker({ history, esl, logger: opts.logger, now, metrics });
  metrics?.trackCallsInFlight(() => tracker.inFlight);
  const connect = new ConnectService({
    accounts,
    clicktocall,
    history,
    tracker,
    esl,
    validateRequestVars: validators.requestVars,
    transaction,
    now,
    dialplanContext: opts.dialplanContext,
    logger: opts.logger.child({ module: 'connect' }),
    metrics,
    ...(opts.commandTimeoutMs !== undefined && { commandTimeoutMs: opts.commandTimeoutMs }),
    ...(opts.randomHex !== undefined && { randomHex: opts.randomHex }),
  });
  const historyService = new HistoryService({ history, configs, tracker, esl });
  return { accounts, clicktocall, connect, history: historyService, tracker };
}

/** The envelope's `node` (a hash of the host name, as Kazoo's) and `version`. */
export function envelopeMeta(): EnvelopeMeta {
  return {
    node: crypto.createHash('sha256').update(os.hostname()).digest('base64url').slice(0, 22),
    version,
  };
}

/**
 * `GET /health`'s probe: the database takes a write (begun and rolled back, waiting at most 50 ms for a lock) and
 * the switch link is up. Synchronous and bounded: it never waits on the switch.
 */
export function createHealthProbe(opts: { db: Db; esl: Pick<SwitchPort, 'connected'> }): HealthProbe {
  const databaseWritable = (): boolean => {
    const { db } = opts;
    try {
      const busyTimeout = db.pragma('busy_timeout', { simple: true }) as number;
      db.pragma('busy_timeout = 50');
      try {
        db.exec('BEGIN IMMEDIATE');
        try {
          db.pragma(`user_version = ${Number(db.pragma('user_version', { simple: true }))}`);
        } finally {
          db.exec('ROLLBACK');
        }
      } finally {
        db.pragma(`busy_timeout = ${Number(busyTimeout)}`);
      }
      return true;
    } catch {
      return false;
    }
  };
  return (): HealthReport => {
    const database = databaseWritable();
    const link = opts.esl.connected;
    const reasons = [...(database ? [] : ['database not writable']), ...(link ? [] : ['switch link down'])];
    return {
      ok: reasons.length === 0,
      checks: { process: 'up', database: database ? 'up' : 'down', switch: link ? 'up' : 'down' },
      ...(reasons.length > 0 && { reason: reasons.join('; ') }),
    };
  };
}
