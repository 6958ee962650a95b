/**
 * Units of work and the order of writes, on every backend (./backends.ts): a unit keeps all its writes or none, a
 * write from outside never lands in an open unit, and writes made one after the other without waiting (the call
 * tracker's updates of a call) land in that order and are seen by the reads made after them.
 */
import { expect } from 'chai';
import type { HistoryDoc } from '../../../src/domain';
import { newId } from '../../../src/ids';
import type { StoreFixture } from '../../support/store-fixture';
import { backends } from './backends';

const NOW = '2026-12-01T00:00:00.000Z';

const record = (configId: string, n: number, status = 'originating'): HistoryDoc => ({
  id: newId(),
  call_id: `c2c-${configId}-${n.toString(16).padStart(10, '0')}`,
  status,
});

for (const backend of backends())
  describe(`store conformance (${backend.name}): units of work and the order of writes`, function () {
    let f: StoreFixture;
    before(async function () {
      await backend.require(this);
    });
    beforeEach(async () => {
      f = await backend.fixture(NOW);
    });
    afterEach(() => f.store.close());

    it('when a unit throws, then none of its writes stay', async () => {
      const { store, accountId, configId } = f;
      const doc = record(configId, 1);
      const failure = store.unitOfWork(async (tx) => {
        await tx.history.insert({
          account_id: accountId,
          clicktocall_id: configId,
          created_ms: 1,
          final: false,
          doc,
        });
        expect(await tx.history.exists(doc.call_id), 'seen inside the unit').to.equal(true);
        throw new Error('refused');
      });
      expect(
        await failure.then(
          () => 'kept',
          (err: Error) => err.message,
        ),
      ).to.equal('refused');
      expect(await store.history.exists(doc.call_id)).to.equal(false);
    });

    it('when a unit is open, then a write from outside never lands in it (kept when the unit rolls back); SQLite makes it wait for the end of the unit', async () => {
      const { store, accountId, configId } = f;
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const order: string[] = [];
      let wrote!: () => void;
      const unitWrote = new Promise<void>((resolve) => (wrote = resolve));
      const unit = store
        .unitOfWork(async (tx) => {
          await tx.history.insert({
            account_id: accountId,
            clicktocall_id: configId,
            created_ms: 1,
            final: false,
            doc: record(configId, 1),
          });
          order.push('unit wrote');
          wrote();
          await held;
          throw new Error('refused');
        })
        .catch(() => order.push('unit rolled back'));
      await unitWrote;
      const outside = store.clicktocalls
        .insert({ id: newId(), account_id: accountId, doc: { name: 'O' }, revision: '1-b', now: NOW })
        .then(() => order.push('outside written'));
      if (backend.serialUnits) {
        await new Promise((resolve) => setImmediate(resolve));
        expect(order).to.deep.equal(['unit wrote']);
      } else {
        await outside;
        expect(order, 'not held up by the open unit').to.deep.equal(['unit wrote', 'outside written']);
      }
      release();
      await Promise.all([unit, outside]);
      expect(order).to.have.members(['unit wrote', 'unit rolled back', 'outside written']);
      expect(await store.clicktocalls.list({ accountId })).to.have.length(2);
      expect(await store.history.openPage(0, 1000)).to.have.length(0);
    });

    it("when a call's updates are made one after the other without waiting, then they land in that order, and a read made after them sees the last", async () => {
      const { store, accountId, configId } = f;
      const calls = [1, 2, 3].map((n) => record(configId, n));
      for (const doc of calls)
        await store.history.insert({
          account_id: accountId,
          clicktocall_id: configId,
          created_ms: 1,
          final: false,
          doc,
        });
      const writes: Array<Promise<void>> = [];
      for (let step = 1; step <= 40; step += 1)
        for (const doc of calls)
          writes.push(
            store.history.update({ ...doc, status: `s${step}` }, { step }, step === 40, 1000 + step),
          );
      const read = store.history.byCallId(calls[0]!.call_id);
      expect((await read)?.doc.status, 'the read sees the writes made before it').to.equal('s40');
      await Promise.all(writes);
      const rows = await Promise.all(calls.map((doc) => store.history.byCallId(doc.call_id)));
      expect(rows.map((r) => [r?.doc.status, r?.state, r?.final])).to.deep.equal(
        calls.map(() => ['s40', { step: 40 }, true]),
      );
    });
  });
