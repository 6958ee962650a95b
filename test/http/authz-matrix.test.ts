import { expect } from 'chai';
import type { SwitchPort } from '../../src/calls/switch-port';
import { newId } from '../../src/ids';
import { harness, minimal, type Harness } from '../support/harness';

type Endpoint = {
  verb: 'get' | 'put' | 'post' | 'patch' | 'delete';
  path: (account: string, id: string, callId: string) => string;
  ok: number;
  body?: unknown;
};

const ENDPOINTS: Endpoint[] = [
  { verb: 'get', path: (a) => `/v2/accounts/${a}/clicktocall`, ok: 200 },
  { verb: 'put', path: (a) => `/v2/accounts/${a}/clicktocall`, ok: 201 },
  { verb: 'get', path: (a, id) => `/v2/accounts/${a}/clicktocall/${id}`, ok: 200 },
  { verb: 'post', path: (a, id) => `/v2/accounts/${a}/clicktocall/${id}`, ok: 200 },
  { verb: 'patch', path: (a, id) => `/v2/accounts/${a}/clicktocall/${id}`, ok: 200 },
  { verb: 'delete', path: (a, id) => `/v2/accounts/${a}/clicktocall/${id}`, ok: 200 },
  { verb: 'get', path: (a, id) => `/v2/accounts/${a}/clicktocall/${id}/history`, ok: 200 },
  { verb: 'get', path: (a, id, call) => `/v2/accounts/${a}/clicktocall/${id}/history/${call}`, ok: 200 },
  { verb: 'get', path: (a, id) => `/v2/accounts/${a}/clicktocall/${id}/connect?contact=2601`, ok: 202 },
  {
    verb: 'post',
    path: (a, id) => `/v2/accounts/${a}/clicktocall/${id}/connect`,
    ok: 202,
    body: { data: { contact: '2601' } },
  },
  {
    verb: 'post',
    path: (a, _id, call) => `/v2/accounts/${a}/channels/${call}`,
    ok: 202,
    body: { data: { action: 'hangup' } },
  },
];

/** A switch that accepts every command: the matrix is about who may, not about calls. */
const ACCEPTING_SWITCH: SwitchPort = {
  connected: true,
  bgapi: (_command, { jobUuid }) => Promise.resolve({ jobUuid }),
  waitForJob: () => new Promise(() => undefined),
  api: () => Promise.resolve('+OK hangup all channels with cause ORIGINATOR_CANCEL\n'),
  on: () => undefined,
};

/**
 * The reseller tree: reseller → customer → sub, and an unrelated account. Each case names whose token
 * is used against which account, and the answer expected.
 */
describe('authorization matrix', () => {
  let h: Harness;
  let reseller: Awaited<ReturnType<Harness['account']>>;
  let customer: Awaited<ReturnType<Harness['account']>>;
  let sub: Awaited<ReturnType<Harness['account']>>;
  let unrelated: Awaited<ReturnType<Harness['account']>>;
  const configIds = new Map<string, string>();
  const callIds = new Map<string, string>();

  beforeEach(async () => {
    h = harness({ tokenTtlS: 3600, esl: ACCEPTING_SWITCH });
    reseller = await h.account({ name: 'reseller' });
    customer = await h.account({ name: 'customer', parentId: reseller.id });
    sub = await h.account({ name: 'sub', parentId: customer.id });
    unrelated = await h.account({ name: 'unrelated' });
    const history = h.store.history;
    for (const a of [reseller, customer, sub, unrelated]) {
      const id = (await h.services.clicktocall.create(a.id, minimal().data)).doc.id;
      configIds.set(a.id, id);
      const callId = `c2c-${id}-0123456789`;
      callIds.set(a.id, callId);
      await history.insert({
        account_id: a.id,
        clicktocall_id: id,
        created_ms: Date.now(),
        final: false,
        doc: { id: newId(), call_id: callId, status: 'ringing' },
      });
    }
  });

  type Case = {
    title: string;
    /** The request's headers (after whatever the case does first, e.g. revoking the key). */
    headers: () => Record<string, string> | Promise<Record<string, string>>;
    target: () => string;
    expect: number | 'ok';
  };
  const CASES: Case[] = [
    { title: 'no token', headers: () => ({}), target: () => customer.id, expect: 401 },
    {
      title: 'an unknown token',
      headers: () => ({ 'X-Auth-Token': 'f'.repeat(64) }),
      target: () => customer.id,
      expect: 401,
    },
    {
      title: 'a malformed Authorization header',
      headers: () => ({ Authorization: `Basic ${customer.token}` }),
      target: () => customer.id,
      expect: 401,
    },
    {
      title: 'an empty token',
      headers: () => ({ 'X-Auth-Token': '' }),
      target: () => customer.id,
      expect: 401,
    },
    {
      title: 'an over-long token',
      headers: () => ({ 'X-Auth-Token': 'a'.repeat(5000) }),
      target: () => customer.id,
      expect: 401,
    },
    {
      title: 'an expired token',
      headers: () => {
        h.clock.now = new Date(h.clock.now.getTime() + 3601_000);
        return { 'X-Auth-Token': customer.token };
      },
      target: () => customer.id,
      expect: 401,
    },
    {
      title: 'a token of a revoked key',
      headers: async () => {
        await h.services.accounts.revokeApiKey(customer.apiKey);
        return { 'X-Auth-Token': customer.token };
      },
      target: () => customer.id,
      expect: 401,
    },
    {
      title: 'own account (X-Auth-Token)',
      headers: () => ({ 'X-Auth-Token': customer.token }),
      target: () => customer.id,
      expect: 'ok',
    },
    {
      title: 'own account (Bearer)',
      headers: () => ({ Authorization: `Bearer ${customer.token}` }),
      target: () => customer.id,
      expect: 'ok',
    },
    {
      title: 'a child account',
      headers: () => ({ 'X-Auth-Token': customer.token }),
      target: () => sub.id,
      expect: 'ok',
    },
    {
      title: 'a grandchild account',
      headers: () => ({ 'X-Auth-Token': reseller.token }),
      target: () => sub.id,
      expect: 'ok',
    },
    {
      title: 'the parent account',
      headers: () => ({ 'X-Auth-Token': customer.token }),
      target: () => reseller.id,
      expect: 403,
    },
    {
      title: 'a sibling-less unrelated account',
      headers: () => ({ 'X-Auth-Token': customer.token }),
      target: () => unrelated.id,
      expect: 403,
    },
    {
      title: 'an unrelated account into the tree',
      headers: () => ({ 'X-Auth-Token': unrelated.token }),
      target: () => sub.id,
      expect: 403,
    },
    {
      title: 'an account that does not exist',
      headers: () => ({ 'X-Auth-Token': customer.token }),
      target: () => 'c'.repeat(32),
      expect: 404,
    },
  ];

  for (const endpoint of ENDPOINTS) {
    for (const c of CASES) {
      const expected = c.expect === 'ok' ? endpoint.ok : c.expect;
      it(`${endpoint.verb.toUpperCase()} ${endpoint.path('{A}', '{ID}', '{CALL}')} with ${c.title} → ${expected}`, async () => {
        const headers = await c.headers();
        const target = c.target();
        const id = configIds.get(target) ?? 'd'.repeat(32);
        const callId = callIds.get(target) ?? `c2c-${id}-0123456789`;
        const res = await h.http[endpoint.verb](endpoint.path(target, id, callId))
          .set(headers)
          .send(endpoint.body ?? minimal());
        expect(res.status, JSON.stringify(res.body)).to.equal(expected);
        if (expected === 401) {
          expect(res.body).to.include({ status: 'error', error: '401', message: 'invalid_credentials' });
          expect(res.body.data).to.deep.equal({ message: 'invalid credentials' });
        }
        if (expected === 403) {
          expect(res.body).to.include({ error: '403', message: 'forbidden' });
          // Nothing of the other account leaks into a refusal.
          expect(JSON.stringify(res.body)).to.not.include(configIds.get(target));
        }
        if (!headers['X-Auth-Token'] && !headers['Authorization'])
          expect(res.body).to.not.have.property('auth_token');
      });
    }
  }

  it("when one account lists, then it never sees another's configurations, not even its child's", async () => {
    const res = await h.http
      .get(`/v2/accounts/${customer.id}/clicktocall`)
      .set('X-Auth-Token', reseller.token)
      .expect(200);
    expect(res.body.data.map((d: { id: string }) => d.id)).to.deep.equal([configIds.get(customer.id)]);
  });
});
