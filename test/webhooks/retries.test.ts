/**
 * How deliveries fail and recover: a receiver down then back, 5xx until the schedule ends, Retry-After, 410 Gone,
 * refused addresses, a dead receiver beside a live one, and a call's order kept through retries. The schedule is
 * the service's, in milliseconds (test/support/webhook-rig.ts FAST: 50, 100, 200 ms).
 */
import { expect } from 'chai';
import { pollUntil } from '../support/poll';
import { receiver } from '../support/receiver';
import { deliveredStatuses, webhookRig, type WebhookRig } from '../support/webhook-rig';

type Row = Record<string, unknown>;

describe('status webhooks: failures and recovery', function () {
  this.timeout(20_000);
  let w: WebhookRig | undefined;
  afterEach(async () => {
    await w?.close();
    w = undefined;
  });

  /** The one delivery of a call, once `ok` holds for it. */
  const deliveryOf = (rig: WebhookRig, callId: string, what: string, ok: (d: Row) => boolean) =>
    pollUntil(
      what,
      async () => {
        const rows = await rig.deliveries(`?call_id=${callId}`);
        return rows.length === 1 && ok(rows[0]!) ? rows[0]! : undefined;
      },
      { timeoutMs: 10_000 },
    );

  it('when the receiver is down, then the event waits, and is delivered once the receiver is back', async () => {
    w = await webhookRig({ webhooks: { options: { scheduleMs: [100, 200, 400, 800, 1600] } } });
    await w.rx.stop();
    const url = await w.configure({ status_callback: { url: w.rx.url } });
    const callId = await w.connect(url);
    const waiting = await deliveryOf(w, callId, 'two failed attempts', (d) => (d['attempts'] as number) >= 2);
    expect(waiting).to.include({ state: 'pending', type: 'call.completed' });
    expect(waiting['last_error']).to.match(/ECONNREFUSED/);
    expect(waiting['next_attempt_at']).to.be.a('string');
    await w.rx.start();
    const done = await deliveryOf(w, callId, 'delivered', (d) => d['state'] === 'delivered');
    expect(done['delivered_at']).to.be.a('string');
    expect(w.rx.delivered.map((d) => d.json.data.call_id)).to.deep.equal([callId]);
  });

  it('when the receiver answers 500 until the schedule ends, then the event is failed, visible, and redelivered on demand', async () => {
    w = await webhookRig({ metrics: true });
    const rig = w;
    rig.rx.answer(() => ({ status: 500, body: 'database down\n' }));
    const url = await rig.configure({ status_callback: { url: rig.rx.url } });
    const callId = await rig.connect(url);
    const failed = await deliveryOf(rig, callId, 'failed', (d) => d['state'] === 'failed');
    // 50, 100, 200 ms: four attempts, then failed.
    expect(failed).to.include({ attempts: 4, last_status: 500, last_error: 'HTTP 500: database down' });
    expect(rig.rx.received).to.have.length(4);
    expect(new Set(rig.rx.received.map((r) => r.headers['webhook-id'])).size).to.equal(1);
    expect((await rig.deliveries('?state=failed')).map((d) => d['call_id'])).to.deep.equal([callId]);
    expect(await rig.deliveries('?state=pending')).to.deep.equal([]);
    const metrics = (await rig.h.http.get('/metrics').expect(200)).text;
    expect(metrics).to.match(/^clicktocall_webhook_deliveries_total\{outcome="failed"\} 1$/m);
    expect(metrics).to.match(/^clicktocall_webhook_attempts_total\{result="5xx"\} 4$/m);

    rig.rx.answer(() => ({ status: 200 }));
    const eventId = failed['event_id'] as string;
    const res = await rig.h.http
      .post(`/v2/accounts/${rig.acct.id}/webhook_deliveries/${eventId}/redeliver`)
      .set('X-Auth-Token', rig.acct.token)
      .expect(202);
    expect(res.body.data).to.include({ state: 'pending', attempts: 0 });
    await deliveryOf(rig, callId, 'delivered after redelivery', (d) => d['state'] === 'delivered');
    expect(rig.rx.delivered.map((d) => d.headers['webhook-id'])).to.deep.equal([eventId]);
  });

  it('when the receiver answers 429 with Retry-After: 1, then the next attempt waits a second, not the schedule’s 50 ms', async () => {
    w = await webhookRig();
    const rig = w;
    rig.rx.answer((_r, n) => (n === 1 ? { status: 429, headers: { 'Retry-After': '1' } } : { status: 204 }));
    const url = await rig.configure({ status_callback: { url: rig.rx.url } });
    const callId = await rig.connect(url);
    await deliveredStatuses(rig.rx, callId, 'completed');
    const [first, second] = rig.rx.received;
    expect(second!.at - first!.at).to.be.at.least(950);
  });

  it('when the receiver answers 410 Gone, then the subscription stops until a configuration names the URL again', async () => {
    w = await webhookRig();
    const rig = w;
    rig.rx.answer(() => ({ status: 410 }));
    const url = await rig.configure({ status_callback: { url: rig.rx.url } });
    const first = await rig.connect(url);
    const gone = await deliveryOf(rig, first, 'failed', (d) => d['state'] === 'failed');
    expect(gone).to.include({ attempts: 1, last_status: 410 });
    rig.rx.answer(() => ({ status: 204 }));
    const second = await rig.connect(url);
    const stopped = await deliveryOf(rig, second, 'failed unsent', (d) => d['state'] === 'failed');
    expect(stopped['last_error']).to.match(/410 Gone: subscription stopped/);
    expect(rig.rx.received).to.have.length(1);
    // Saving the configuration with the URL names it again.
    await rig.h.http
      .patch(url)
      .set('X-Auth-Token', rig.acct.token)
      .send({ data: { status_callback: { url: rig.rx.url } } })
      .expect(200);
    const third = await rig.connect(url);
    await deliveryOf(rig, third, 'delivered', (d) => d['state'] === 'delivered');
  });

  it('when private networks are not allowed, then a loopback receiver is refused at once and gets nothing', async () => {
    w = await webhookRig({ webhooks: { allowPrivateNetworks: false }, metrics: true });
    const rig = w;
    const url = await rig.configure({ status_callback: { url: rig.rx.url } });
    const callId = await rig.connect(url);
    const refused = await deliveryOf(rig, callId, 'refused', (d) => d['state'] === 'failed');
    expect(refused).to.include({ attempts: 1 });
    expect(refused['last_error']).to.equal('refused: address 127.0.0.1 is loopback');
    expect(rig.rx.received).to.deep.equal([]);
    const metrics = (await rig.h.http.get('/metrics').expect(200)).text;
    expect(metrics).to.match(/^clicktocall_webhook_deliveries_total\{outcome="refused"\} 1$/m);
  });

  it('when one receiver never answers, then another receiver still gets its events while those attempts hang', async () => {
    w = await webhookRig({ webhooks: { timeoutMs: 5000 } });
    const rig = w;
    const dead = await receiver('/dead');
    try {
      dead.answer(() => 'hang');
      const deadUrl = await rig.configure({ status_callback: { url: dead.url } });
      const liveUrl = await rig.configure({ status_callback: { url: rig.rx.url } });
      const deadCalls = await Promise.all([1, 2, 3, 4, 5, 6].map(() => rig.connect(deadUrl)));
      // Four attempts (the per-destination bound) hang at the dead receiver…
      await pollUntil('four hanging attempts', () => dead.received.length === 4);
      const live = await rig.connect(liveUrl);
      await deliveredStatuses(rig.rx, live, 'completed');
      // …and the live receiver was served while they still hung.
      expect(dead.received).to.have.length(4);
      const pending = await rig.deliveries('?state=pending');
      expect(pending.map((d) => d['call_id']).sort()).to.deep.equal([...deadCalls].sort());
    } finally {
      await dead.close();
    }
  });

  it('when a call’s first event is retried, then its later events wait: the receiver gets them in sequence', async () => {
    w = await webhookRig();
    const rig = w;
    rig.rx.answer((r, n) =>
      n <= 2 && r.body.includes('"call.ringing"') ? { status: 503 } : { status: 204 },
    );
    const url = await rig.configure({
      status_callback: { url: rig.rx.url, events: ['ringing', 'answered', 'connected', 'completed'] },
    });
    const callId = await rig.connect(url);
    const statuses = await deliveredStatuses(rig.rx, callId, 'completed');
    expect(statuses).to.deep.equal(['ringing', 'answered', 'connected', 'completed']);
    const arrived = rig.rx.received.map(
      (r) => (JSON.parse(r.body) as { data: { sequence: number } }).data.sequence,
    );
    expect(arrived).to.deep.equal([1, 1, 1, 2, 3, 4]);
  });
});
