/**
 * The backends the store conformance suite (test/store/conformance/) runs the repository tests against: the SQLite
 * adapter in memory, and the PostgreSQL adapter over a fresh schema of the test cluster (test/support/postgres.ts),
 * skipped with the reason printed when there is no PostgreSQL here.
 */
import type { Store } from '../../../src/store/ports';
import { openSqliteStore } from '../../../src/store/sqlite/store';
import { openFreshPgStore, postgresMissing, requirePostgres, testPostgresUrl } from '../../support/postgres';
import { withConfig, type StoreFixture } from '../../support/store-fixture';

export type Backend = {
  name: 'sqlite' | 'postgres';
  /** Units of work run one after the other, and writes from outside wait for the open one (SQLite). */
  serialUnits: boolean;
  /** For a suite's `before`: skips the suite, saying why, when the backend is not available. */
  require(ctx: Mocha.Context): Promise<void>;
  /** A fresh, empty store; `close()` disposes of it. */
  open(): Promise<Store>;
  /** A fresh store with one account and one configuration. */
  fixture(now?: string): Promise<StoreFixture>;
};

const postgres: Backend = {
  name: 'postgres',
  serialUnits: false,
  async require(ctx) {
    await requirePostgres(ctx);
  },
  async open() {
    const url = await testPostgresUrl();
    if (url === undefined) throw new Error(postgresMissing());
    return openFreshPgStore(url);
  },
  async fixture(now) {
    return withConfig(await postgres.open(), now);
  },
};

const sqlite: Backend = {
  name: 'sqlite',
  serialUnits: true,
  require: () => Promise.resolve(),
  open: () => Promise.resolve(openSqliteStore({ file: ':memory:' })),
  fixture: (now) => withConfig(openSqliteStore({ file: ':memory:' }), now),
};

export function backends(): Backend[] {
  return [sqlite, postgres];
}
