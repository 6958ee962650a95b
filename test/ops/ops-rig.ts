import type { Express } from 'express';
import supertest from 'supertest';
import { createApp } from '../../src/app';
import type { SwitchPort } from '../../src/calls/switch-port';
import { Metrics } from '../../src/metrics';
import {
  createHealthProbe,
  createServices,
  envelopeMeta,
  NO_SWITCH,
  type Services,
} from '../../src/services';
import { openDatabase, type Db } from '../../src/store/sqlite';
import { testLogger } from '../support/harness';

export type OpsRig = {
  db: Db;
  services: Services;
  metrics: Metrics;
  app: Express;
  http: ReturnType<typeof supertest>;
  /** A new account with a fresh token. */
  account(): { id: string; apiKey: string; token: string };
};

let n = 0;

/** The app as main.ts wires it: metrics, health probe, optional metrics token, over :memory: SQLite. */
export function opsRig(opts: { esl?: SwitchPort; metricsToken?: string } = {}): OpsRig {
  const db = openDatabase(':memory:');
  const logger = testLogger();
  const metrics = new Metrics();
  const esl = opts.esl ?? NO_SWITCH;
  const services = createServices({
    db,
    tokenTtlS: 3600,
    dialplanContext: 'default',
    esl,
    logger,
    metrics,
  });
  if (opts.esl) services.tracker.start();
  const app = createApp({
    ...services,
    logger,
    meta: envelopeMeta(),
    metrics,
    ...(opts.metricsToken !== undefined && { metricsToken: opts.metricsToken }),
    health: createHealthProbe({ db, esl }),
  });
  return {
    db,
    services,
    metrics,
    app,
    http: supertest(app),
    account() {
      n += 1;
      const created = services.accounts.createAccount({ name: `Ops ${n}`, realm: `ops${n}.example.com` });
      const { token } = services.accounts.issueToken(created.api_key);
      return { id: created.id, apiKey: created.api_key, token };
    },
  };
}
