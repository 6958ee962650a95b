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
import type { Logger } from './logger';
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
  const transaction = <T>(fn: () => T): T => opts.db.transaction(fn)();
  const validators = createValidators();
  const accounts = new AccountService({
    accounts: new AccountsRepo(opts.db),
    auth: new AuthRepo(opts.db),
    transaction,
    now,
    tokenTtlS: opts.tokenTtlS,
  });
  const configs = new ClickToCallRepo(opts.db);
  const clicktocall = new ClickToCallService({
    repo: configs,
    validate: validators.config,
    now,
  });
  const history = new HistoryRepo(opts.db);
  const tracker = new CallTracker({ history, esl: opts.esl, logger: opts.logger, now });
  const connect = new ConnectService({
    accounts,
    clicktocall,
    history,
    tracker,
    esl: opts.esl,
    validateRequestVars: validators.requestVars,
    transaction,
    now,
    dialplanContext: opts.dialplanContext,
    logger: opts.logger.child({ module: 'connect' }),
  });
  const historyService = new HistoryService({ history, configs, tracker, esl: opts.esl });
  return { accounts, clicktocall, connect, history: historyService, tracker };
}

/** The envelope's `node` (a hash of the host name, as Kazoo's) and `version`. */
export function envelopeMeta(): EnvelopeMeta {
  return {
    node: crypto.createHash('sha256').update(os.hostname()).digest('base64url').slice(0, 22),
    version,
  };
}
