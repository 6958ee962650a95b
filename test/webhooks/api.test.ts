/**
 * The webhook API through HTTP: status_callback validated like every field (Kazoo's error shape), a connect's own
 * callback refused to anonymous callers, the signing secret (read, rotate, both signing during the window), and
 * the deliveries (filters, one event with its payload, another account's events unseen).
 */
import { expect } from 'chai';
import { Webhook } from 'standardwebhooks';
import { harness, minimal, type Harness } from '../support/harness';
import { signatureHeaders } from '../../src/webhooks/signing';

describe('status webhooks: the API', () => {
  let h: Harness;
  let acct: Awaited<ReturnType<Harness['account']>>;
  beforeEach(async () => {
    h = harness({ now: () => new Date() });
    acct = await h.account();
  });
  afterEach(() => h.close());

  const create = (data: Record<string, unknown>) =>
    h.http.put(`/v2/accounts/${acct.id}/clicktocall`).set('X-Auth-Token', acct.token).send(minimal(data));

  it('when a configuration has a status_callback, then it is stored with its defaults (POST, the final events)', async () => {
    const res = await create({ status_callback: { url: 'https://crm.example.com/hooks' } }).expect(201);
    expect(res.body.data.status_callback).to.deep.equal({
      url: 'https://crm.example.com/hooks',
      method: 'POST',
      events: ['completed', 'busy', 'no_answer', 'failed', 'canceled'],
    });
  });

  for (const [what, callback, path, rule] of [
    ['an ftp URL', { url: 'ftp://crm.example.com/x' }, 'status_callback.url', 'invalid'],
    ['credentials in the URL', { url: 'https://u:p@crm.example.com/x' }, 'status_callback.url', 'invalid'],
    ['a relative URL', { url: '/hooks' }, 'status_callback.url', 'invalid'],
    ['no URL', { events: ['completed'] }, 'status_callback.url', 'required'],
    [
      'an unknown status',
      { url: 'https://a.example/x', events: ['hung'] },
      'status_callback.events.0',
      'enum',
    ],
    ['no events', { url: 'https://a.example/x', events: [] }, 'status_callback.events', 'minItems'],
    ['a GET method', { url: 'https://a.example/x', method: 'GET' }, 'status_callback.method', 'enum'],
    [
      'an unknown key',
      { url: 'https://a.example/x', secret: 'x' },
      'status_callback',
      'additionalProperties',
    ],
    ['a string', 'https://a.example/x', 'status_callback', 'type'],
  ] as const) {
    it(`when a status_callback has ${what}, then 400 names ${path}.${rule}`, async () => {
      const res = await create({ status_callback: callback }).expect(400);
      expect(res.body).to.include({ status: 'error', error: '400', message: 'validation error' });
      expect(res.body.data[path], JSON.stringify(res.body.data)).to.have.property(rule);
    });
  }

  it('when an anonymous connect gives its own status_callback, then 400: only a token may choose where records go', async () => {
    const id = (await create({ auth_required: false }).expect(201)).body.data.id as string;
    const res = await h.http
      .post(`/v2/accounts/${acct.id}/clicktocall/${id}/connect`)
      .send({ data: { contact: '+15551234567', status_callback: { url: 'https://evil.example/x' } } })
      .expect(400);
    expect(res.body.data['status_callback']).to.have.property('forbidden');
  });

  it('when a token connect gives an invalid status_callback, then 400 before anything is placed', async () => {
    const id = (await create({}).expect(201)).body.data.id as string;
    const res = await h.http
      .get(`/v2/accounts/${acct.id}/clicktocall/${id}/connect?contact=2601&status_callback=gopher://x`)
      .set('X-Auth-Token', acct.token)
      .expect(400);
    expect(res.body.data['status_callback.url']).to.have.property('invalid');
  });

  describe('the signing secret', () => {
    const secretUrl = () => `/v2/accounts/${acct.id}/webhook_secret`;

    it('when read twice, then it is created once (whsec_, 32 bytes), the same both times, and not cached', async () => {
      const first = await h.http.get(secretUrl()).set('X-Auth-Token', acct.token).expect(200);
      const again = await h.http.get(secretUrl()).set('X-Auth-Token', acct.token).expect(200);
      expect(first.body.data.secret).to.match(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect(Buffer.from((first.body.data.secret as string).slice(6), 'base64')).to.have.length(32);
      expect(again.body.data.secret).to.equal(first.body.data.secret);
      expect(first.headers['cache-control']).to.equal('no-store');
    });

    it('when rotated, then both secrets sign until the window ends, and a receiver with either verifies', async () => {
      const old = (await h.http.get(secretUrl()).set('X-Auth-Token', acct.token)).body.data.secret as string;
      const res = await h.http
        .post(`${secretUrl()}/rotate`)
        .set('X-Auth-Token', acct.token)
        .send({ data: { window_s: 3600 } })
        .expect(200);
      const fresh = res.body.data.secret as string;
      expect(fresh).to.not.equal(old);
      expect(res.body.data.previous_secret_expires).to.be.a('string');
      const secrets = (await h.store.webhookSecrets.get(acct.id))!;
      const now = new Date();
      const body = '{"type":"call.completed"}';
      const during = signatureHeaders(secrets, 'evt_1', body, now);
      expect(during['webhook-signature']!.split(' ')).to.have.length(2);
      for (const key of [old, fresh])
        expect(new Webhook(key).verify(body, during)).to.deep.equal(JSON.parse(body));
      const after = signatureHeaders(secrets, 'evt_1', body, new Date(now.getTime() + 3601_000));
      expect(after['webhook-signature']!.split(' ')).to.have.length(1);
    });

    it('when the rotation window is not a whole number of seconds up to 7 days, then 400', async () => {
      for (const window_s of [-1, 1.5, 'x', 604801])
        await h.http
          .post(`${secretUrl()}/rotate`)
          .set('X-Auth-Token', acct.token)
          .send({ data: { window_s } })
          .expect(400);
    });

    it("when another account's token asks, then 403", async () => {
      const other = await h.account();
      await h.http.get(secretUrl()).set('X-Auth-Token', other.token).expect(403);
    });
  });

  describe('the deliveries', () => {
    const event = (n: number, over: Record<string, unknown> = {}) => ({
      event_id: `evt_${String(n).padStart(32, '0')}`,
      account_id: acct.id,
      clicktocall_id: 'c'.repeat(32),
      call_id: `c2c-${'c'.repeat(32)}-000000000${n}`,
      type: 'call.completed',
      occurred_ms: Date.parse('2026-12-05T10:00:00Z') + n,
      url: 'https://crm.example.com/hooks',
      method: 'POST' as const,
      record: { id: 'r', call_id: `c2c-${'c'.repeat(32)}-000000000${n}`, status: 'completed' },
      ...over,
    });
    const list = (query = '') =>
      h.http.get(`/v2/accounts/${acct.id}/webhook_deliveries${query}`).set('X-Auth-Token', acct.token);

    beforeEach(async () => {
      const configId = (await create({}).expect(201)).body.data.id as string;
      // Events written as the history writes them: into the outbox, in the record's transaction.
      await h.store.unitOfWork(async (tx) => {
        for (const n of [1, 2, 3]) {
          const e = event(n, { clicktocall_id: configId });
          await tx.history.insert(
            {
              account_id: acct.id,
              clicktocall_id: configId,
              created_ms: e.occurred_ms,
              final: true,
              doc: { id: `${'d'.repeat(31)}${n}`, call_id: e.call_id, status: 'completed' },
            },
            [e],
          );
        }
      });
      await h.store.outbox.attempted(event(2).event_id, {
        atMs: Date.now(),
        state: 'delivered',
        status: 204,
      });
    });

    it('when listed, then newest first, filtered by state and by call, and paged', async () => {
      const all = (await list().expect(200)).body.data as Array<Record<string, unknown>>;
      expect(all.map((d) => d['call_id'])).to.deep.equal([
        event(3).call_id,
        event(2).call_id,
        event(1).call_id,
      ]);
      expect(all[1]).to.include({ state: 'delivered', attempts: 1, last_status: 204, sequence: 1 });
      const pending = (await list('?state=pending').expect(200)).body.data as Array<Record<string, unknown>>;
      expect(pending.map((d) => d['call_id'])).to.deep.equal([event(3).call_id, event(1).call_id]);
      const one = (await list(`?call_id=${event(1).call_id}`).expect(200)).body.data as unknown[];
      expect(one).to.have.length(1);
      const page = await list('?page_size=2').expect(200);
      expect(page.body.data).to.have.length(2);
      const next = await list(`?page_size=2&start_key=${page.body.next_start_key as string}`).expect(200);
      expect(next.body.data.map((d: Record<string, unknown>) => d['call_id'])).to.deep.equal([
        event(1).call_id,
      ]);
      const unpaged = await list('?page_size=2&paginate=false').expect(200);
      expect(unpaged.body.data).to.have.length(3);
      expect(unpaged.body).to.not.have.any.keys('page_size', 'next_start_key');
      await list('?state=lost').expect(400);
    });

    it('when one event is read, then it carries the payload its receiver gets', async () => {
      const res = await h.http
        .get(`/v2/accounts/${acct.id}/webhook_deliveries/${event(1).event_id}`)
        .set('X-Auth-Token', acct.token)
        .expect(200);
      expect(res.body.data.payload).to.deep.equal({
        type: 'call.completed',
        timestamp: '2026-12-05T10:00:00.001Z',
        data: {
          event_id: event(1).event_id,
          call_id: event(1).call_id,
          account_id: acct.id,
          clicktocall_id: res.body.data.clicktocall_id,
          sequence: 1,
          status: 'completed',
          record: event(1).record,
        },
      });
    });

    it('when another account asks for an event or to redeliver it, then it is not found there', async () => {
      const other = await h.account();
      for (const req of [
        h.http.get(`/v2/accounts/${other.id}/webhook_deliveries/${event(1).event_id}`),
        h.http.post(`/v2/accounts/${other.id}/webhook_deliveries/${event(1).event_id}/redeliver`),
        h.http.get(`/v2/accounts/${other.id}/webhook_deliveries/evt_nope`),
      ])
        await req.set('X-Auth-Token', other.token).expect(404);
      expect(
        (await h.http.get(`/v2/accounts/${other.id}/webhook_deliveries`).set('X-Auth-Token', other.token))
          .body.data,
      ).to.deep.equal([]);
    });
  });
});
