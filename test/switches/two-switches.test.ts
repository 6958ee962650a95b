/**
 * Several switches in one service (docs/switches.md), against two fake switches: calls spread by weight, a switch
 * that dies is out of rotation while the other carries the calls, and its open calls are closed once it is back.
 * Then two services over one store, one tracking the switch and one not: a call placed by the one that does not
 * is followed by the one that does.
 */
import { expect } from 'chai';
import { EslClient } from '../../esl';
import { CALL_SUBSCRIPTION } from '../../src/calls/subscription';
import type { HistoryDoc } from '../../src/domain';
import type { TrackingLeases } from '../../src/switches/tracking-leases';
import { harness, minimal, testLogger, type Harness } from '../support/harness';
import { pollUntil } from '../support/poll';
import { originatesOf, switchRig, type SwitchRig } from '../support/switch';

type Acct = Awaited<ReturnType<Harness['account']>>;

async function configure(h: Harness, acct: Acct, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await h.http
    .put(`/v2/accounts/${acct.id}/clicktocall`)
    .set('X-Auth-Token', acct.token)
    .send(minimal(extra))
    .expect(201);
  return `/v2/accounts/${acct.id}/clicktocall/${res.body.data.id as string}`;
}

function connect(h: Harness, acct: Acct, url: string, contact: string, blocking = false) {
  return h.http.post(`${url}/connect`).set('X-Auth-Token', acct.token).send({ data: { contact, blocking } });
}

async function records(h: Harness, acct: Acct, url: string): Promise<HistoryDoc[]> {
  const res = await h.http.get(`${url}/history?paginate=false`).set('X-Auth-Token', acct.token).expect(200);
  return res.body.data as HistoryDoc[];
}

const bySwitch = (docs: HistoryDoc[]): Record<string, number> => {
  const count: Record<string, number> = {};
  for (const d of docs) count[String(d['switch'])] = (count[String(d['switch'])] ?? 0) + 1;
  return count;
};

describe('switches: two switches, one service', () => {
  let a: SwitchRig;
  let b: SwitchRig;
  let h: Harness;
  let acct: Acct;

  beforeEach(async () => {
    // Calls last about 2.5 s (the answered scenario at speed 2): long enough to be open when a switch dies.
    a = await switchRig({ speed: 2 });
    b = await switchRig({ speed: 2 });
    h = harness({
      switches: [
        { name: 'fs1', weight: 1, link: a.esl },
        { name: 'fs2', weight: 1, link: b.esl },
      ],
      switchProbe: { intervalMs: 50, timeoutMs: 300 },
      metrics: true,
      now: () => new Date(),
    });
    acct = await h.account();
  });
  afterEach(async () => {
    await h.close();
    await a.close();
    await b.close();
  });

  it('when calls are placed, then they spread over both, each record names its switch, and /health and /metrics show each', async () => {
    const url = await configure(h, acct);
    for (let i = 0; i < 10; i += 1) await connect(h, acct, url, `+1415555${String(1000 + i)}`).expect(202);
    // Equal weights: shared about evenly (the switches' reported sessions move the split by a call or two).
    const onA = originatesOf(a.fake).length;
    const onB = originatesOf(b.fake).length;
    expect(onA + onB).to.equal(10);
    expect(Math.min(onA, onB)).to.be.at.least(3);
    expect(bySwitch(await records(h, acct, url))).to.deep.equal({ fs1: onA, fs2: onB });

    const health = await h.http.get('/health').expect(200);
    expect(health.body.data.switches).to.deep.include({
      fs1: { up: true, load: health.body.data.switches.fs1.load, tracked: true },
    });
    expect(health.body.data.switches.fs2).to.include({ up: true, tracked: true });
    const metrics = await h.http.get('/metrics').expect(200);
    expect(metrics.text).to.include('clicktocall_switch_up{switch="fs1"} 1');
    expect(metrics.text).to.include('clicktocall_switch_up{switch="fs2"} 1');
    expect(metrics.text).to.include('clicktocall_switch_tracked{switch="fs2"} 1');
  });

  it('when one switch dies mid-run, then new connects all go to the other, and its open calls are closed once it is back', async () => {
    const url = await configure(h, acct);
    for (let i = 0; i < 4; i += 1) await connect(h, acct, url, `+1415555${String(2000 + i)}`).expect(202);
    await pollUntil('the first calls connected', async () =>
      (await records(h, acct, url)).every((d) => d.status === 'connected'),
    );

    // Shared by load: usually 2 and 2, but a probe between connects can move one.
    const onA = originatesOf(a.fake).length;
    const onB = originatesOf(b.fake).length;
    expect(onA, 'calls on the switch about to die').to.be.at.least(1);
    await a.fake.stop();
    await pollUntil('fs1 out of rotation', async () => {
      const res = await h.http.get('/health');
      return res.body.data?.switches?.fs1?.up === false;
    });
    // The service stays healthy: one switch is enough.
    await h.http.get('/health').expect(200);
    for (let i = 0; i < 6; i += 1) await connect(h, acct, url, `+1415555${String(3000 + i)}`).expect(202);
    expect(originatesOf(b.fake)).to.have.length(onB + 6);
    const during = await records(h, acct, url);
    expect(bySwitch(during)).to.deep.equal({ fs1: onA, fs2: onB + 6 });
    const onFs1 = during.filter((d) => d['switch'] === 'fs1');
    expect(onFs1.map((d) => d.status)).to.deep.equal(onFs1.map(() => 'connected'));

    // The switch comes back without the calls (a restart): reconciliation closes them; fs2's end normally.
    await a.fake.start();
    const after = await pollUntil(
      'every call closed',
      async () => {
        const docs = await records(h, acct, url);
        return docs.every((d) => d['ended_at'] !== undefined) && docs;
      },
      { timeoutMs: 15_000 },
    );
    for (const d of after.filter((r) => r['switch'] === 'fs1'))
      expect(d, 'a call of the dead switch').to.include({ status: 'completed', result: 'success' });
    for (const d of after.filter((r) => r['switch'] === 'fs2'))
      expect(d, 'a call of the live switch').to.include({
        status: 'completed',
        result: 'success',
        hangup_cause: 'NORMAL_CLEARING',
      });
  });

  it('when both switches are down, then a connect is 503 at once and /health says why', async () => {
    const url = await configure(h, acct);
    await a.fake.stop();
    await b.fake.stop();
    await pollUntil('both out', async () => (await h.http.get('/health')).status === 503);
    const res = await connect(h, acct, url, '+14155554000').expect(503);
    expect(res.body.error).to.equal('503');
    expect(await records(h, acct, url)).to.deep.equal([]);
    await a.fake.start();
    await b.fake.start();
  });
});

/** A service that tracks no switch: another process holds every lease. */
const trackingNothing: TrackingLeases = {
  holds: () => false,
  onChange: () => undefined,
  start: () => undefined,
  stop: () => Promise.resolve(),
};

describe('switches: a call placed by one service and tracked by another', () => {
  let rig: SwitchRig;
  let second: EslClient;
  let tracker: Harness;
  let placer: Harness;
  let acct: Acct;

  beforeEach(async () => {
    rig = await switchRig({ speed: 20 });
    second = new EslClient({
      host: '127.0.0.1',
      port: rig.fake.listeningPort,
      password: 'ClueCon',
      subscription: CALL_SUBSCRIPTION,
      backoff: { initialMs: 20, maxMs: 100 },
      logger: testLogger().child({ module: 'esl' }),
    });
    second.start();
    await second.waitConnected(10_000);
    tracker = harness({ esl: rig.esl, now: () => new Date() });
    placer = harness({ esl: second, store: tracker.store, leases: trackingNothing, now: () => new Date() });
    acct = await tracker.account();
  });
  afterEach(async () => {
    await placer.close().catch(() => undefined);
    await tracker.close();
    await second.close();
    await rig.close();
  });

  it('when the placing service does not track the switch, then the tracking one follows the call to its end', async () => {
    const url = await configure(placer, acct);
    const res = await connect(placer, acct, url, '+14155551234').expect(202);
    const callId = (res.body.data as { custom_application_vars?: unknown; call_id?: string }).call_id;
    const done = await pollUntil('the call completed', async () => {
      const docs = await records(placer, acct, url);
      return docs[0]?.['ended_at'] !== undefined && docs[0];
    });
    expect(done).to.include({ status: 'completed', result: 'success', switch: 'default' });
    expect(placer.calls.tracker.knows(done.call_id), 'the placing service followed it too').to.equal(false);
    expect(tracker.calls.tracker.knows(done.call_id), 'the tracking service followed it').to.equal(true);
    if (callId !== undefined) expect(callId).to.equal(done.call_id);
  });

  it('when a call placed by the other fails, then its cause comes through the tracking service (busy)', async () => {
    const url = await configure(placer, acct, { extension: '2486' });
    await connect(placer, acct, url, '+14155551234').expect(202);
    const done = await pollUntil('the call failed', async () => {
      const docs = await records(placer, acct, url);
      return docs[0]?.['ended_at'] !== undefined && docs[0];
    });
    expect(done).to.include({ status: 'busy', result: 'error', cause: 'USER_BUSY' });
    expect(placer.calls.tracker.knows(done.call_id)).to.equal(false);
  });

  it('when the connect blocks, then the placing service answers with the verdict the tracking one recorded', async () => {
    const url = await configure(placer, acct);
    const res = await connect(placer, acct, url, '+14155551234', true).expect(200);
    expect(res.body.data).to.include({ result: 'success' });
    expect(placer.calls.tracker.knows(res.body.data.call_id as string)).to.equal(false);
  });
});
