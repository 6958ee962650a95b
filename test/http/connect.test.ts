import { expect } from 'chai';
import { pollUntil } from '../support/poll';
import { harness, LOG_LINES, minimal, type Harness } from '../support/harness';
import { originatesOf, switchRig, type SwitchRig } from '../support/switch';

describe('connect', function () {
  this.timeout(15_000);
  let rig: SwitchRig;
  let h: Harness;
  let acct: Awaited<ReturnType<Harness['account']>>;

  beforeEach(async () => {
    rig = await switchRig();
    h = harness({ esl: rig.esl, now: () => new Date() });
    acct = await h.account();
  });
  afterEach(() => rig.close());

  const configure = async (extra: Record<string, unknown> = {}, who = acct) => {
    const res = await h.http
      .put(`/v2/accounts/${who.id}/clicktocall`)
      .set('X-Auth-Token', who.token)
      .send(minimal(extra))
      .expect(201);
    return `/v2/accounts/${who.id}/clicktocall/${res.body.data.id as string}`;
  };

  /** The call's stored record. */
  const history = async (callId: string) => (await h.store.history.byCallId(callId))?.doc;
  /** Every record of the configuration at `url`. */
  const recordsOf = (url: string) =>
    h.store.history.list({ accountId: acct.id, clicktocallId: url.split('/').at(-1) ?? '' });

  describe('non-blocking', () => {
    it('when the switch accepts, then 202 with the originate in the seed shape, the call id, one originate and one history record', async () => {
      const url = await configure({ caller_id_number: '+15550001111' });
      const res = await h.http
        .get(`${url}/connect`)
        .query({ contact: '(555) 123-4567' })
        .set('X-Auth-Token', acct.token)
        .expect(202);
      const data = res.body.data as Record<string, unknown>;
      expect(data['call_id']).to.match(/^c2c-[0-9a-f]{32}-[0-9a-f]{10}$/);
      expect(data).to.include({
        application_name: 'transfer',
        outbound_call_id: data['call_id'],
        timeout: 30,
      });
      expect(data['application_data']).to.deep.equal({ route: '+15551234567' });
      expect((data['endpoints'] as Array<Record<string, unknown>>)[0]).to.include({
        invite_format: 'loopback',
        route: '2600',
      });
      const originates = originatesOf(rig.fake);
      expect(originates).to.have.length(1);
      const o = originates[0]!;
      expect(o.endpoint).to.equal('loopback/2600/default');
      expect(o.route).to.equal('+15551234567');
      expect(o.dialplan).to.equal('XML');
      expect(o.context).to.equal('default');
      expect(o.vars['origination_uuid']).to.equal(data['call_id']);
      expect(o.vars['c2c_call_id']).to.equal(data['call_id']);
      const bgapi = rig.fake.requests.find((r) => r.command.startsWith('bgapi originate '));
      expect(bgapi?.headers.find(([k]) => k === 'Job-UUID')?.[1]).to.match(/^[0-9a-f-]{36}$/);
      const record: Record<string, unknown> = (await history(data['call_id'] as string)) ?? {};
      expect(record).to.include({ contact: '+15551234567', extension: '2600', requested_by: 'token' });
      expect(record['timestamp']).to.be.a('number').above(63_900_000_000);
      // The first party answers shortly after, then the second: the tracker records both.
      await pollUntil(
        'connected',
        async () => (await history(data['call_id'] as string))?.status === 'connected',
      );
    });

    it('when a connect is logged, then its lines carry the request id and the call id', async () => {
      const url = await configure();
      const res = await h.http
        .get(`${url}/connect?contact=2601`)
        .set('X-Auth-Token', acct.token)
        .set('X-Request-ID', 'crm-req-77')
        .expect(202);
      const line = LOG_LINES.map((l) => JSON.parse(l) as Record<string, unknown>).find(
        (l) => l['message'] === 'originate accepted' && l['request_id'] === 'crm-req-77',
      );
      expect(line).to.include({ call_id: res.body.data.call_id, module: 'connect' });
    });

    it('when the contact comes from a JSON body, then it is used (body before query)', async () => {
      const url = await configure();
      const res = await h.http
        .post(`${url}/connect?contact=2601`)
        .set('X-Auth-Token', acct.token)
        .send({ data: { contact: '+4930123456' } })
        .expect(202);
      expect(res.body.data.application_data.route).to.equal('+4930123456');
    });

    it('when the contact comes from a form field, then it is used', async () => {
      const url = await configure();
      const res = await h.http
        .post(`${url}/connect`)
        .set('X-Auth-Token', acct.token)
        .type('form')
        .send('contact=2601')
        .expect(202);
      expect(res.body.data.application_data.route).to.equal('2601');
    });

    it("when custom_application_vars come in the body, then they overlay the configuration's; the query's overlay both; reserved keys and the service's own parameters never reach the call", async () => {
      const url = await configure({ custom_application_vars: { crm: 'cfg', campaign: 'autumn' } });
      const res = await h.http
        .post(`${url}/connect?contact=2601&blocking=false&auth_token=${acct.token}&campaign=winter`)
        .set('X-Auth-Token', acct.token)
        .send({ data: { custom_application_vars: { crm: 'req', 'Account-ID': 'evil', lead: '42' } } })
        .expect(202);
      expect(res.body.data.custom_application_vars).to.deep.equal({
        crm: 'req',
        campaign: 'winter',
        lead: '42',
        contact: '2601',
      });
      const vars = originatesOf(rig.fake)[0]!.vars;
      expect(vars).to.include({
        cav_crm: 'req',
        cav_campaign: 'winter',
        cav_lead: '42',
        cav_contact: '2601',
      });
      expect(Object.keys(vars).filter((k) => /account-id|auth_token|blocking/i.test(k))).to.deep.equal([]);
      expect(JSON.stringify(vars)).to.not.contain(acct.token);
    });
  });

  describe('blocking', () => {
    for (const form of ['?blocking=true', '?blocking', '?blocking=1']) {
      it(`when ${form} and the first party answers, then 200 with the record: result success`, async () => {
        const url = await configure();
        const res = await h.http
          .get(`${url}/connect${form}&contact=2601`)
          .set('X-Auth-Token', acct.token)
          .expect(200);
        expect(res.body.data).to.include({ result: 'success', contact: '2601' });
        expect(res.body.data.status).to.be.oneOf(['answered', 'connected']);
        expect(res.body.data.answered_at).to.be.a('string');
      });
    }

    for (const [extension, cause, status] of [
      ['2486', 'USER_BUSY', 'busy'],
      ['2404', 'UNALLOCATED_NUMBER', 'failed'],
    ] as const) {
      it(`when the first party's number ends ${extension.slice(1)}, then 200 with result error, cause ${cause}`, async () => {
        const url = await configure({ extension });
        const res = await h.http
          .post(`${url}/connect`)
          .set('X-Auth-Token', acct.token)
          .send({ data: { contact: '+15551234567', blocking: true } })
          .expect(200);
        expect(res.body.data).to.include({ result: 'error', cause, status });
        expect((await history(res.body.data.call_id as string))?.status).to.equal(status);
      });
    }

    it('when blocking is anything else, then it does not wait (202)', async () => {
      const url = await configure();
      await h.http.get(`${url}/connect?contact=2601&blocking=no`).set('X-Auth-Token', acct.token).expect(202);
    });
  });

  describe('contact', () => {
    it('when absent, then 400 with data.contact.required.message, nothing sent', async () => {
      const url = await configure();
      const res = await h.http.get(`${url}/connect`).set('X-Auth-Token', acct.token).expect(400);
      expect(res.body.data.contact.required.message).to.equal(
        'The contact extension for this click to call has not been set',
      );
      expect(originatesOf(rig.fake)).to.have.length(0);
    });

    for (const contact of [
      'abc',
      "555'1234",
      '555{1234}',
      '555,1234',
      '555&1234',
      '555|1234',
      '555\n1234',
      '1'.repeat(65),
      'sip:user@example.com',
      '+1 555 ${x}',
      'mod_event_socket',
    ]) {
      it(`when ${JSON.stringify(contact).slice(0, 40)}, then 400 data.contact.invalid and it never reaches the switch`, async () => {
        const url = await configure();
        const res = await h.http
          .post(`${url}/connect`)
          .set('X-Auth-Token', acct.token)
          .send({ data: { contact } })
          .expect(400);
        expect(res.body.data.contact.invalid.message).to.be.a('string');
        expect(rig.fake.commands.filter((c) => c.startsWith('bgapi'))).to.deep.equal([]);
      });
    }

    it('when the account allows SIP URIs, then a sip: contact is dialled', async () => {
      const sipAcct = await h.account({ allowSipUri: true });
      const url = await configure({}, sipAcct);
      const res = await h.http
        .post(`${url}/connect`)
        .set('X-Auth-Token', sipAcct.token)
        .send({ data: { contact: 'sip:alice@example.com' } });
      expect(res.status, JSON.stringify(res.body.data)).to.equal(202);
      expect(res.body.data.application_data.route).to.equal('sip:alice@example.com');
    });
  });

  describe('whitelist', () => {
    it('when the contact matches no entry, then 400 "Contact doesn\'t match whitelist" with the contact', async () => {
      const url = await configure({ whitelist: ['^\\+1555', '^2\\d{3}$'] });
      const res = await h.http
        .get(`${url}/connect?contact=+4930123456`)
        .set('X-Auth-Token', acct.token)
        .expect(400);
      expect(res.body).to.include({ message: "Contact doesn't match whitelist", data: '+4930123456' });
      await h.http.get(`${url}/connect?contact=2601`).set('X-Auth-Token', acct.token).expect(202);
    });

    it('when a query contact starts with an unencoded +, then it stays international', async () => {
      const url = await configure();
      const res = await h.http
        .get(`${url}/connect?contact=+4930123456`)
        .set('X-Auth-Token', acct.token)
        .expect(202);
      expect(res.body.data.application_data.route).to.equal('+4930123456');
    });

    it('when an entry is unanchored, then it matches anywhere (Kazoo)', async () => {
      const url = await configure({ whitelist: ['555'] });
      await h.http.get(`${url}/connect?contact=+15551234567`).set('X-Auth-Token', acct.token).expect(202);
    });

    it('when a pattern is hostile, then the answer still comes at once (RE2, linear time)', async () => {
      const url = await configure({ whitelist: ['^(\\d+)+$x', '(1|1)*(1|1)*(1|1)*$y'] });
      const started = Date.now();
      await h.http
        .get(`${url}/connect?contact=${'1'.repeat(60)}`)
        .set('X-Auth-Token', acct.token)
        .expect(400);
      // A backtracking engine would need about 2^60 steps on these patterns (hours); RE2 answers in milliseconds. The
      // bound leaves room for a loaded machine and still tells the two apart.
      expect(Date.now() - started).to.be.below(5000);
    });
  });

  describe('throttle', () => {
    it('when more connects than the throttle come within 60 s, then 429 with Retry-After and no call', async () => {
      const url = await configure({ throttle: 2 });
      await h.http.get(`${url}/connect?contact=2601`).set('X-Auth-Token', acct.token).expect(202);
      await h.http.get(`${url}/connect?contact=2602`).set('X-Auth-Token', acct.token).expect(202);
      const res = await h.http.get(`${url}/connect?contact=2603`).set('X-Auth-Token', acct.token).expect(429);
      expect(res.body).to.include({ error: '429', message: 'too_many_requests' });
      expect(res.body.data.retry_after).to.be.within(1, 60);
      expect(res.headers['retry-after']).to.equal(String(res.body.data.retry_after));
      expect(originatesOf(rig.fake)).to.have.length(2);
      expect(await recordsOf(url)).to.have.length(2);
    });
  });

  describe('authorization', () => {
    it('when auth_required is false, then connect works without a token (requested_by anonymous), and only connect', async () => {
      const url = await configure({ auth_required: false });
      const res = await h.http.get(`${url}/connect?contact=2601`).expect(202);
      const record: Record<string, unknown> = (await history(res.body.data.call_id as string)) ?? {};
      expect(record['requested_by']).to.equal('anonymous');
      expect(res.body).to.not.have.property('auth_token');
      await h.http.get(url).expect(401);
    });

    it('when auth_required is false but a bad token is sent, then 401 (Kazoo)', async () => {
      const url = await configure({ auth_required: false });
      await h.http.get(`${url}/connect?contact=2601`).set('X-Auth-Token', 'f'.repeat(64)).expect(401);
    });

    it('when auth_required is true and no token is sent, then 401', async () => {
      const url = await configure();
      await h.http.get(`${url}/connect?contact=2601`).expect(401);
    });

    it('when anonymous and the configuration does not exist, then 401 too (nothing revealed)', async () => {
      await h.http
        .get(`/v2/accounts/${acct.id}/clicktocall/${'a'.repeat(32)}/connect?contact=2601`)
        .expect(401);
    });

    it("when another account's token is used, then 403", async () => {
      const url = await configure();
      const other = await h.account();
      await h.http.get(`${url}/connect?contact=2601`).set('X-Auth-Token', other.token).expect(403);
    });

    it('when the configuration is deleted, then 404 with a token', async () => {
      const url = await configure();
      await h.http.delete(url).set('X-Auth-Token', acct.token).expect(200);
      await h.http.get(`${url}/connect?contact=2601`).set('X-Auth-Token', acct.token).expect(404);
    });

    it('when a verb other than GET or POST is used, then 405 before auth', async () => {
      const url = await configure();
      await h.http.delete(`${url}/connect`).expect(405);
    });
  });

  describe('call ids', () => {
    it('when a random call id is already in history, then another is drawn (never a 500, never a reuse)', async () => {
      const draws = ['aaaaaaaaaa', 'aaaaaaaaaa', 'aaaaaaaaaa', 'bbbbbbbbbb'];
      const pinned = harness({
        esl: rig.esl,
        now: () => new Date(),
        randomHex: () => draws.shift() ?? 'cccccccccc',
      });
      const owner = await pinned.account();
      const created = await pinned.http
        .put(`/v2/accounts/${owner.id}/clicktocall`)
        .set('X-Auth-Token', owner.token)
        .send(minimal())
        .expect(201);
      const url = `/v2/accounts/${owner.id}/clicktocall/${created.body.data.id as string}/connect?contact=2601`;
      const first = await pinned.http.get(url).set('X-Auth-Token', owner.token).expect(202);
      const second = await pinned.http.get(url).set('X-Auth-Token', owner.token).expect(202);
      expect(first.body.data.call_id).to.match(/-aaaaaaaaaa$/);
      expect(second.body.data.call_id).to.match(/-bbbbbbbbbb$/);
    });
  });

  describe('the switch link', () => {
    it('when the switch is down, then 503 switch_unavailable at once, no record; back up, connects work again', async () => {
      // A command timeout of 30 s: a connect that queued its originate until the timeout could not pass for "at once".
      const slow = harness({ esl: rig.esl, now: () => new Date(), commandTimeoutMs: 30_000 });
      const owner = await slow.account();
      const created = await slow.http
        .put(`/v2/accounts/${owner.id}/clicktocall`)
        .set('X-Auth-Token', owner.token)
        .send(minimal())
        .expect(201);
      const url = `/v2/accounts/${owner.id}/clicktocall/${created.body.data.id as string}`;
      await rig.fake.stop();
      await pollUntil('the link down', () => !rig.esl.connected);
      const started = Date.now();
      const res = await slow.http
        .get(`${url}/connect?contact=2601`)
        .set('X-Auth-Token', owner.token)
        .expect(503);
      expect(Date.now() - started).to.be.below(5000);
      expect(res.body).to.include({ error: '503', message: 'switch_unavailable' });
      expect(
        await slow.store.history.list({ accountId: owner.id, clicktocallId: url.split('/').at(-1) ?? '' }),
      ).to.have.length(0);
      await rig.fake.start();
      await rig.esl.waitConnected(10_000);
      await slow.http.get(`${url}/connect?contact=2601`).set('X-Auth-Token', owner.token).expect(202);
    });

    it('when the link drops while the originate is in flight, then 503 and the record is closed as failed', async () => {
      const url = await configure();
      rig.fake.stall(true);
      const pending = h.http
        .get(`${url}/connect?contact=2601`)
        .set('X-Auth-Token', acct.token)
        .then((r) => r);
      // The originate is in flight once the stalled switch has it: drop the link then, not after a guessed delay.
      await pollUntil('the originate at the switch', () => originatesOf(rig.fake).length === 1);
      rig.fake.dropConnections();
      const res = await pending;
      expect(res.status).to.equal(503);
      expect(res.body.message).to.equal('switch_unavailable');
      const [row] = await recordsOf(url);
      expect({ status: row?.doc.status, final: row?.final }).to.deep.equal({ status: 'failed', final: true });
    });
  });

  describe('values that cannot reach the switch', () => {
    it('when a request variable holds ${ or mod_event_socket, then 400 and nothing is sent', async () => {
      const url = await configure();
      for (const value of ['${system(rm -rf /)}', 'unload mod_event_socket', 'a\r\nbgapi status']) {
        const res = await h.http
          .post(`${url}/connect`)
          .set('X-Auth-Token', acct.token)
          .send({ data: { contact: '2601', custom_application_vars: { note: value } } })
          .expect(400);
        expect(res.body.data).to.have.property('custom_application_vars.note');
      }
      expect(rig.fake.commands.filter((c) => c.startsWith('bgapi'))).to.deep.equal([]);
    });
  });
});
