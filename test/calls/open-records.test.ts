import { expect } from 'chai';
import { forEachOpenRecord } from '../../src/calls/open-records';
import type { HistoryDoc, HistoryRecord } from '../../src/domain';
import { newId } from '../../src/ids';
import { memoryStoreWithConfig } from '../support/store-fixture';

/** Open calls read page by page (src/calls/open-records.ts): the sweeper and reconciliation go through it. */
describe('open calls, page by page', () => {
  it('when 10 of 25 records are final, then every open one is visited once, oldest first, in pages of 4', async () => {
    const { store, accountId, configId } = await memoryStoreWithConfig();
    const open: string[] = [];
    for (let n = 1; n <= 25; n += 1) {
      const final = n % 5 === 0 || n % 5 === 2;
      const callId = `c2c-${configId}-${n.toString(16).padStart(10, '0')}`;
      const doc: HistoryDoc = { id: newId(), call_id: callId, status: final ? 'completed' : 'ringing' };
      await store.history.insert({
        account_id: accountId,
        clicktocall_id: configId,
        created_ms: n,
        final,
        doc,
      });
      if (!final) open.push(doc.call_id);
    }
    const pages: number[] = [];
    const seen: string[] = [];
    const paged = {
      openPage: async (after: number, limit: number) => {
        const page = await store.history.openPage(after, limit);
        pages.push(page.length);
        return page;
      },
    };
    await forEachOpenRecord(paged, (r) => void seen.push(r.doc.call_id), 4);
    expect(seen).to.deep.equal(open);
    expect(pages).to.deep.equal([4, 4, 4, 3]);
    await store.close();
  });

  it('when there is more than one page, then other work runs between the pages', async () => {
    const records = Array.from({ length: 6 }, (_, i): HistoryRecord => ({
      seq: i + 1,
      account_id: 'a',
      clicktocall_id: 'c',
      created_ms: i,
      final: false,
      state: undefined,
      doc: { id: `id-${i + 1}`, call_id: `call-${i + 1}`, status: 'ringing' },
    }));
    const history = {
      openPage: (after: number, limit: number) =>
        Promise.resolve(records.filter((r) => r.seq > after).slice(0, limit)),
    };
    const order: string[] = [];
    setImmediate(() => order.push('other work'));
    await forEachOpenRecord(history, (r) => void order.push(r.doc.call_id), 2);
    expect(order).to.deep.equal(['call-1', 'call-2', 'other work', 'call-3', 'call-4', 'call-5', 'call-6']);
  });

  it('when a page cannot be read, then the visit stops with that error', async () => {
    const history = { openPage: () => Promise.reject(new Error('disk I/O error')) };
    const err = await forEachOpenRecord(history, () => undefined).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).to.equal('disk I/O error');
  });
});
