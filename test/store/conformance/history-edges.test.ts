/**
 * The history repository at its edges, on every backend (./backends.ts): the throttle's count, one record by id,
 * and a start key at a window's end.
 */
import { expect } from 'chai';
import { newId } from '../../../src/ids';
import type { HistoryRecord } from '../../../src/domain';
import type { NewHistoryRecord, Store } from '../../../src/store/ports';
import { backends } from './backends';

for (const backend of backends())
  describe(`store conformance (${backend.name}): the history repository at the edges of counting, finding and windows`, function () {
    let h: { store: Store };
    let accountId: string;
    let configId: string;
    const T = Date.parse('2026-11-01T00:00:00Z');

    before(async function () {
      await backend.require(this);
    });
    beforeEach(async () => {
      const f = await backend.fixture();
      ({ accountId, configId } = f);
      h = { store: f.store };
    });
    afterEach(() => h.store.close());

    const insert = async (createdMs: number, extra: Partial<NewHistoryRecord> = {}) => {
      const doc = { id: newId(), call_id: `c2c-${configId}-${newId().slice(0, 10)}`, status: 'completed' };
      await h.store.history.insert({
        account_id: accountId,
        clicktocall_id: configId,
        created_ms: createdMs,
        final: true,
        doc,
        ...extra,
      });
      return doc;
    };

    it('when nothing was placed since a time, then the count is 0 and there is no oldest; else the count after it and the oldest', async () => {
      expect(await h.store.history.recentConnects(configId, T)).to.deep.equal({ count: 0 });
      await insert(T); // exactly at the time: not after it
      expect(await h.store.history.recentConnects(configId, T)).to.deep.equal({ count: 0 });
      await insert(T + 5000);
      await insert(T + 1000);
      expect(await h.store.history.recentConnects(configId, T)).to.deep.equal({
        count: 2,
        oldestMs: T + 1000,
      });
      expect(await h.store.history.recentConnects(configId, T - 1)).to.deep.equal({ count: 3, oldestMs: T });
      expect(await h.store.history.recentConnects('f'.repeat(32), T - 1)).to.deep.equal({ count: 0 });
    });

    it('when a record is read by its id, then it comes whole (its status callback too); an unknown id is undefined', async () => {
      const callback = { url: 'https://crm.example/hooks', method: 'POST' as const, events: ['completed'] };
      const doc = await insert(T, { status_callback: callback, final: false, state: { s: 1 } });
      const found = (await h.store.history.byId(doc.id)) as HistoryRecord;
      expect(found).to.include({
        account_id: accountId,
        clicktocall_id: configId,
        created_ms: T,
        final: false,
      });
      expect(found.doc).to.deep.equal(doc);
      expect(found.status_callback).to.deep.equal(callback);
      expect(found.state).to.deep.equal({ s: 1 });
      const plain = await insert(T + 1);
      expect(await h.store.history.byId(plain.id)).to.not.have.property('status_callback');
      expect(await h.store.history.byId(newId())).to.equal(undefined);
    });

    it("when the start key's time is the window's end itself, then the key still decides where the page starts", async () => {
      const docs = [await insert(T), await insert(T), await insert(T), await insert(T - 1000)];
      const all = await h.store.history.list({ accountId, clicktocallId: configId });
      expect(all.map((r) => r.doc.id)).to.deep.equal([docs[2]!.id, docs[1]!.id, docs[0]!.id, docs[3]!.id]);
      const start = { createdMs: T, seq: all[1]!.seq };
      const page = await h.store.history.list({ accountId, clicktocallId: configId, start, toMs: T });
      expect(page.map((r) => r.doc.id)).to.deep.equal([docs[1]!.id, docs[0]!.id, docs[3]!.id]);
      const later = await h.store.history.list({ accountId, clicktocallId: configId, start, toMs: T + 1 });
      expect(later.map((r) => r.doc.id)).to.deep.equal([docs[1]!.id, docs[0]!.id, docs[3]!.id]);
      const before = await h.store.history.list({ accountId, clicktocallId: configId, start, toMs: T - 1 });
      expect(before.map((r) => r.doc.id)).to.deep.equal([docs[3]!.id]);
    });
  });
