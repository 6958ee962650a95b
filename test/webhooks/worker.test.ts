/**
 * The delivery worker alone, over a real outbox and a fake sender: how many attempts run at once, how it yields
 * while the process is busy serving, and that a backlog is read in batches, not once per attempt.
 */
import { expect } from 'chai';
import { newId } from '../../src/ids';
import type { NewWebhookEvent, Store } from '../../src/store/ports';
import { openSqliteStore } from '../../src/store/sqlite/store';
import { DeliveryWorker } from '../../src/webhooks/delivery-worker';
import type { SendRequest } from '../../src/webhooks/sender';
import { pollUntil } from '../support/poll';
import { testLogger } from '../support/harness';

/** `calls` finished calls with one event each, to `destinations` receivers in turn. */
async function outboxWith(calls: number, destinations: number): Promise<Store> {
  const store = openSqliteStore({ file: ':memory:' });
  const accountId = newId();
  const configId = newId();
  const now = new Date().toISOString();
  await store.accounts.insert(
    { id: accountId, name: 'A', realm: 'a.example', parent_id: null, context: null },
    now,
  );
  await store.clicktocalls.insert({ id: configId, account_id: accountId, doc: {}, revision: '1-a', now });
  await store.unitOfWork(async (tx) => {
    for (let i = 0; i < calls; i++) {
      const callId = `c2c-${configId}-${(0x1000000000 + i).toString(16).slice(-10)}`;
      const doc = { id: newId(), call_id: callId, status: 'completed' };
      const event: NewWebhookEvent = {
        event_id: `evt_${newId()}`,
        account_id: accountId,
        clicktocall_id: configId,
        call_id: callId,
        type: 'call.completed',
        occurred_ms: 1000 + i,
        url: `http://receiver-${i % destinations}.example/hooks`,
        method: 'POST',
        record: doc,
      };
      await tx.history.insert(
        { account_id: accountId, clicktocall_id: configId, created_ms: 1000, final: true, doc },
        [event],
      );
    }
  });
  return store;
}

type Probe = { started: Array<{ at: number; host: string }>; max: number; maxPerHost: Map<string, number> };

/**
 * A sender that answers 204 after `ms`, recording how many attempts were in flight, in all and per host. With
 * `holdUntil`, the first attempts are held until that many are in flight at once (or 5 s went by, so that a worker
 * that never gets there fails the count, not the test's timeout): whether the limit is reached then depends on the
 * worker alone, not on how many attempts a loaded machine happens to start within `ms`.
 */
function probeSender(
  ms: number,
  holdUntil?: number,
): {
  probe: Probe;
  send: (r: SendRequest) => Promise<{ kind: 'answered'; status: number; body: string }>;
} {
  const probe: Probe = { started: [], max: 0, maxPerHost: new Map() };
  let inFlight = 0;
  const perHost = new Map<string, number>();
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let fallback: NodeJS.Timeout | undefined;
  let held = holdUntil !== undefined;
  const release = () => {
    held = false;
    clearTimeout(fallback);
    open();
  };
  return {
    probe,
    send: async (r) => {
      const host = new URL(r.url).host;
      probe.started.push({ at: Date.now(), host });
      inFlight += 1;
      perHost.set(host, (perHost.get(host) ?? 0) + 1);
      probe.max = Math.max(probe.max, inFlight);
      probe.maxPerHost.set(host, Math.max(probe.maxPerHost.get(host) ?? 0, perHost.get(host)!));
      if (held) {
        fallback ??= setTimeout(release, 5000);
        if (inFlight >= (holdUntil ?? 0)) release();
        else await gate;
      }
      await new Promise((resolve) => setTimeout(resolve, ms));
      inFlight -= 1;
      perHost.set(host, perHost.get(host)! - 1);
      return { kind: 'answered', status: 204, body: '' };
    },
  };
}

describe('webhooks: the delivery worker', function () {
  this.timeout(20_000);
  let store: Store | undefined;
  let worker: DeliveryWorker | undefined;
  afterEach(async () => {
    await worker?.stop();
    await store?.close();
  });

  const start = (
    s: Store,
    send: ReturnType<typeof probeSender>['send'],
    busy = false,
    now: () => Date = () => new Date(),
  ) => {
    worker = new DeliveryWorker({
      outbox: s.outbox,
      secrets: s.webhookSecrets,
      send,
      now,
      logger: testLogger(),
      load: { busy: () => busy },
      options: { pollMs: 50, busyGapMs: 20 },
    });
    worker.start();
    return worker;
  };

  it('when not busy, then at most 4 attempts per destination and 16 in all run at once', async () => {
    store = await outboxWith(120, 8);
    const { probe, send } = probeSender(20, 16);
    const w = start(store, send);
    await pollUntil('all delivered', () => w.stats.delivered === 120, { timeoutMs: 10_000 });
    expect(probe.max).to.equal(16);
    expect(Math.max(...probe.maxPerHost.values())).to.be.at.most(4);
  });

  it('when one destination has a backlog, then exactly 4 attempts to it run at once', async () => {
    store = await outboxWith(40, 1);
    const { probe, send } = probeSender(20, 4);
    const w = start(store, send);
    await pollUntil('all delivered', () => w.stats.delivered === 40, { timeoutMs: 10_000 });
    expect([...probe.maxPerHost.values()]).to.deep.equal([4]);
  });

  it('when the process is busy serving, then one attempt at a time, each at least busyGapMs after the last', async () => {
    store = await outboxWith(12, 3);
    const { probe, send } = probeSender(1);
    // The worker keeps busyGapMs between the starts of its attempts; the probe sees when each reaches the sender.
    // The first attempt alone reads (creates) the account's signing secrets before it sends, which on a loaded
    // machine takes a few ms more (src/webhooks/delivery-worker.ts, secretsOf): the gaps are measured from the
    // second on, with a clock that stands still so that the secrets, kept for a second by that clock, are not read
    // again midway.
    const fixed = new Date();
    const w = start(store, send, true, () => fixed);
    await pollUntil('all delivered', () => w.stats.delivered === 12, { timeoutMs: 10_000 });
    expect(probe.max).to.equal(1);
    const starts = probe.started.slice(1).map((s) => s.at);
    const gaps = starts.slice(1).map((at, i) => at - starts[i]!);
    // Together they hold the pace exactly (the span of 10 gaps is at least 10 × 20 ms, less a few ms of the first
    // start's own delay); each alone, at least half of it (a preemption between the worker's start and the
    // sender's call can shift one by a few ms). Without the pacing the 1 ms sender would make them 1-3 ms.
    expect((starts.at(-1)! - starts[0]!) / gaps.length, gaps.join(', ')).to.be.at.least(19);
    expect(Math.min(...gaps), gaps.join(', ')).to.be.at.least(10);
  });

  it('when a backlog waits at one destination, then it is read in batches, not once per attempt', async () => {
    store = await outboxWith(300, 1);
    const s = store;
    let reads = 0;
    const outbox = {
      ...s.outbox,
      due: (...args: Parameters<Store['outbox']['due']>) => ((reads += 1), s.outbox.due(...args)),
    };
    const { send } = probeSender(2);
    // A clock that stands still: the worker also drops its buffer once a poll interval went by on its clock
    // (src/webhooks/delivery-worker.ts), which on a loaded machine would add reads by chance; this counts batches.
    const fixed = new Date();
    worker = new DeliveryWorker({
      outbox,
      secrets: s.webhookSecrets,
      send,
      now: () => fixed,
      logger: testLogger(),
      options: { pollMs: 50 },
    });
    worker.start();
    const w = worker;
    await pollUntil('all delivered', () => w.stats.delivered === 300, { timeoutMs: 10_000 });
    expect(reads, `${reads} reads for 300 events`).to.be.below(40);
  });
});
