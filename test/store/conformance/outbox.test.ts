/**
 * The webhook outbox, on every backend (./backends.ts): events written in the transaction of the history change
 * that causes them (both kept or neither), numbered per call, and handed out in the order the delivery rules need.
 */
import { expect } from 'chai';
import type { HistoryDoc } from '../../../src/domain';
import { newId } from '../../../src/ids';
import type { NewWebhookEvent } from '../../../src/store/ports';
import type { StoreFixture } from '../../support/store-fixture';
import { backends } from './backends';

const NOW = '2026-12-01T00:00:00.000Z';

type Fixture = StoreFixture;

const callIdOf = (f: Fixture, n: number): string => `c2c-${f.configId}-${n.toString(16).padStart(10, '0')}`;

const doc = (f: Fixture, n: number, status: string): HistoryDoc => ({
  id: `${'0'.repeat(31)}${n}`,
  call_id: callIdOf(f, n),
  status,
});

const event = (
  f: Fixture,
  n: number,
  status: string,
  over: Partial<NewWebhookEvent> = {},
): NewWebhookEvent => ({
  event_id: `evt_${newId()}`,
  account_id: f.accountId,
  clicktocall_id: f.configId,
  call_id: callIdOf(f, n),
  type: `call.${status}`,
  occurred_ms: 1000,
  url: 'https://crm.example.com/hooks',
  method: 'POST',
  record: doc(f, n, status),
  ...over,
});

const insertCall = (f: Fixture, n: number, events: NewWebhookEvent[] = []) =>
  f.store.history.insert(
    {
      account_id: f.accountId,
      clicktocall_id: f.configId,
      created_ms: 1000,
      final: false,
      doc: doc(f, n, 'originating'),
    },
    events,
  );

for (const backend of backends())
  describe(`store conformance (${backend.name}): the webhook outbox`, function () {
    let f: Fixture;
    before(async function () {
      await backend.require(this);
    });
    beforeEach(async () => {
      f = await backend.fixture(NOW);
    });
    afterEach(() => f.store.close());

    it('when a history update carries events, then they are numbered per call in the order written', async () => {
      await insertCall(f, 1, [event(f, 1, 'originating')]);
      await insertCall(f, 2);
      await f.store.history.update(doc(f, 1, 'ringing'), {}, false, 2000, [event(f, 1, 'ringing')]);
      await f.store.history.update(doc(f, 2, 'ringing'), {}, false, 2000, [event(f, 2, 'ringing')]);
      await f.store.history.update(doc(f, 1, 'completed'), {}, true, 3000, [event(f, 1, 'completed')]);
      const rows = await f.store.outbox.list({ accountId: f.accountId });
      expect(rows.map((r) => [r.call_id.slice(-1), r.type, r.sequence, r.state])).to.deep.equal([
        ['1', 'call.completed', 3, 'pending'],
        ['2', 'call.ringing', 1, 'pending'],
        ['1', 'call.ringing', 2, 'pending'],
        ['1', 'call.originating', 1, 'pending'],
      ]);
    });

    it('when the outbox write fails, then the history update is not kept either (and the other way round)', async () => {
      const first = event(f, 1, 'originating');
      await insertCall(f, 1, [first]);
      // The same event id again: the outbox insert fails inside the update's transaction.
      const failing = f.store.history.update(doc(f, 1, 'ringing'), { s: 1 }, false, 2000, [
        { ...event(f, 1, 'ringing'), event_id: first.event_id },
      ]);
      await failing.then(
        () => expect.fail('the update should have failed'),
        (err: Error) => expect(err.message).to.match(/unique/i),
      );
      expect((await f.store.history.byCallId(callIdOf(f, 1)))!.doc.status).to.equal('originating');
      // A record that cannot be inserted (unknown configuration) leaves no event behind.
      const orphan = f.store.history.insert(
        {
          account_id: f.accountId,
          clicktocall_id: newId(),
          created_ms: 1,
          final: false,
          doc: doc(f, 9, 'originating'),
        },
        [event(f, 9, 'originating')],
      );
      await orphan.then(
        () => expect.fail('the insert should have failed'),
        (err: Error) => expect(err.message).to.match(/foreign key/i),
      );
      expect((await f.store.outbox.list({ accountId: f.accountId })).map((r) => r.type)).to.deep.equal([
        'call.originating',
      ]);
    });

    it('when a unit of work that wrote a record and its event throws, then neither stays', async () => {
      await f.store
        .unitOfWork(async (tx) => {
          await tx.history.insert(
            {
              account_id: f.accountId,
              clicktocall_id: f.configId,
              created_ms: 1,
              final: false,
              doc: doc(f, 1, 'originating'),
            },
            [event(f, 1, 'originating')],
          );
          throw new Error('refused after the insert');
        })
        .catch(() => undefined);
      expect(await f.store.history.byCallId(callIdOf(f, 1))).to.equal(undefined);
      expect(await f.store.outbox.pending()).to.deep.equal({ count: 0 });
    });

    it("when events are due, then only each call's earliest pending one, soonest first, none to a skipped destination", async () => {
      for (const n of [1, 2, 3]) await insertCall(f, n, [event(f, n, 'ringing'), event(f, n, 'completed')]);
      await insertCall(f, 4, [event(f, 4, 'completed', { url: 'https://other.example:8443/x' })]);
      const due = await f.store.outbox.due(5000, 100, []);
      expect(due.map((d) => [d.call_id.slice(-1), d.sequence, d.destination])).to.deep.equal([
        ['1', 1, 'https://crm.example.com:443'],
        ['2', 1, 'https://crm.example.com:443'],
        ['3', 1, 'https://crm.example.com:443'],
        ['4', 1, 'https://other.example:8443'],
      ]);
      expect((await f.store.outbox.due(5000, 2, [])).map((d) => d.call_id.slice(-1))).to.deep.equal([
        '1',
        '2',
      ]);
      const skipped = await f.store.outbox.due(5000, 2, ['https://crm.example.com:443']);
      expect(skipped.map((d) => d.call_id.slice(-1))).to.deep.equal(['4']);
      // Not before its time; a delivered event lets its call's next one through.
      expect(await f.store.outbox.due(999, 100, [])).to.deep.equal([]);
      await f.store.outbox.attempted(due[0]!.event_id, { atMs: 5000, state: 'delivered', status: 200 });
      await f.store.outbox.attempted(due[1]!.event_id, { atMs: 5000, state: 'pending', nextAttemptMs: 9000 });
      const next = await f.store.outbox.due(5000, 100, []);
      expect(next.map((d) => [d.call_id.slice(-1), d.sequence])).to.deep.equal([
        ['1', 2],
        ['3', 1],
        ['4', 1],
      ]);
      expect(await f.store.outbox.nextDueMs()).to.equal(1000);
      expect(await f.store.outbox.pending()).to.deep.equal({ count: 6, oldestMs: 1000 });
    });

    it('when a receiver is stopped (410), then its pending events fail and new ones come out marked, until it is named again', async () => {
      await insertCall(f, 1, [event(f, 1, 'completed')]);
      await f.store.outbox.stop(f.accountId, 'https://crm.example.com/hooks', 2000);
      expect((await f.store.outbox.list({ accountId: f.accountId, state: 'failed' })).length).to.equal(1);
      await insertCall(f, 2, [event(f, 2, 'completed')]);
      expect((await f.store.outbox.due(5000, 10, [])).map((d) => d.stopped)).to.deep.equal([true]);
      await f.store.outbox.unstop(f.accountId, 'https://crm.example.com/hooks');
      expect((await f.store.outbox.due(5000, 10, [])).map((d) => d.stopped)).to.deep.equal([false]);
    });

    it('when redelivered, then pending again from zero attempts, and a stop of its receiver is lifted', async () => {
      const e = event(f, 1, 'completed');
      await insertCall(f, 1, [e]);
      await f.store.outbox.attempted(e.event_id, { atMs: 2000, state: 'failed', status: 410 });
      await f.store.outbox.stop(f.accountId, e.url, 2000);
      const again = await f.store.outbox.redeliver(f.accountId, e.event_id, 3000);
      expect(again).to.include({ state: 'pending', attempts: 0, next_attempt_ms: 3000, last_status: 410 });
      expect((await f.store.outbox.due(3000, 10, [])).map((d) => d.stopped)).to.deep.equal([false]);
      expect(await f.store.outbox.redeliver(newId(), e.event_id, 3000)).to.equal(undefined);
    });
  });
