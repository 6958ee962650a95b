/**
 * Calls on a real FreeSWITCH 1.10.12 with SIP phones: both call orders, every failure of each party, a first
 * party that rings in its dialplan, cancel, caller id, SIP headers and variables as the switch and the phones
 * see them. Each outcome is also played on the fake switch: the recordings must agree with the live switch.
 */
import { expect } from 'chai';
import { pollUntil } from '../support/poll';
import { fakeService, outcomeOf } from './support/fake';
import type { LiveSwitch } from './support/freeswitch';
import { header } from './support/phones';
import { CONTACT_HOLD_MS, liveRig, type LiveRig } from './support/rig';
import { FINAL_STATUSES, type CallRecord, type ServiceClient } from './support/service';

const CONTACT = '+15552223333';

/** The switch holds no channel of the call any more (its last legs go a few milliseconds after the record ends). */
async function noChannelsLeft(sw: LiveSwitch, callId: string): Promise<void> {
  await pollUntil(
    `no channel of ${callId} left`,
    async () => /^0 total\./m.test(await sw.cli(`show channels like ${callId}`)),
    {
      timeoutMs: 3000,
      intervalMs: 100,
    },
  );
}

/**
 * Places the same call on a service and waits for its final record with every leg's end in it (a leg that was not
 * the call's verdict may end a few milliseconds after the record turned final).
 */
async function finalRecord(
  svc: ServiceClient,
  config: Record<string, unknown>,
  contact: string,
): Promise<CallRecord> {
  const id = await svc.createConfig(config);
  const callId = await svc.place(id, contact);
  return svc.waitRecord(
    id,
    callId,
    'final, every leg ended',
    (r) =>
      FINAL_STATUSES.has(r.status) && Object.values(r.legs).every((leg) => leg.hangup_cause !== undefined),
    20_000,
  );
}

describe('live: calls on a real FreeSWITCH', function () {
  this.timeout(60_000);
  let rig: LiveRig;
  before(async function () {
    this.timeout(120_000);
    rig = await liveRig();
  });

  describe('both call orders answered: caller id, SIP headers and variables as the phones and the switch see them', () => {
    for (const dialFirst of ['extension', 'contact'] as const) {
      it(`when the ${dialFirst} rings first and both answer, then the call is connected, the phones show the configured ids, and it completes when the contact hangs up`, async () => {
        const { svc, sw, phones } = rig;
        const tag = `answered-${dialFirst}-${Date.now()}`;
        const note = `Tom's, "VIP" = yes {x}`;
        const id = await svc.createConfig({
          name: 'Sales Line',
          extension: '1000',
          dial_first: dialFirst,
          caller_id_number: '+15550001111',
          outbound_callee_id_name: 'Acme Support',
          outbound_callee_id_number: '+15559990000',
          custom_sip_headers: { 'X-C2C-Test': tag },
          custom_application_vars: { lead: '42', note },
        });
        const callId = await svc.place(id, CONTACT);
        const connected = await svc.waitRecord(id, callId, 'connected', (r) => r.status === 'connected');
        expect(connected.result).to.equal('success');

        // The variables reached the call's channel (the loopback leg that carries the call id) byte for byte.
        expect((await sw.cli(`uuid_getvar ${callId} cav_lead`)).trim()).to.equal('42');
        expect((await sw.cli(`uuid_getvar ${callId} cav_note`)).trim()).to.equal(note);
        expect((await sw.cli(`uuid_getvar ${callId} c2c_id`)).trim()).to.equal(id);

        // Each phone got one INVITE with the header; the extension sees the configured name and number, the
        // contact the outbound callee ids, in both call orders.
        const [toExtension] = phones.extension.invitesWith('X-C2C-Test', tag);
        const [toContact] = phones.contact.invitesWith('X-C2C-Test', tag);
        expect(toExtension, 'INVITE at the extension phone').to.not.equal(undefined);
        expect(toContact, 'INVITE at the contact phone').to.not.equal(undefined);
        expect(header(toExtension!, 'From')).to.match(/^"Sales Line" <sip:\+15550001111@/);
        expect(header(toContact!, 'From')).to.match(/^"Acme Support" <sip:\+15559990000@/);
        expect(toExtension!.startLine).to.match(/^INVITE sip:1000@127\.0\.0\.1:5070 /);
        expect(toContact!.startLine).to.match(/^INVITE sip:\+15552223333@127\.0\.0\.1:5072 /);

        const done = await svc.waitFinal(id, callId, CONTACT_HOLD_MS + 10_000);
        expect(done).to.include({
          status: 'completed',
          result: 'success',
          hangup_cause: 'NORMAL_CLEARING',
          hung_up_by: 'contact',
        });
        const first = dialFirst === 'extension' ? '1000' : CONTACT;
        const second = dialFirst === 'extension' ? CONTACT : '1000';
        expect(done.legs['first']?.destination).to.equal(first);
        expect(done.legs['second']?.destination).to.equal(second);
        expect(Date.parse(done.bridged_at ?? '')).to.be.at.least(Date.parse(done.answered_at ?? ''));
        await noChannelsLeft(sw, callId);
      });
    }

    it('when no outbound callee number is set, then the contact sees the internal extension as caller id (what the save-time warning is about)', async () => {
      const { svc, phones } = rig;
      const tag = `no-callee-id-${Date.now()}`;
      const id = await svc.createConfig({
        name: 'Sales',
        extension: '1000',
        custom_sip_headers: { 'X-C2C-Test': tag },
      });
      const callId = await svc.place(id, CONTACT);
      await svc.waitRecord(id, callId, 'connected', (r) => r.status === 'connected');
      const [toContact] = phones.contact.invitesWith('X-C2C-Test', tag);
      expect(header(toContact!, 'From')).to.match(/^"1000" <sip:1000@/);
      expect(svc.logLines(/caller id/).some((l) => l['clicktocall_id'] === id)).to.equal(true);
      expect((await svc.hangup(callId)).status).to.equal(202);
      await svc.waitFinal(id, callId);
    });
  });

  describe('each party busy, unknown or not answering; the recordings agree', () => {
    const cases: Array<{
      what: string;
      extension: string;
      contact: string;
      timeout?: number;
      expected: Partial<CallRecord>;
      /**
       * A leg whose hang-up cause the real switch decides by a race: the phone behind 1480 is cancelled either by
       * its bridge's own timer (NO_ANSWER) or by the originate's timer a moment earlier (ORIGINATOR_CANCEL); both
       * timers are the configuration's timeout. Either is right; the rest of the outcome must agree.
       */
      racedLeg?: { leg: string; causes: string[] };
    }> = [
      {
        what: 'the first party is busy (SIP 486)',
        extension: '2486',
        contact: CONTACT,
        expected: { status: 'busy', result: 'error', cause: 'USER_BUSY' },
      },
      {
        what: 'the first party is unknown (SIP 404)',
        extension: '2404',
        contact: CONTACT,
        expected: { status: 'failed', result: 'error', cause: 'UNALLOCATED_NUMBER' },
      },
      {
        what: 'the first party does not answer',
        extension: '1480',
        contact: CONTACT,
        expected: { status: 'no_answer', result: 'error', cause: 'NO_ANSWER' },
        racedLeg: { leg: 'first', causes: ['ORIGINATOR_CANCEL', 'NO_ANSWER'] },
      },
      {
        what: 'the second party is busy (SIP 486)',
        extension: '1000',
        contact: '2486',
        expected: { status: 'busy', result: 'success', hangup_cause: 'USER_BUSY' },
      },
      {
        what: 'the second party is unknown (SIP 404)',
        extension: '1000',
        contact: '2404',
        expected: { status: 'failed', result: 'success', hangup_cause: 'UNALLOCATED_NUMBER' },
      },
      {
        what: 'the second party does not answer',
        extension: '1000',
        contact: '+15552220480',
        expected: { status: 'no_answer', result: 'success', hangup_cause: 'NO_ANSWER' },
      },
      {
        what: 'the first party rings in its dialplan (no phone) until the timeout',
        extension: '1998',
        contact: CONTACT,
        expected: { status: 'no_answer', result: 'error', cause: 'NO_ANSWER' },
      },
      {
        what: 'the first party rings in its dialplan, then is bridged to a phone 3 s later',
        extension: '1997',
        contact: CONTACT,
        timeout: 10,
        expected: { status: 'completed', result: 'success', hung_up_by: 'contact' },
      },
    ];
    for (const c of cases) {
      it(`when ${c.what}, then the call ends ${String(c.expected.status)}, as the fake switch plays it`, async () => {
        const config = { name: 'Sales', extension: c.extension, timeout: c.timeout ?? 3 };
        const [live, fake] = await Promise.all([
          finalRecord(rig.svc, config, c.contact),
          fakeService().then((svc) => finalRecord(svc, config, c.contact)),
        ]);
        expect(live).to.include(c.expected);
        const [fakeOutcome, liveOutcome] = [outcomeOf(fake), outcomeOf(live)];
        if (c.racedLeg) {
          for (const outcome of [fakeOutcome, liveOutcome]) {
            const leg = (outcome['legs'] as Record<string, { hangup_cause?: string }>)[c.racedLeg.leg];
            expect(leg?.hangup_cause, `the ${c.racedLeg.leg} leg's cause`).to.be.oneOf(c.racedLeg.causes);
            leg!.hangup_cause = 'either';
          }
        }
        expect(fakeOutcome, 'fake switch vs live switch').to.deep.equal(liveOutcome);
      });
    }

    it('when both parties answer, then the fake switch plays the same outcome as the live switch', async () => {
      const config = { name: 'Sales', extension: '1000' };
      const [live, fake] = await Promise.all([
        finalRecord(rig.svc, config, CONTACT),
        fakeService().then((svc) => finalRecord(svc, config, CONTACT)),
      ]);
      expect(live.status).to.equal('completed');
      expect(outcomeOf(fake), 'fake switch vs live switch').to.deep.equal(outcomeOf(live));
    });
  });

  describe('cancel', () => {
    it('when the first party rings in its dialplan (1999: ring_ready, park), then polling shows it ringing with the loopback as its leg, and cancel ends it at once', async () => {
      const { svc, sw } = rig;
      const id = await svc.createConfig({ name: 'Queue', extension: '1999', timeout: 30 });
      const callId = await svc.place(id, CONTACT);
      await svc.waitRecord(id, callId, 'ringing', (r) => r.status === 'ringing', 5000);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      for (let i = 0; i < 3; i++) {
        const polled = await svc.record(id, callId);
        // No `result` while the first party's fate is unknown (Kazoo's fields hold only Kazoo's values).
        expect(polled, `poll ${i}`).to.include({ status: 'ringing' }).and.not.have.property('result');
        expect(polled.legs['first'], `poll ${i}`).to.include({ destination: '1999', loopback: true });
      }
      expect(await sw.cli(`show channels like ${callId}`)).to.match(/^2 total\./m);
      const canceled = await svc.hangup(callId);
      expect(canceled.status).to.equal(202);
      const done = await svc.waitFinal(id, callId, 5000);
      expect(done).to.include({ status: 'canceled', result: 'error', cause: 'ORIGINATOR_CANCEL' });
      expect(done.legs['first']).to.include({ loopback: true, hangup_cause: 'ORIGINATOR_CANCEL' });
      await noChannelsLeft(sw, callId);
    });

    it('when the first party rings in its dialplan and is bridged to a phone later (1997), then polling shows ringing on the loopback, then the phone as its leg', async () => {
      const { svc } = rig;
      const id = await svc.createConfig({ name: 'Queue', extension: '1997', timeout: 10 });
      const callId = await svc.place(id, CONTACT);
      const ringing = await svc.waitRecord(id, callId, 'ringing', (r) => r.status === 'ringing', 5000);
      expect(ringing.legs['first']).to.include({ loopback: true });
      const connected = await svc.waitRecord(id, callId, 'connected', (r) => r.status === 'connected', 8000);
      expect(connected.legs['first']).to.include({ destination: '1997' });
      expect(connected.legs['first']).to.not.have.property('loopback');
      await svc.waitFinal(id, callId, CONTACT_HOLD_MS + 10_000);
    });

    it('when the first party is a SIP phone that rings, then cancel sends it a CANCEL and the call ends canceled', async () => {
      const { svc, phones } = rig;
      const tag = `cancel-ringing-${Date.now()}`;
      const id = await svc.createConfig({
        name: 'Sales',
        extension: '1480',
        custom_sip_headers: { 'X-C2C-Test': tag },
      });
      const callId = await svc.place(id, CONTACT);
      await svc.waitRecord(id, callId, 'ringing', (r) => r.status === 'ringing');
      expect((await svc.hangup(callId)).status).to.equal(202);
      const done = await svc.waitFinal(id, callId, 5000);
      expect(done).to.include({ status: 'canceled', cause: 'ORIGINATOR_CANCEL' });
      const [invite] = phones.ring.invitesWith('X-C2C-Test', tag);
      const callIdHeader = header(invite!, 'Call-ID');
      const cancel = phones.ring
        .messages()
        .find(
          (m) =>
            m.direction === 'received' &&
            m.startLine.startsWith('CANCEL ') &&
            header(m, 'Call-ID') === callIdHeader,
        );
      expect(cancel, 'CANCEL at the ringing phone').to.not.equal(undefined);
    });
  });
});
