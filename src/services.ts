import crypto from 'node:crypto';
import os from 'node:os';
import { AccountService } from './accounts/account-service';
import { ClickToCallService } from './clicktocall/clicktocall-service';
import { createClickToCallValidator } from './clicktocall/validation';
import type { EnvelopeMeta } from './http/envelope';
import { AccountsRepo } from './store/accounts-repo';
import { AuthRepo } from './store/auth-repo';
import { ClickToCallRepo } from './store/clicktocall-repo';
import type { Db } from './store/sqlite';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require('../../package.json') as { version: string };

export type Services = { accounts: AccountService; clicktocall: ClickToCallService };

/** Builds the services over an open database: the one place that wires repositories into services. */
export function createServices(opts: { db: Db; tokenTtlS: number; now?: () => Date }): Services {
  const now = opts.now ?? (() => new Date());
  const transaction = <T>(fn: () => T): T => opts.db.transaction(fn)();
  return {
    accounts: new AccountService({
      accounts: new AccountsRepo(opts.db),
      auth: new AuthRepo(opts.db),
      transaction,
      now,
      tokenTtlS: opts.tokenTtlS,
    }),
    clicktocall: new ClickToCallService({
      repo: new ClickToCallRepo(opts.db),
      validate: createClickToCallValidator(),
      now,
    }),
  };
}

/** The envelope's `node` (a hash of the host name, as Kazoo's) and `version`. */
export function envelopeMeta(): EnvelopeMeta {
  return {
    node: crypto.createHash('sha256').update(os.hostname()).digest('base64url').slice(0, 22),
    version,
  };
}
