import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { EslClient } from '../../esl';
import { CALL_SUBSCRIPTION } from '../../src/calls/subscription';
import { harness, minimal, type Harness } from '../support/harness';
import { pollUntil } from '../support/poll';
import { switchRig, type SwitchRig } from '../support/switch';

type Record = { [k: string]: unknown; status: string; legs: { first?: Leg; second?: Leg } };
type Leg = {
  uuid: string;
  loopback?: boolean;
  destination?: string;
  answered_at?: string;
  ended_at?: string;
  hangup_cause?: string;
  sip_status?: string;
};

/**
 * Each captured scenario, played by the fake switch (20× faster; event times stay as captured), through
 * the real ESL client, the call following and the store, read back through HTTP.
 */
describe('call tracking through the fake switch', function () {
  this.timeout(20_000);
  let rig: SwitchRig;
  let h: Harness;
  let acct: Awaited<ReturnType<Harness['account']>>;

  beforeEach(async () => {
    rig = await switchRig({ speed: 20 });
    h = harness({ esl: rig.esl, now: () => new Date() });
    acct = await h.account();
  });
  afterEach(() => rig.close());

  const configure = async (extra: { [k: string]: unknown } = {}) => {
    const res = await h.http
      .put(`/v2/accounts/${acct.id}/clicktocall`)
      .set('X-Auth-Token', acct.token)
      .send(minimal(extra))
      .expect(201);
    return `/v2/accounts/${acct.id}/clicktocall/${res.body.data.id as string}`;
  };

  const connect = async (url: string, contact: string): Promise<string> => {
    const res = await h.http
      .post(`${url}/connect`)
      .set('X-Auth-Token', acct.token)
      .send({ data: { contact } })
      .expect(202);
    return res.body.data.call_id as string;
  };

  const record = async (url: string, callId: string): Promise<Record> =>
    (await h.http.get(`${url}/history/${callId}`).set('X-Auth-Token', acct.token).expect(200)).body
      .data as Record;

  /** Waits until the call's record is final and its legs all ended, then returns it through HTTP. */
  const finalRecord = async (url: string, callId: string): Promise<Record> => {
    await pollUntil(
      'the record final and the call gone at the switch',
      async () => (await h.store.history.byCallId(callId))?.final === true && rig.fake.activeCalls.size === 0,
      { timeoutMs: 10_000 },
    );
    return record(url, callId);
  };

  it('when both answer, then connected, through the loopback bow-out, then completed with durations', async () => {
    const url = await configure();
    const callId = await connect(url, '+15551234567');
    await pollUntil('the call followed', () => h.calls.tracker.inFlight === 1);
    const r = await finalRecord(url, callId);
    expect(r).to.include({
      call_id: callId,
      result: 'success',
      status: 'completed',
      hangup_cause: 'NORMAL_CLEARING',
      hung_up_by: 'contact',
      contact: '+15551234567',
      extension: '2600',
    });
    expect(r['duration_s']).to.be.within(4, 6);
    expect(r['talk_s']).to.be.within(4, 6);
    for (const k of ['answered_at', 'bridged_at', 'ended_at']) expect(r[k], k).to.be.a('string');
    expect(Date.parse(r['bridged_at'] as string)).to.be.at.least(Date.parse(r['answered_at'] as string));
    expect(r.legs.first).to.include({ destination: '2600', hangup_cause: 'NORMAL_CLEARING' });
    expect(r.legs.second).to.include({
      destination: '+15551234567',
      hangup_cause: 'NORMAL_CLEARING',
      sip_status: '200',
    });
    expect(r.legs.first?.uuid).to.not.equal(r.legs.second?.uuid);
    expect(h.calls.intake.stats.unknownCalls).to.equal(0);
  });

  it('when the contact is dialled first and both answer, then completed with the parties the other way round', async () => {
    const url = await configure({ dial_first: 'contact' });
    const callId = await connect(url, '+15551234567');
    const r = await finalRecord(url, callId);
    expect(r).to.include({ status: 'completed', dial_first: 'contact' });
    expect(r.legs.first?.destination).to.equal('+15551234567');
    expect(r.legs.second?.destination).to.equal('2600');
    expect(r['hung_up_by']).to.equal('extension');
  });

  // The first party's own leg: with no answer its bridge is cancelled when originate_timeout runs out, so the SIP
  // leg says ORIGINATOR_CANCEL while the call's cause (job, loopback legs) is NO_ANSWER (re-taken from the live switch).
  for (const [extension, status, cause, sip, legCause] of [
    ['2486', 'busy', 'USER_BUSY', '486', 'USER_BUSY'],
    ['2404', 'failed', 'UNALLOCATED_NUMBER', '404', 'UNALLOCATED_NUMBER'],
    ['2480', 'no_answer', 'NO_ANSWER', undefined, 'ORIGINATOR_CANCEL'],
  ] as const) {
    it(`when the first party's number ends ${extension.slice(1)}, then ${status}, result error, cause ${cause}`, async () => {
      const url = await configure({ extension, timeout: 4 });
      const callId = await connect(url, '+15551234567');
      const r = await finalRecord(url, callId);
      expect(r).to.include({ result: 'error', cause, status, hangup_cause: cause });
      expect(r.legs.first).to.include({ hangup_cause: legCause });
      if (sip) expect(r.legs.first?.sip_status).to.equal(sip);
      expect(r.legs.second).to.equal(undefined);
      expect(r).to.not.have.property('bridged_at');
    });
  }

  for (const [contact, status, cause, sip] of [
    ['+15551230486', 'busy', 'USER_BUSY', '486'],
    ['+15551230404', 'failed', 'UNALLOCATED_NUMBER', '404'],
    ['+15551230480', 'no_answer', 'NO_ANSWER', undefined],
  ] as const) {
    it(`when the second party's number ends ${contact.slice(-3)}, then ${status} from the second leg (the first leg says NORMAL_CLEARING)`, async () => {
      const url = await configure({ timeout: 4 });
      const callId = await connect(url, contact);
      const r = await finalRecord(url, callId);
      expect(r).to.include({ result: 'success', status, hangup_cause: cause });
      expect(r).to.not.have.property('cause');
      expect(r.legs.second).to.include({ hangup_cause: cause });
      if (sip) expect(r.legs.second?.sip_status).to.equal(sip);
      expect(r.legs.first).to.include({ hangup_cause: 'NORMAL_CLEARING' });
      expect(r['talk_s']).to.equal(0);
    });
  }

  it('when bypass_media is on and both answer, then completed through the quick bow-out (recordings i3-b5)', async () => {
    const url = await configure({ bypass_media: true });
    const callId = await connect(url, '+15551234567');
    const r = await finalRecord(url, callId);
    expect(r).to.include({ status: 'completed', result: 'success' });
    expect(r['duration_s']).to.be.within(7, 9);
  });

  it('when bypass_media is on and the second party is busy, then busy from its own leg', async () => {
    const url = await configure({ bypass_media: true });
    const callId = await connect(url, '+15551230486');
    const r = await finalRecord(url, callId);
    expect(r).to.include({ status: 'busy', hangup_cause: 'USER_BUSY' });
  });

  describe('cancel: POST /v2/accounts/{A}/channels/{call_id}', () => {
    const cancel = (callId: string, who = acct, data: unknown = { action: 'hangup' }) =>
      h.http.post(`/v2/accounts/${who.id}/channels/${callId}`).set('X-Auth-Token', who.token).send({ data });

    for (const [where, extension, contact, reached] of [
      ['the first party rings', '2999', '+15551234567', (r: Record) => r.status === 'ringing'],
      [
        'the second party rings',
        '2600',
        '+15551230999',
        (r: Record) => r.status === 'answered' && r.legs.second !== undefined,
      ],
    ] as const) {
      it(`when ${where}, then 202, hupall ORIGINATOR_CANCEL on the call id, and the record ends canceled`, async () => {
        const url = await configure({ extension });
        const callId = await connect(url, contact);
        await pollUntil('the call up at the switch', () => rig.fake.activeCalls.has(callId));
        // Cancel in the state the title names, as the record shows it (not after a guessed delay).
        await pollUntil(where, async () => reached(await record(url, callId)), { timeoutMs: 10_000 });
        const res = await cancel(callId).expect(202);
        expect(res.body.data.call_id).to.equal(callId);
        expect(rig.fake.commands).to.include(`api hupall ORIGINATOR_CANCEL c2c_call_id ${callId}`);
        const r = await finalRecord(url, callId);
        expect(r).to.include({ status: 'canceled', hangup_cause: 'ORIGINATOR_CANCEL' });
      });
    }

    it("when the id is not one of the account's open calls, then 404 and nothing reaches the switch", async () => {
      const url = await configure({ extension: '2999' });
      const callId = await connect(url, '+15551234567');
      const other = await h.account();
      const before = rig.fake.commands.length;
      await cancel(callId, other).expect(404);
      for (const id of [
        'c2c-' + 'a'.repeat(32) + '-' + 'b'.repeat(10),
        'some-channel-uuid',
        '*',
        'c2c-x%20hupall',
      ]) {
        await cancel(id).expect(404);
      }
      expect(rig.fake.commands.slice(before).filter((c) => c.includes('hupall'))).to.deep.equal([]);
    });

    it('when the call is already over, then 404', async () => {
      const url = await configure({ extension: '2486' });
      const callId = await connect(url, '+15551234567');
      await finalRecord(url, callId);
      await cancel(callId).expect(404);
    });

    it('when the action is not hangup, then 400; when the verb is GET, then 405', async () => {
      const url = await configure({ extension: '2999' });
      const callId = await connect(url, '+15551234567');
      const res = await cancel(callId, acct, { action: 'transfer' }).expect(400);
      expect(res.body.data.action.enum.message).to.be.a('string');
      await h.http
        .get(`/v2/accounts/${acct.id}/channels/${callId}`)
        .set('X-Auth-Token', acct.token)
        .expect(405);
      await cancel(callId).expect(202);
    });

    it('when the switch is down, then 503', async () => {
      const url = await configure({ extension: '2999' });
      const callId = await connect(url, '+15551234567');
      await rig.fake.stop();
      await pollUntil('the link down', () => !rig.esl.connected);
      await cancel(callId).expect(503);
    });
  });

  describe('faults', () => {
    it('when the link drops mid-call, then tracking resumes after the reconnect and the record ends right', async () => {
      const url = await configure();
      const callId = await connect(url, '+15551234567');
      await pollUntil(
        'connected',
        async () => (await h.store.history.byCallId(callId))?.doc.status === 'connected',
      );
      // The client is back within milliseconds: wait on its reconnect count, not on a window of disconnection.
      const reconnects = rig.esl.health.reconnects;
      rig.fake.dropConnections();
      await pollUntil('reconnected', () => rig.esl.health.reconnects > reconnects && rig.esl.connected);
      const r = await finalRecord(url, callId);
      expect(r).to.include({ status: 'completed', result: 'success', hung_up_by: 'contact' });
      expect(rig.fake.requests.filter((q) => q.command.startsWith('auth')).length).to.equal(2);
    });

    it('when the switch restarts and the call is gone, then reconciliation closes the record with the best cause known', async () => {
      // The service's clock, moved past the reconciliation's 2 s grace (src/calls/reconciler.ts) instead of waiting it out.
      let aheadMs = 0;
      h = harness({ esl: rig.esl, now: () => new Date(Date.now() + aheadMs) });
      acct = await h.account();
      const url = await configure({ extension: '2999' });
      const callId = await connect(url, '+15551234567');
      await pollUntil('the call up at the switch', () => rig.fake.activeCalls.has(callId));
      aheadMs = 2100;
      await rig.fake.stop(); // every call vanishes with the switch
      await rig.fake.start();
      await rig.esl.waitConnected(10_000);
      await pollUntil('closed', async () => (await h.store.history.byCallId(callId))?.final === true, {
        timeoutMs: 10_000,
      });
      const r = await record(url, callId);
      expect(r['status']).to.equal('failed');
      expect(r['ended_at']).to.be.a('string');
      expect(rig.fake.commands).to.include(`api show channels like ${callId} as json`);
    });
  });
});

/**
 * A first party reached by its dialplan alone (998: rings in the dialplan, no phone; 997: rings in the dialplan, is
 * bridged to a phone 3 s later), played by the fake switch five times faster, followed through HTTP.
 */
describe('call tracking: a first party that rings through its dialplan', function () {
  this.timeout(20_000);
  let rig: SwitchRig;
  let h: Harness;
  let acct: Awaited<ReturnType<Harness['account']>>;
  beforeEach(async () => {
    rig = await switchRig({ speed: 5 });
    h = harness({ esl: rig.esl, now: () => new Date() });
    acct = await h.account();
  });
  afterEach(() => rig.close());

  const place = async (extension: string, timeout = 30): Promise<{ url: string; callId: string }> => {
    const created = await h.http
      .put(`/v2/accounts/${acct.id}/clicktocall`)
      .set('X-Auth-Token', acct.token)
      .send(minimal({ extension, timeout }))
      .expect(201);
    const url = `/v2/accounts/${acct.id}/clicktocall/${created.body.data.id as string}`;
    const res = await h.http
      .post(`${url}/connect`)
      .set('X-Auth-Token', acct.token)
      .send({ data: { contact: '+15551234567' } })
      .expect(202);
    return { url, callId: res.body.data.call_id as string };
  };
  const poll = async (url: string, callId: string): Promise<Record> =>
    (await h.http.get(`${url}/history/${callId}`).set('X-Auth-Token', acct.token).expect(200)).body
      .data as Record;
  const until = (url: string, callId: string, what: string, ok: (r: Record) => boolean): Promise<Record> =>
    pollUntil(
      what,
      async () => {
        const r = await poll(url, callId);
        return ok(r) ? r : undefined;
      },
      { timeoutMs: 10_000 },
    );

  it('when it rings in its dialplan, then polling shows ringing with the loopback as its leg, and cancel ends it canceled', async () => {
    const { url, callId } = await place('2998');
    const ringing = await until(url, callId, 'ringing', (r) => r.status === 'ringing');
    // Kazoo's `result` holds only Kazoo's values: absent while the first party's fate is unknown.
    expect(ringing).to.not.have.property('result');
    expect(ringing.legs.first).to.include({ destination: '2998', loopback: true });
    await h.http
      .post(`/v2/accounts/${acct.id}/channels/${callId}`)
      .set('X-Auth-Token', acct.token)
      .send({ data: { action: 'hangup' } })
      .expect(202);
    const done = await until(
      url,
      callId,
      'canceled with the loopback leg ended',
      (r) => r.status === 'canceled' && r.legs.first?.ended_at !== undefined,
    );
    expect(done).to.include({
      result: 'error',
      cause: 'ORIGINATOR_CANCEL',
      hangup_cause: 'ORIGINATOR_CANCEL',
    });
    expect(done.legs.first).to.include({ loopback: true, hangup_cause: 'ORIGINATOR_CANCEL' });
    expect(done.legs.second).to.equal(undefined);
  });

  it('when it rings in its dialplan until the timeout, then no_answer, with the loopback leg NO_ANSWER in the record', async () => {
    const { url, callId } = await place('2998', 5);
    await until(url, callId, 'ringing', (r) => r.status === 'ringing');
    // The job's -ERR NO_ANSWER comes about 20 ms before the loopback's hang-up: the leg's cause follows the status.
    const done = await until(
      url,
      callId,
      'no_answer with the loopback leg ended',
      (r) => r.status === 'no_answer' && r.legs.first?.ended_at !== undefined,
    );
    expect(done).to.include({ result: 'error', cause: 'NO_ANSWER', hangup_cause: 'NO_ANSWER' });
    expect(done.legs.first).to.include({ destination: '2998', loopback: true, hangup_cause: 'NO_ANSWER' });
  });

  it('when it rings in its dialplan and is bridged to a phone later, then the phone takes over as its leg and the call completes', async () => {
    const { url, callId } = await place('2997');
    const ringing = await until(url, callId, 'ringing', (r) => r.status === 'ringing');
    expect(ringing.legs.first).to.include({ loopback: true });
    // The call completes on the contact's hang-up; the extension's leg ends a moment later.
    const done = await until(
      url,
      callId,
      'completed with both legs ended',
      (r) =>
        r.status === 'completed' &&
        r.legs.first?.ended_at !== undefined &&
        r.legs.second?.ended_at !== undefined,
    );
    expect(done).to.include({ result: 'success', hung_up_by: 'contact' });
    expect(done.legs.first).to.include({ destination: '2997', hangup_cause: 'NORMAL_CLEARING' });
    expect(done.legs.first).to.not.have.property('loopback');
    expect(done.legs.second).to.include({ destination: '+15551234567', sip_status: '200' });
  });

  it('when it rings in its dialplan and is canceled before the bridge, then canceled with the loopback as its leg', async () => {
    const { url, callId } = await place('2997');
    await until(url, callId, 'ringing', (r) => r.status === 'ringing');
    await h.http
      .post(`/v2/accounts/${acct.id}/channels/${callId}`)
      .set('X-Auth-Token', acct.token)
      .send({ data: { action: 'hangup' } })
      .expect(202);
    const done = await until(url, callId, 'canceled', (r) => r.status === 'canceled');
    expect(done.legs.first).to.include({ loopback: true });
  });
});

describe('call tracking across a service restart', function () {
  this.timeout(20_000);
  it('when the service restarts mid-call, then the new one resumes from the stored state and closes the record right', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'c2c-restart-'));
    const file = path.join(dir, 'c2c.db');
    const rig1 = await switchRig({ speed: 5 });
    try {
      const h1 = harness({ esl: rig1.esl, now: () => new Date(), dbPath: file });
      const acct = await h1.account();
      const created = await h1.http
        .put(`/v2/accounts/${acct.id}/clicktocall`)
        .set('X-Auth-Token', acct.token)
        .send(minimal())
        .expect(201);
      const url = `/v2/accounts/${acct.id}/clicktocall/${created.body.data.id as string}`;
      const res = await h1.http
        .post(`${url}/connect`)
        .set('X-Auth-Token', acct.token)
        .send({ data: { contact: '+15551234567' } })
        .expect(202);
      const callId = res.body.data.call_id as string;
      await pollUntil(
        'connected',
        async () => (await h1.store.history.byCallId(callId))?.doc.status === 'connected',
      );
      // The first service dies: its call following and link go, its database stays.
      await rig1.esl.close();
      await h1.close();
      const esl2 = new EslClient({
        host: '127.0.0.1',
        port: rig1.fake.listeningPort,
        password: 'ClueCon',
        subscription: CALL_SUBSCRIPTION,
        backoff: { initialMs: 20, maxMs: 100 },
      });
      const h2 = harness({ esl: esl2, now: () => new Date(), dbPath: file });
      esl2.start();
      try {
        await pollUntil(
          'closed by the new service',
          async () => (await h2.store.history.byCallId(callId))?.final === true,
          {
            timeoutMs: 10_000,
          },
        );
        const r = (await h2.http.get(`${url}/history/${callId}`).set('X-Auth-Token', acct.token).expect(200))
          .body.data as Record;
        expect(r).to.include({ status: 'completed', result: 'success', hung_up_by: 'contact' });
      } finally {
        await esl2.close();
        await h2.close();
      }
    } finally {
      await rig1.fake.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
