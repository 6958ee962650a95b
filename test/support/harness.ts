import { Writable } from 'node:stream';
import type { Express } from 'express';
import supertest from 'supertest';
import type { SwitchPort } from '../../src/calls/switch-port';
import { loadConfig, type Config } from '../../src/config';
import { createLogger, type Logger } from '../../src/logger';
import { Metrics } from '../../src/metrics';
import { buildRuntime, NO_SWITCH, type Runtime, type RuntimeOptions } from '../../src/runtime';
import type { Store } from '../../src/store/ports';
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

export type HarnessOptions = {
  tokenTtlS?: number;
  /** A switch link; its calls are followed (the runtime is started). Default: never connected. */
  esl?: SwitchPort;
  /** Several switch links by name (their calls are followed); wins over `esl`. */
  switches?: RuntimeOptions['switches'];
  switchProbe?: RuntimeOptions['switchProbe'];
  /** Which switches this service tracks (default: every one). */
  leases?: RuntimeOptions['leases'];
  now?: () => Date;
  /** A database file; default an in-memory database with the same migrations. */
  dbPath?: string;
  /** A store to share with another harness (a restarted service over the same data); default its own. */
  store?: Store;
  trustProxy?: false | string[];
  anonConnectsPerMinute?: number;
  commandTimeoutMs?: number;
  randomHex?: () => string;
  /** Prometheus metrics (a registry of the test's own); default none. */
  metrics?: boolean;
  metricsToken?: string;
  publicUrl?: string;
  calls?: RuntimeOptions['calls'];
  /** Webhook delivery: the sender or worker options, and the address guard (default: private networks allowed). */
  webhooks?: RuntimeOptions['webhooks'] & { allowPrivateNetworks?: boolean; timeoutMs?: number };
};

export type Harness = {
  runtime: Runtime;
  store: Store;
  services: Runtime['services'];
  calls: Runtime['calls'];
  metrics: Metrics | undefined;
  app: Express;
  http: ReturnType<typeof supertest>;
  clock: { now: Date };
  /** A new account (child of `parentId` when given) with a fresh token. */
  account(opts?: { parentId?: string; name?: string; allowSipUri?: boolean }): Promise<{
    id: string;
    apiKey: string;
    token: string;
  }>;
  /** Closes the runtime (the store; a given switch link is the test's). */
  close(): Promise<void>;
};

/** The configuration the tests run with: the defaults, with overrides. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return { ...loadConfig({}), dbPath: ':memory:', ...overrides };
}

/** The real runtime (app, services, call following) over an in-memory database, as main wires it. */
export function harness(opts: HarnessOptions = {}): Harness {
  const clock = { now: new Date('2026-11-27T10:00:00Z') };
  const logger = testLogger();
  const config = testConfig({
    ...(opts.dbPath !== undefined && { dbPath: opts.dbPath }),
    ...(opts.tokenTtlS !== undefined && { tokenTtlS: opts.tokenTtlS }),
    trustProxy: opts.trustProxy ?? false,
    ...(opts.anonConnectsPerMinute !== undefined && { anonConnectsPerMinute: opts.anonConnectsPerMinute }),
    ...(opts.metricsToken !== undefined && { metricsToken: opts.metricsToken }),
    ...(opts.publicUrl !== undefined && { publicUrl: opts.publicUrl }),
    webhooks: {
      ...loadConfig({}).webhooks,
      allowPrivateNetworks: opts.webhooks?.allowPrivateNetworks ?? true,
      ...(opts.webhooks?.timeoutMs !== undefined && { timeoutMs: opts.webhooks.timeoutMs }),
    },
  });
  const runtime = buildRuntime({
    config,
    logger,
    esl: opts.esl ?? NO_SWITCH,
    ...(opts.switches !== undefined && { switches: opts.switches }),
    ...(opts.switchProbe !== undefined && { switchProbe: opts.switchProbe }),
    ...(opts.leases !== undefined && { leases: opts.leases }),
    ...(opts.store !== undefined && { store: opts.store }),
    metrics: opts.metrics ? new Metrics() : false,
    now: opts.now ?? (() => clock.now),
    ...(opts.commandTimeoutMs !== undefined && { commandTimeoutMs: opts.commandTimeoutMs }),
    ...(opts.randomHex !== undefined && { randomHex: opts.randomHex }),
    ...(opts.calls !== undefined && { calls: opts.calls }),
    ...(opts.webhooks !== undefined && { webhooks: opts.webhooks }),
  });
  if (opts.esl || opts.switches) runtime.start();
  let n = 0;
  return {
    runtime,
    store: runtime.store,
    services: runtime.services,
    calls: runtime.calls,
    metrics: runtime.metrics,
    app: runtime.app,
    http: supertest(runtime.app),
    clock,
    async account(o = {}) {
      n += 1;
      const { accounts } = runtime.services;
      const created = await accounts.createAccount({
        name: o.name ?? `Account ${n}`,
        realm: `a${n}.example.com`,
        ...(o.parentId && { parentId: o.parentId }),
        ...(o.allowSipUri && { allowSipUri: true }),
      });
      const { token } = await accounts.issueToken(created.api_key);
      return { id: created.id, apiKey: created.api_key, token };
    },
    close: () => runtime.close(),
  };
}

/** A minimal valid configuration body. */
export const minimal = (extra: Record<string, unknown> = {}) => ({
  data: { name: 'Sales', extension: '2600', ...extra },
});
