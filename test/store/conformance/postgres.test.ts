/**
 * What the PostgreSQL adapter (src/store/pg/) adds to the contract of the ports: several instances over one
 * database. Each test opens two stores over one fresh schema (two pools: as two service instances would) and races
 * them: migrations applied once, the throttle's count exact, a link's last call taken once, an outbox event handed
 * to one instance at a time; and a lock held elsewhere answered busy.
 */
import fs from 'node:fs';
import { expect } from 'chai';
import pg from 'pg';
import { newId } from '../../../src/ids';
import { StoreBusyError, type Store } from '../../../src/store/ports';
import { PG_MIGRATIONS_DIR } from '../../../src/store/pg/database';
import { CLAIM_MS } from '../../../src/store/pg/webhooks';
import { freshPgSchema, testPostgresUrl, type PgSchema } from '../../support/postgres';
import { withConfig, type StoreFixture } from '../../support/store-fixture';
import { backends } from './backends';

const NOW = '2026-12-01T00:00:00.000Z';
const postgres = backends().find((b) => b.name === 'postgres')!;

describe('store conformance (postgres): two instances over one database', function () {
  let url: string;
  let schema: PgSchema;
  let stores: Store[];
  const open = async (): Promise<Store> => {
    const store = await schema.open();
    stores.push(store);
    return store;
  };
  /** A fixture in one store, and a second store over the same schema. */
  const twoStores = async (): Promise<[StoreFixture, Store]> => {
    const f = await withConfig(await open(), NOW);
    return [f, await open()];
  };

  before(async function () {
    await postgres.require(this);
    url = (await testPostgresUrl())!;
  });
  beforeEach(() => {
    schema = freshPgSchema(url);
    stores = [];
  });
  afterEach(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await schema.drop();
  });

  /** A statement on a connection of its own, in the schema. */
  const sql = async <R extends pg.QueryResultRow>(text: string): Promise<R[]> => {
    const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema.name}` });
    await client.connect();
    try {
      return (await client.query<R>(text)).rows;
    } finally {
      await client.end();
    }
  };

  it('when two stores open at once on a new schema, then each migration is applied once', async () => {
    await Promise.all([open(), open()]);
    const versions = await sql<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    const files = fs.readdirSync(PG_MIGRATIONS_DIR).filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f));
    expect(versions.map((v) => v.version)).to.deep.equal(files.map((f) => Number(f.slice(0, 4))).sort());
    await open();
    expect(await sql('SELECT version FROM schema_migrations')).to.have.length(files.length);
  });

  it('when 20 connects race over two stores against a throttle of 5, then exactly 5 are recorded', async () => {
    const [{ store: a, accountId, configId }, b] = await twoStores();
    const limit = 5;
    const connect = (store: Store) =>
      store.unitOfWork(async (tx) => {
        const recent = await tx.history.recentConnects(configId, 0);
        if (recent.count >= limit) return 'throttled';
        // Leave the other units every chance to count in between.
        await new Promise((resolve) => setTimeout(resolve, 2));
        await tx.history.insert({
          account_id: accountId,
          clicktocall_id: configId,
          created_ms: Date.now(),
          final: true,
          doc: { id: newId(), call_id: `c2c-${newId()}`, status: 'completed' },
        });
        return 'recorded';
      });
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => connect(i % 2 === 0 ? a : b)));
    expect(outcomes.filter((o) => o === 'recorded')).to.have.length(limit);
    expect((await b.history.recentConnects(configId, 0)).count).to.equal(limit);
  });

  it("when 10 connects race over two stores for a link's last 3 calls, then exactly 3 take one", async () => {
    const [{ store: a, accountId, configId }, b] = await twoStores();
    const id = newId();
    await a.links.insert({
      id,
      account_id: accountId,
      clicktocall_id: configId,
      created_ms: 1,
      expires_ms: Date.now() + 60_000,
      max_calls: 3,
      calls: 0,
      calls_per_minute: 100,
      origins: ['https://shop.example'],
    });
    const claims = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 === 0 ? a : b).unitOfWork((tx) => tx.links.claimCall(id, Date.now())),
      ),
    );
    expect(claims.filter((c) => c === 'ok')).to.have.length(3);
    expect(claims.filter((c) => c === 'used_up')).to.have.length(7);
    expect((await b.links.byId(id))?.calls).to.equal(3);
  });

  it('when two stores ask for due events at once, then none goes to both; an attempt or an expired claim lets the other have it', async () => {
    const [{ store: a, accountId, configId }, b] = await twoStores();
    for (let n = 0; n < 30; n += 1) {
      const doc = { id: newId(), call_id: `c2c-${configId}-${n}`, status: 'completed' };
      await a.history.insert(
        { account_id: accountId, clicktocall_id: configId, created_ms: 1000, final: true, doc },
        [
          {
            event_id: `evt_${newId()}`,
            account_id: accountId,
            clicktocall_id: configId,
            call_id: doc.call_id,
            type: 'call.completed',
            occurred_ms: 1000,
            url: 'https://crm.example.com/hooks',
            method: 'POST',
            record: doc,
          },
        ],
      );
    }
    const ids = (due: Array<{ event_id: string }>) => due.map((d) => d.event_id);
    for (let round = 0; round < 5; round += 1) {
      const [ofA, ofB] = await Promise.all([a.outbox.due(5000, 100, []), b.outbox.due(5000, 100, [])]);
      expect(
        ids(ofA).filter((id) => ids(ofB).includes(id)),
        `round ${round}`,
      ).to.deep.equal([]);
      if (round === 0) expect(ofA.length + ofB.length).to.equal(30);
    }
    // A store's own claims come back to it (its worker keeps a buffer); the other's stay away.
    const mine = ids(await a.outbox.due(5000, 100, []));
    const theirs = ids(await b.outbox.due(5000, 100, []));
    expect(mine.length + theirs.length).to.equal(30);
    // An attempt that leaves the event pending releases it: either store may have it next.
    const released = mine[0]!;
    await a.outbox.attempted(released, { atMs: 5000, state: 'pending', nextAttemptMs: 5000 });
    expect(ids(await b.outbox.due(5000, 100, []))).to.include(released);
    expect(ids(await a.outbox.due(5000, 100, []))).to.not.include(released);
    // The claims of a store that stopped answering expire.
    const later = ids(await b.outbox.due(5000 + CLAIM_MS, 100, []));
    expect(later).to.have.length(30);
  });

  it('when another connection holds a lock a write needs, then it rejects with StoreBusyError after the lock timeout; writable() answers at once', async function () {
    this.timeout(20_000);
    const [{ store, accountId }] = await twoStores();
    const other = new pg.Client({ connectionString: url, options: `-c search_path=${schema.name}` });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query('LOCK TABLE clicktocalls IN ACCESS EXCLUSIVE MODE');
      const refused = await store.clicktocalls
        .insert({ id: newId(), account_id: accountId, doc: {}, revision: '1-c', now: NOW })
        .then(
          () => undefined,
          (err: unknown) => err,
        );
      expect(refused).to.be.instanceOf(StoreBusyError);
      const started = Date.now();
      expect(await store.writable()).to.be.a('boolean');
      expect(Date.now() - started).to.be.below(300);
      await other.query('ROLLBACK');
    } finally {
      await other.end();
    }
    expect(await store.writable()).to.equal(true);
    await store.clicktocalls.insert({
      id: newId(),
      account_id: accountId,
      doc: {},
      revision: '1-d',
      now: NOW,
    });
  });
});
