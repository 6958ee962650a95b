import { expect } from 'chai';
import { initialState } from '../../src/calls/call-state';
import { renderRecord, type RecordBase } from '../../src/calls/history-record';
import { connectFixture } from '../support/api-fixtures';
import { LOG_LINES, minimal } from '../support/harness';
import { originatesOf } from '../support/switch';

/**
 * What a Kazoo client sends that the earlier service refused or ignored: the token where crossbar reads it, the
 * query-string variables crossbar merges into a connect's call, the 202's revision, Kazoo's `auto_answer`, and a
 * history record whose Kazoo fields hold only Kazoo's values (README, Kazoo).
 */
describe('Kazoo clients: credentials, query variables, revision, auto_answer', function () {
  this.timeout(15_000);
  const f = connectFixture();
  const configure = (extra: Record<string, unknown> = {}) => f.configure(extra);

  describe('credentials where crossbar reads them', () => {
    it('when the token is in the query string (a link copied from a browser), then the request is served and the token echoed', async () => {
      const res = await f.h.http
        .get(`/v2/accounts/${f.acct.id}/clicktocall?auth_token=${f.acct.token}`)
        .expect(200);
      expect(res.body.auth_token).to.equal(f.acct.token);
      await f.h.http.get(`/v2/accounts/${f.acct.id}/clicktocall?auth_token=${'e'.repeat(64)}`).expect(401);
    });

    it('when the token is a top-level field of a JSON body, then it is used and never stored in the document', async () => {
      const res = await f.h.http
        .put(`/v2/accounts/${f.acct.id}/clicktocall`)
        .send({ ...minimal(), auth_token: f.acct.token })
        .expect(201);
      const id = res.body.data.id as string;
      const fetched = await f.h.http
        .get(`/v2/accounts/${f.acct.id}/clicktocall/${id}`)
        .query({ auth_token: f.acct.token });
      expect(fetched.status).to.equal(200);
      expect(fetched.body.data).to.not.have.property('auth_token');
      // Inside data it is not a credential (crossbar's own fields are top-level).
      await f.h.http
        .get(`/v2/accounts/${f.acct.id}/clicktocall`)
        .send({ data: { auth_token: f.acct.token } })
        .expect(401);
    });

    it('when a form posts the token with the contact, then the connect is made with that token and the token is no call variable', async () => {
      const url = await configure();
      const res = await f.h.http
        .post(`${url}/connect`)
        .type('form')
        .send(`contact=2601&auth_token=${f.acct.token}`)
        .expect(202);
      expect((await f.h.store.history.byCallId(res.body.data.call_id as string))?.doc).to.include({
        requested_by: 'token',
      });
      expect(JSON.stringify(originatesOf(f.rig.fake)[0]!.vars)).to.not.contain(f.acct.token);
    });

    it('when the header and the query carry different tokens, then the header wins; a bearer comes after the query', async () => {
      await f.h.http
        .get(`/v2/accounts/${f.acct.id}/clicktocall?auth_token=${'e'.repeat(64)}`)
        .set('X-Auth-Token', f.acct.token)
        .expect(200);
      await f.h.http
        .get(`/v2/accounts/${f.acct.id}/clicktocall?auth_token=${f.acct.token}`)
        .set('Authorization', `Bearer ${'e'.repeat(64)}`)
        .expect(200);
    });

    it('when an anonymous configuration is called with a bad or repeated query token, then 401 (a token sent must be valid)', async () => {
      const url = await configure({ auth_required: false });
      await f.h.http.get(`${url}/connect?contact=2601&auth_token=${'e'.repeat(64)}`).expect(401);
      await f.h.http.get(`${url}/connect?contact=2601&auth_token=a&auth_token=b`).expect(401);
      expect(originatesOf(f.rig.fake)).to.have.length(0);
      await f.h.http.get(`${url}/connect?contact=2601&auth_token=`).expect(202);
    });

    it('when a token comes in a URL, then no log line holds it, even for a refused request', async () => {
      const before = LOG_LINES.length;
      const url = await configure();
      await f.h.http.get(`${url}/connect?contact=2601&auth_token=${f.acct.token}`).expect(202);
      await f.h.http.get(`/v2/accounts/${f.acct.id}/nothing-here?auth_token=${f.acct.token}`).expect(404);
      await f.h.http.get(`${url}/connect?contact=x%7B&auth_token=${f.acct.token}`).expect(400);
      const lines = LOG_LINES.slice(before);
      expect(lines.length).to.be.greaterThan(2);
      expect(lines.filter((l) => l.includes(f.acct.token))).to.deep.equal([]);
    });
  });

  describe("the query string's variables", () => {
    it('when a connect has other query parameters, then each reaches the call as cav_<name>, the contact as written', async () => {
      const url = await configure();
      const res = await f.h.http
        .get(`${url}/connect?contact=%2B1%20555%20123%204567&lead=42&utm.source=mail&Account-ID=evil&empty=`)
        .set('X-Auth-Token', f.acct.token)
        .expect(202);
      expect(res.body.data.custom_application_vars).to.deep.equal({
        contact: '+1 555 123 4567',
        lead: '42',
        'utm.source': 'mail',
      });
      expect(originatesOf(f.rig.fake)[0]!.vars).to.include({
        cav_contact: '+1 555 123 4567',
        cav_lead: '42',
        'cav_utm.source': 'mail',
      });
    });

    it('when a query variable cannot reach the switch safely or is repeated, then 400 and nothing is sent', async () => {
      const url = await configure();
      const bad = await f.h.http
        .get(`${url}/connect?contact=2601&lead=%24%7Bsystem%20rm%7D`)
        .set('X-Auth-Token', f.acct.token)
        .expect(400);
      expect(bad.body.data).to.have.property('custom_application_vars.lead');
      await f.h.http
        .get(`${url}/connect?contact=2601&lead=1&lead=2`)
        .set('X-Auth-Token', f.acct.token)
        .expect(400);
      await f.h.http
        .get(`${url}/connect?contact=2601&${encodeURIComponent('bad key')}=1`)
        .set('X-Auth-Token', f.acct.token)
        .expect(400);
      expect(originatesOf(f.rig.fake)).to.have.length(0);
    });
  });

  describe('the 202', () => {
    it("when accepted, then the envelope carries the configuration's revision (and ETag), as crossbar's does", async () => {
      const url = await configure();
      const config = await f.h.http.get(url).set('X-Auth-Token', f.acct.token).expect(200);
      const res = await f.h.http
        .get(`${url}/connect?contact=2601`)
        .set('X-Auth-Token', f.acct.token)
        .expect(202);
      expect(res.body.revision).to.be.a('string').and.equal(config.body.revision);
      expect(res.headers['etag']).to.equal(`"${config.body.revision as string}"`);
      // Changed, the next connect carries the new revision.
      const patched = await f.h.http
        .patch(url)
        .set('X-Auth-Token', f.acct.token)
        .send({ data: { timeout: 20 } })
        .expect(200);
      const again = await f.h.http
        .get(`${url}/connect?contact=2601`)
        .set('X-Auth-Token', f.acct.token)
        .expect(202);
      expect(again.body.revision).to.equal(patched.body.revision).and.not.equal(config.body.revision);
    });
  });

  describe('auto_answer', () => {
    const autoAnswerOf = (i: number) => originatesOf(f.rig.fake)[i]!.vars['c2c_auto_answer'];

    it("when a token's connect does not say, then auto-answer is asked (Kazoo's default); auto_answer=false turns it off", async () => {
      const url = await configure();
      const on = await f.h.http
        .get(`${url}/connect?contact=2601`)
        .set('X-Auth-Token', f.acct.token)
        .expect(202);
      expect(autoAnswerOf(0)).to.equal('true');
      expect(on.body.data.custom_channel_vars).to.include({ auto_answer_loopback: true });
      const off = await f.h.http
        .get(`${url}/connect?contact=2601&auto_answer=false`)
        .set('X-Auth-Token', f.acct.token)
        .expect(202);
      expect(autoAnswerOf(1)).to.equal(undefined);
      expect(off.body.data.custom_channel_vars).to.include({ auto_answer_loopback: false });
      await f.h.http
        .get(`${url}/connect?contact=2601&auto_answer=TRUE`)
        .set('X-Auth-Token', f.acct.token)
        .expect(202);
      expect(autoAnswerOf(2)).to.equal('true');
      // Not a call variable.
      expect(Object.keys(originatesOf(f.rig.fake)[2]!.vars)).to.not.include('cav_auto_answer');
    });

    it('when an anonymous visitor asks for auto-answer, then it is not sent: a click must not pick up the staff phone', async () => {
      const url = await configure({ auth_required: false });
      await f.h.http.get(`${url}/connect?contact=2601&auto_answer=true`).expect(202);
      expect(autoAnswerOf(0)).to.equal(undefined);
    });
  });

  describe("history's Kazoo fields", () => {
    it('when the first party is not known yet, then the record has no result (status says where the call is)', () => {
      const base: RecordBase = {
        account_id: f.acct.id,
        clicktocall_id: 'c'.repeat(32),
        id: 'd'.repeat(32),
        call_id: `c2c-${'c'.repeat(32)}-0123456789`,
        timestamp: 63900000000,
        contact: '2601',
        extension: '2600',
        dial_first: 'extension',
        created: '2026-12-06T00:00:00.000Z',
        custom_application_vars: {},
        requested_by: 'token',
      };
      const record = renderRecord(base, initialState(base.call_id, base.created));
      expect(record).to.not.have.property('result');
      expect(record).to.include({ status: 'originating' });
    });
  });
});
