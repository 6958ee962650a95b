import { expect } from 'chai';
import type { SwitchPort } from '../../src/calls/switch-port';
import { newId } from '../../src/ids';
import { harness, minimal, type Harness } from '../support/harness';

type Account = Awaited<ReturnType<Harness['account']>>;

/**
 * A call id names a call on the switch, and every account's call ids look alike: each endpoint that takes one must
 * answer only for the calls of the account in its path (and, for history, of the configuration in its path),
 * whatever token is used and however high it sits in the reseller tree. The switch counts the hang-ups it is
 * asked for: a refused one must never reach it.
 */
describe('call ids of another account, on every call-id endpoint and with every kind of token', () => {
  let h: Harness;
  let hangups: string[];
  let reseller: Account;
  let customer: Account;
  let sub: Account;
  let unrelated: Account;
  /** Each account's configuration and one open call of it; the customer has a second configuration too. */
  const config = new Map<string, string>();
  const call = new Map<string, string>();
  let customerSecondConfig: string;
  let customerSecondCall: string;

  const RECORDING_SWITCH = (): SwitchPort => ({
    connected: true,
    bgapi: (_command, { jobUuid }) => Promise.resolve({ jobUuid }),
    waitForJob: () => new Promise(() => undefined),
    api: (command) => {
      hangups.push(command);
      return Promise.resolve('+OK hangup all channels with cause ORIGINATOR_CANCEL\n');
    },
    on: () => undefined,
  });

  const openCall = async (accountId: string, configId: string): Promise<string> => {
    const callId = `c2c-${configId}-${newId().slice(0, 10)}`;
    await h.store.history.insert({
      account_id: accountId,
      clicktocall_id: configId,
      created_ms: Date.now(),
      final: false,
      doc: { id: newId(), call_id: callId, status: 'ringing' },
    });
    return callId;
  };

  beforeEach(async () => {
    hangups = [];
    h = harness({ esl: RECORDING_SWITCH() });
    reseller = await h.account({ name: 'reseller' });
    customer = await h.account({ name: 'customer', parentId: reseller.id });
    sub = await h.account({ name: 'sub', parentId: customer.id });
    unrelated = await h.account({ name: 'unrelated' });
    for (const a of [reseller, customer, sub, unrelated]) {
      const id = (await h.services.clicktocall.create(a.id, minimal().data)).doc.id;
      config.set(a.id, id);
      call.set(a.id, await openCall(a.id, id));
    }
    customerSecondConfig = (await h.services.clicktocall.create(customer.id, minimal({ name: 'Two' }).data))
      .doc.id;
    customerSecondCall = await openCall(customer.id, customerSecondConfig);
  });
  afterEach(() => h.close());

  const TOKENS: Array<{ kind: string; headers: () => Record<string, string> }> = [
    { kind: "the account's own token (X-Auth-Token)", headers: () => ({ 'X-Auth-Token': customer.token }) },
    {
      kind: "the account's own token (Bearer)",
      headers: () => ({ Authorization: `Bearer ${customer.token}` }),
    },
    { kind: "its reseller's token", headers: () => ({ 'X-Auth-Token': reseller.token }) },
  ];
  /** Calls that are not the customer's: path and configuration are the customer's, the call id another's. */
  const FOREIGN: Array<{ whose: string; callId: () => string }> = [
    { whose: 'an unrelated account', callId: () => call.get(unrelated.id)! },
    { whose: 'its reseller (the parent)', callId: () => call.get(reseller.id)! },
    {
      whose: 'its sub-account (a child: reached through its own path only)',
      callId: () => call.get(sub.id)!,
    },
  ];

  for (const token of TOKENS)
    for (const foreign of FOREIGN) {
      it(`when ${token.kind} hangs up a call of ${foreign.whose} through the customer's path, then 404 and the switch is not asked`, async () => {
        const callId = foreign.callId();
        const res = await h.http
          .post(`/v2/accounts/${customer.id}/channels/${callId}`)
          .set(token.headers())
          .send({ data: { action: 'hangup' } });
        expect(res.status, JSON.stringify(res.body)).to.equal(404);
        expect(res.body).to.include({ error: '404', message: 'bad_identifier' });
        expect(hangups).to.deep.equal([]);
        expect((await h.store.history.byCallId(callId))?.doc).to.include({ status: 'ringing' });
      });

      it(`when ${token.kind} reads a call of ${foreign.whose} through the customer's history, then 404 and nothing of it`, async () => {
        const callId = foreign.callId();
        const res = await h.http
          .get(`/v2/accounts/${customer.id}/clicktocall/${config.get(customer.id)!}/history/${callId}`)
          .set(token.headers());
        expect(res.status, JSON.stringify(res.body)).to.equal(404);
        expect(JSON.stringify(res.body)).to.not.include('ringing');
      });
    }

  for (const token of TOKENS) {
    it(`when ${token.kind} reads a call of the customer's other configuration through this one's history, then 404`, async () => {
      const res = await h.http
        .get(
          `/v2/accounts/${customer.id}/clicktocall/${config.get(customer.id)!}/history/${customerSecondCall}`,
        )
        .set(token.headers());
      expect(res.status).to.equal(404);
      const own = await h.http
        .get(`/v2/accounts/${customer.id}/clicktocall/${customerSecondConfig}/history/${customerSecondCall}`)
        .set(token.headers());
      expect(own.status).to.equal(200);
      expect(own.body.data).to.include({ call_id: customerSecondCall });
    });

    it(`when ${token.kind} hangs up the customer's own open call, then 202 and exactly that call id goes to the switch`, async () => {
      const callId = call.get(customer.id)!;
      const res = await h.http
        .post(`/v2/accounts/${customer.id}/channels/${callId}`)
        .set(token.headers())
        .send({ data: { action: 'hangup' } });
      expect(res.status, JSON.stringify(res.body)).to.equal(202);
      expect(hangups).to.deep.equal([`hupall ORIGINATOR_CANCEL c2c_call_id ${callId}`]);
    });
  }

  it("when the sub-account's own token names its parent's call in its own path, then 404 and the switch is not asked", async () => {
    const res = await h.http
      .post(`/v2/accounts/${sub.id}/channels/${call.get(customer.id)!}`)
      .set('X-Auth-Token', sub.token)
      .send({ data: { action: 'hangup' } });
    expect(res.status).to.equal(404);
    expect(hangups).to.deep.equal([]);
  });
});
