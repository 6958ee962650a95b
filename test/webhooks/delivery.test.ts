/**
 * Status webhooks end to end: calls played by the fake switch from the recordings, the service as main wires it,
 * and a real HTTP receiver on an ephemeral port that verifies every request with the `standardwebhooks` library.
 */
import { expect } from 'chai';
import { pollUntil } from '../support/poll';
import { receiver } from '../support/receiver';
import { deliveredStatuses, verify, webhookRig, type WebhookRig } from '../support/webhook-rig';

describe('status webhooks: what each call sends', function () {
  this.timeout(20_000);
  let w: WebhookRig;
  beforeEach(async () => {
    w = await webhookRig();
  });
  afterEach(() => w.close());

  it('when both parties answer, then every status change arrives once, in order, signed, with the record', async () => {
    const url = await w.configure();
    const callId = await w.connect(url);
    const statuses = await deliveredStatuses(w.rx, callId, 'completed');
    expect(statuses).to.deep.equal(['originating', 'ringing', 'answered', 'connected', 'completed']);
    const secret = await w.secret();
    const events = w.rx.delivered.filter((d) => d.json.data.call_id === callId);
    expect(events.map((d) => d.json.data.sequence)).to.deep.equal([1, 2, 3, 4, 5]);
    expect(new Set(events.map((d) => d.json.data.event_id)).size).to.equal(5);
    for (const d of events) {
      expect(verify(secret, d), 'verified by standardwebhooks').to.deep.equal(d.json);
      expect(d.headers['webhook-id']).to.equal(d.json.data.event_id);
      expect(d.headers['content-type']).to.equal('application/json');
      expect(d.json.type).to.equal(`call.${d.json.data.status}`);
      expect(d.json.data.record.status).to.equal(d.json.data.status);
      expect(d.json.data).to.include({ account_id: w.acct.id, call_id: callId });
    }
    const last = events.at(-1)!.json;
    expect(last.data.record).to.include({ result: 'success', hung_up_by: 'contact' });
    expect(last.data.clicktocall_id).to.equal(url.split('/').at(-1));
  });

  for (const [outcome, contact, extension, timeout] of [
    ['busy', '+15551234486', '2600', 30],
    ['failed', '+15551234404', '2600', 30],
    ['no_answer', '+15551234480', '2600', 3],
    ['busy', '+15551234567', '2486', 30],
  ] as const) {
    it(`when the call ends ${outcome} (contact ${contact}, extension ${extension}), then the default events send that one final event`, async () => {
      const url = await w.configure({ extension, timeout, status_callback: { url: w.rx.url } });
      const callId = await w.connect(url, contact);
      const statuses = await deliveredStatuses(w.rx, callId, outcome);
      expect(statuses).to.deep.equal([outcome]);
      const [event] = w.rx.delivered;
      expect(event!.json.data).to.include({ sequence: 1, status: outcome });
      expect(event!.json.data.record).to.include({ status: outcome });
      expect(event!.json.data.record['ended_at']).to.be.a('string');
    });
  }

  it('when the call is canceled while ringing, then ringing then canceled arrive', async () => {
    const url = await w.configure({
      extension: '2999',
      status_callback: { url: w.rx.url, events: ['ringing', 'canceled'] },
    });
    const callId = await w.connect(url);
    await pollUntil('ringing delivered', () => w.rx.delivered.some((d) => d.json.data.status === 'ringing'));
    await w.h.http
      .post(`/v2/accounts/${w.acct.id}/channels/${callId}`)
      .set('X-Auth-Token', w.acct.token)
      .send({ data: { action: 'hangup' } })
      .expect(202);
    expect(await deliveredStatuses(w.rx, callId, 'canceled')).to.deep.equal(['ringing', 'canceled']);
    expect(w.rx.delivered.map((d) => d.json.data.sequence)).to.deep.equal([1, 2]);
  });

  it('when a connect gives its own status_callback, then it replaces the configuration one for that call only', async () => {
    const other = await receiver('/other');
    try {
      const url = await w.configure({ status_callback: { url: w.rx.url } });
      const own = await w.connect(url, '+15551234567', {
        status_callback: { url: other.url, events: ['connected'], method: 'PUT' },
      });
      const plain = await w.connect(url);
      expect(await deliveredStatuses(other, own, 'connected')).to.deep.equal(['connected']);
      expect(other.received[0]).to.include({ method: 'PUT', path: '/other' });
      expect(await deliveredStatuses(w.rx, plain, 'completed')).to.deep.equal(['completed']);
      await pollUntil('the overridden call completed', async () => {
        const rows = await w.deliveries(`?call_id=${own}`);
        return rows.length === 1 && rows[0]!['state'] === 'delivered';
      });
      expect(w.rx.received.filter((r) => r.body.includes(own))).to.deep.equal([]);
    } finally {
      await other.close();
    }
  });

  it('when the connect gives status_callback in the query string, then its events and method are used', async () => {
    const url = await w.configure({ status_callback: undefined });
    const res = await w.h.http
      .get(
        `${url}/connect?contact=%2B15551234567&status_callback=${encodeURIComponent(w.rx.url)}` +
          '&status_callback_events=ringing,completed&status_callback_method=PUT',
      )
      .set('X-Auth-Token', w.acct.token)
      .expect(202);
    const callId = res.body.data.call_id as string;
    expect(await deliveredStatuses(w.rx, callId, 'completed')).to.deep.equal(['ringing', 'completed']);
    expect(w.rx.received.every((r) => r.method === 'PUT')).to.equal(true);
  });
});
