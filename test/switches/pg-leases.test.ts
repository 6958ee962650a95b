/**
 * Tracking leases through PostgreSQL (src/switches/pg-leases.ts), two holders over the test cluster: one holder per
 * switch, takeover when the holder stops or its session dies, and a lease given up by a holder that cannot reach the
 * switch.
 */
import { expect } from 'chai';
import pg from 'pg';
import { randomHex } from '../../src/ids';
import { pgLeases } from '../../src/switches/pg-leases';
import type { LeaseChange, TrackingLeases } from '../../src/switches/tracking-leases';
import { testLogger } from '../support/harness';
import { pollUntil } from '../support/poll';
import { requirePostgres } from '../support/postgres';

describe('switches: tracking leases through PostgreSQL', function () {
  this.timeout(30_000);
  let url: string;
  let names: string[];
  const started: TrackingLeases[] = [];

  before(async function () {
    url = await requirePostgres(this);
  });
  beforeEach(() => {
    // Names of their own: other tests' leases on the same cluster never collide with these.
    const run = randomHex(4);
    names = [`fs1-${run}`, `fs2-${run}`];
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((l) => l.stop()));
  });

  const holder = (eligible: (name: string) => boolean = () => true, balanceAfterMs = 60_000) => {
    const changes: LeaseChange[] = [];
    const leases = pgLeases({
      url,
      switchNames: names,
      logger: testLogger(),
      intervalMs: 50,
      eligible,
      releaseAfterMs: 200,
      balanceAfterMs,
    });
    leases.onChange((c) => changes.push(c));
    started.push(leases);
    return { leases, changes, holdsAll: () => names.every((n) => leases.holds(n)) };
  };

  it('when two processes start, then each switch has one holder, and the other takes it when the holder stops', async () => {
    const a = holder();
    a.leases.start();
    await pollUntil('a holds both', a.holdsAll);
    const b = holder();
    b.leases.start();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(names.map((n) => b.leases.holds(n))).to.deep.equal([false, false]);
    await a.leases.stop();
    await pollUntil('b holds both', b.holdsAll);
    expect(b.changes.map((c) => c.held)).to.deep.equal([true, true]);
  });

  it('when a second process starts, then the first hands one lease over: one switch each', async () => {
    const a = holder(undefined, 100);
    a.leases.start();
    await pollUntil('a holds both', a.holdsAll);
    const b = holder(undefined, 100);
    b.leases.start();
    await pollUntil(
      'one each',
      () => names.every((n) => a.leases.holds(n) !== b.leases.holds(n)) && b.changes.length === 1,
    );
    // And it stays so: nobody takes more than its share back.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(names.filter((n) => a.leases.holds(n))).to.have.length(1);
    expect(names.filter((n) => b.leases.holds(n))).to.have.length(1);
    expect(a.changes.map((c) => c.held)).to.deep.equal([true, true, false]);
  });

  it('when the holder’s database session dies, then it gives every lease up, and each is held by one process again', async () => {
    const a = holder();
    a.leases.start();
    await pollUntil('a holds both', a.holdsAll);
    const b = holder();
    b.leases.start();
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      // a's lease session: the lease connection of this database that holds advisory locks (b holds none).
      const killed = await admin.query(
        `SELECT pg_terminate_backend(l.pid) FROM pg_locks l JOIN pg_stat_activity s ON s.pid = l.pid
          WHERE l.locktype = 'advisory' AND l.granted AND s.application_name = 'fs-clicktocall-leases'
            AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
          GROUP BY l.pid`,
      );
      expect(killed.rowCount).to.equal(1);
    } finally {
      await admin.end();
    }
    await pollUntil('a knows it lost them', () => a.changes.filter((c) => !c.held).length === 2);
    // Then whoever is quicker takes each one again (a reconnects too): one holder per switch.
    await pollUntil('every switch held by one of them', () =>
      names.every((n) => a.leases.holds(n) !== b.leases.holds(n)),
    );
  });

  it('when the holder cannot reach a switch, then it gives that lease up and a process that can takes it', async () => {
    const reachable = new Set(names);
    const a = holder((n) => reachable.has(n));
    a.leases.start();
    await pollUntil('a holds both', a.holdsAll);
    const b = holder();
    b.leases.start();
    reachable.delete(names[1]!);
    await pollUntil('b holds fs2', () => b.leases.holds(names[1]!));
    expect(a.leases.holds(names[0]!)).to.equal(true);
    expect(a.leases.holds(names[1]!)).to.equal(false);
    expect(a.changes).to.deep.include({ switchName: names[1], held: false });
    // Reachable again, it does not take the lease back: b holds it.
    reachable.add(names[1]!);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(a.leases.holds(names[1]!)).to.equal(false);
  });
});
