import { Writable } from 'node:stream';
import type { Express } from 'express';
import supertest from 'supertest';
import { createApp } from '../../src/app';
import { createLogger, type Logger } from '../../src/logger';
import type { SwitchPort } from '../../src/calls/switch-port';
import { createServices, envelopeMeta, NO_SWITCH, type Services } from '../../src/services';
import { openDatabase, type Db } from '../../src/store/sqlite';
import { scanLogsAfterRun } from './secret-scan';

/** Every log line written during the test run, for tests that read logs (and the secret scan). */
export const LOG_LINES: string[] = [];
scanLogsAfterRun(LOG_LINES);

export function testLogger(): Logger {
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      LOG_LINES.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return createLogger({ level: 'debug', stream });
}

export type Harness = {
  db: Db;
  services: Services;
  app: Express;
  http: ReturnType<typeof supertest>;
  clock: { now: Date };
  /** A new account (child of `parentId` when given) with a fresh token. */
  account(opts?: { parentId?: string; name?: string; allowSipUri?: boolean }): {
    id: string;
    apiKey: string;
    token: string;
  };
};

/** The real app and services over an in-memory database with the same migrations. */
export function harness(
  opts: {
    tokenTtlS?: number;
    esl?: SwitchPort;
    now?: () => Date;
    dbPath?: string;
    trustProxy?: false | string[];
    anonConnectsPerMinute?: number;
    commandTimeoutMs?: number;
    randomHex?: () => string;
  } = {},
): Harness {
  const db = openDatabase(opts.dbPath ?? ':memory:');
  const clock = { now: new Date('2026-11-27T10:00:00Z') };
  const logger = testLogger();
  const services = createServices({
    db,
    tokenTtlS: opts.tokenTtlS ?? 3600,
    dialplanContext: 'default',
    esl: opts.esl ?? NO_SWITCH,
    logger,
    now: opts.now ?? (() => clock.now),
    ...(opts.commandTimeoutMs !== undefined && { commandTimeoutMs: opts.commandTimeoutMs }),
    ...(opts.randomHex !== undefined && { randomHex: opts.randomHex }),
  });
  if (opts.esl) services.tracker.start();
  const app = createApp({
    ...services,
    logger,
    meta: envelopeMeta(),
    ...(opts.trustProxy !== undefined && { trustProxy: opts.trustProxy }),
    ...(opts.anonConnectsPerMinute !== undefined && { anonConnectsPerMinute: opts.anonConnectsPerMinute }),
  });
  let n = 0;
  return {
    db,
    services,
    app,
    http: supertest(app),
    clock,
    account(o = {}) {
      n += 1;
      const created = services.accounts.createAccount({
        name: o.name ?? `Account ${n}`,
        realm: `a${n}.example.com`,
        ...(o.parentId && { parentId: o.parentId }),
        ...(o.allowSipUri && { allowSipUri: true }),
      });
      const { token } = services.accounts.issueToken(created.api_key);
      return { id: created.id, apiKey: created.api_key, token };
    },
  };
}

/** A minimal valid configuration body. */
export const minimal = (extra: Record<string, unknown> = {}) => ({
  data: { name: 'Sales', extension: '2600', ...extra },
});
