/**
 * The link to a real FreeSWITCH breaking under the service: the event socket dropped in the middle of a call, and
 * the switch itself restarted. Connects answer 503 at once while it is away, the service comes back by itself, and
 * no record stays open.
 */
import { expect } from 'chai';
import { pollUntil } from '../support/poll';
import { CONTACT_HOLD_MS, liveRig, type LiveRig } from './support/rig';
import { FINAL_STATUSES } from './support/service';

const CONTACT = '+15552223333';

describe('live: the switch link breaks', function () {
  this.timeout(90_000);
  let rig: LiveRig;
  before(async function () {
    this.timeout(120_000);
    rig = await liveRig();
  });

  it('when the event socket drops mid-call, then the call goes on, the service reconnects, and the record follows the call to its end', async () => {
    const { svc, proxy, sw } = rig;
    const id = await svc.createConfig({ name: 'Sales', extension: '1000' });
    const callId = await svc.place(id, CONTACT);
    await svc.waitRecord(id, callId, 'connected', (r) => r.status === 'connected');
    const cutAt = Date.now();
    proxy.cut();
    // The switch never noticed: the call is still up on it.
    expect(await sw.cli(`show channels like ${callId}`)).to.match(/^[1-9]\d* total\./m);
    await pollUntil('the service back on the switch', async () => (await svc.health()) === 200, {
      timeoutMs: 10_000,
      intervalMs: 50,
    });
    const downMs = Date.now() - cutAt;
    const during = await svc.record(id, callId);
    expect(during.status, 'still followed after the reconnect').to.equal('connected');
    // The contact hangs up CONTACT_HOLD_MS after answering: the events of the end come on the new link.
    const done = await svc.waitFinal(id, callId, CONTACT_HOLD_MS + 10_000);
    expect(done).to.include({ status: 'completed', hangup_cause: 'NORMAL_CLEARING', hung_up_by: 'contact' });
    expect(downMs).to.be.below(5000);
  });

  it('when the switch restarts under the service, then connects answer 503 at once, the service reconnects by itself, a call the restart cut is closed, and calls work again', async () => {
    const { svc, sw } = rig;
    const id = await svc.createConfig({ name: 'Sales', extension: '1000' });
    const cutCall = await svc.place(id, CONTACT);
    await svc.waitRecord(id, cutCall, 'connected', (r) => r.status === 'connected');

    await sw.stop();
    await pollUntil('the link seen down', async () => (await svc.health()) === 503, { timeoutMs: 5000 });
    const started = Date.now();
    const refused = await svc.connect(id, { contact: CONTACT });
    expect(refused.status).to.equal(503);
    expect(refused.body['message']).to.equal('switch_unavailable');
    expect(Date.now() - started).to.be.below(1000);

    await sw.start();
    await pollUntil('the service back on the switch', async () => (await svc.health()) === 200, {
      timeoutMs: 20_000,
      intervalMs: 100,
    });
    // Reconciliation found the call gone with the old switch: closed, with its own legs' causes.
    const closed = await svc.waitFinal(id, cutCall, 10_000);
    expect(FINAL_STATUSES.has(closed.status)).to.equal(true);
    expect(closed.ended_at).to.be.a('string');

    const again = await svc.place(id, CONTACT);
    const answered = await svc.waitRecord(id, again, 'connected', (r) => r.status === 'connected');
    expect(answered.result).to.equal('success');
    expect((await svc.hangup(again)).status).to.equal(202);
    expect((await svc.waitFinal(id, again)).status).to.equal('canceled');
  });
});
