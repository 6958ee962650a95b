import { expect } from 'chai';
import { harness, minimal, type Harness } from '../support/harness';

describe('click-to-call CRUD', () => {
  let h: Harness;
  let acct: Awaited<ReturnType<Harness['account']>>;
  let base: string;

  beforeEach(async () => {
    h = harness();
    acct = await h.account();
    base = `/v2/accounts/${acct.id}/clicktocall`;
  });

  const create = async (extra: Record<string, unknown> = {}) => {
    const res = await h.http.put(base).set('X-Auth-Token', acct.token).send(minimal(extra)).expect(201);
    return res.body as { data: { id: string }; revision: string };
  };

  describe('PUT (create)', () => {
    it('when valid, then 201 with Location, the stored document with defaults, and a revision', async () => {
      const res = await h.http
        .put(base)
        .set('X-Auth-Token', acct.token)
        .send({ data: { name: 'Sales', extension: '2600', auth_required: false } })
        .expect(201);
      expect(res.body.status).to.equal('success');
      expect(res.body.data).to.deep.equal({
        auth_required: false,
        custom_application_vars: {},
        extension: '2600',
        id: res.body.data.id,
        name: 'Sales',
      });
      expect(res.body.data.id).to.match(/^[0-9a-f]{32}$/);
      expect(res.headers['location']).to.equal(`${base}/${res.body.data.id}`);
      expect(res.body.revision).to.match(/^1-[0-9a-f]{32}$/);
      expect(res.headers['etag']).to.equal(`"${res.body.revision}"`);
      expect(res.body.auth_token).to.equal(acct.token);
      expect(res.body).to.include.keys('node', 'request_id', 'timestamp', 'version');
    });

    it('when auth_required is absent, then it defaults to true', async () => {
      const { data } = await create();
      expect(data).to.include({ auth_required: true });
    });

    it('when the body has unknown keys, then they are kept and returned', async () => {
      const { data } = await create({ crm_campaign: 'autumn', nested: { a: [1, 2] } });
      expect(data).to.deep.include({ crm_campaign: 'autumn', nested: { a: [1, 2] } });
    });

    it('when the body carries id, _read_only or pvt_ keys, then they are not stored', async () => {
      const { data } = await create({ id: 'f'.repeat(32), _read_only: { deleted: true }, pvt_type: 'x' });
      expect(data.id).to.not.equal('f'.repeat(32));
      expect(data).to.not.have.any.keys('_read_only', 'pvt_type');
    });

    it('when sent as the seed does (curl -d, a form content type), then the JSON is read', async () => {
      const res = await h.http
        .put(base)
        .set('X-Auth-Token', acct.token)
        .set('Content-Type', 'application/x-www-form-urlencoded')
        .send('{"data":{"name":"Seed","auth_required":false,"extension":"2601"}}')
        .expect(201);
      expect(res.body.data).to.include({ name: 'Seed', extension: '2601', auth_required: false });
    });
  });

  describe('GET one (fetch)', () => {
    it('when it exists, then the document with revision and ETag', async () => {
      const created = await create();
      const res = await h.http.get(`${base}/${created.data.id}`).set('X-Auth-Token', acct.token).expect(200);
      expect(res.body.data).to.deep.equal(created.data);
      expect(res.body.revision).to.equal(created.revision);
      expect(res.headers['etag']).to.equal(`"${created.revision}"`);
    });

    it('when the id is unknown, then 404 bad_identifier naming the id', async () => {
      const id = 'a'.repeat(32);
      const res = await h.http.get(`${base}/${id}`).set('X-Auth-Token', acct.token).expect(404);
      expect(res.body).to.include({ status: 'error', error: '404', message: 'bad_identifier' });
      expect(res.body.data).to.deep.equal({ cause: id, message: 'bad identifier' });
    });

    it('when the id is not 32 hex, then 404', async () => {
      await h.http.get(`${base}/not-an-id`).set('X-Auth-Token', acct.token).expect(404);
      await h.http
        .get(`${base}/${'A'.repeat(32)}`)
        .set('X-Auth-Token', acct.token)
        .expect(404);
    });

    it('when the configuration belongs to another account of the same token tree, then 404 under the wrong account', async () => {
      const child = await h.account({ parentId: acct.id });
      const created = await create();
      await h.http
        .get(`/v2/accounts/${child.id}/clicktocall/${created.data.id}`)
        .set('X-Auth-Token', acct.token)
        .expect(404);
    });
  });

  describe('POST (replace)', () => {
    it('when valid, then every public field is replaced and the revision moves on', async () => {
      const created = await create({ caller_id_number: '+15550001111', timeout: 20 });
      const res = await h.http
        .post(`${base}/${created.data.id}`)
        .set('X-Auth-Token', acct.token)
        .send({ data: { name: 'New', extension: '2700' } })
        .expect(200);
      expect(res.body.data).to.deep.equal({
        id: created.data.id,
        name: 'New',
        extension: '2700',
        auth_required: true,
        custom_application_vars: {},
      });
      expect(res.body.revision).to.match(/^2-/);
      const fetched = await h.http
        .get(`${base}/${created.data.id}`)
        .set('X-Auth-Token', acct.token)
        .expect(200);
      expect(fetched.body.data).to.deep.equal(res.body.data);
    });

    it('when the id is unknown and the body invalid, then 404 (existence before validation)', async () => {
      await h.http
        .post(`${base}/${'b'.repeat(32)}`)
        .set('X-Auth-Token', acct.token)
        .send({ data: { name: 42 } })
        .expect(404);
    });

    it('when invalid, then 400 and the stored document is unchanged', async () => {
      const created = await create();
      await h.http
        .post(`${base}/${created.data.id}`)
        .set('X-Auth-Token', acct.token)
        .send({ data: { name: '' } })
        .expect(400);
      const res = await h.http.get(`${base}/${created.data.id}`).set('X-Auth-Token', acct.token).expect(200);
      expect(res.body.revision).to.equal(created.revision);
    });
  });

  describe('If-Match', () => {
    it('when the revision is current, then the change is made', async () => {
      const created = await create();
      await h.http
        .patch(`${base}/${created.data.id}`)
        .set('X-Auth-Token', acct.token)
        .set('If-Match', `"${created.revision}"`)
        .send({ data: { timeout: 10 } })
        .expect(200);
    });

    it('when the revision is stale, then 412 precondition_failed and nothing changes', async () => {
      const created = await create();
      await h.http
        .patch(`${base}/${created.data.id}`)
        .set('X-Auth-Token', acct.token)
        .send({ data: { timeout: 10 } })
        .expect(200);
      for (const verb of ['patch', 'post', 'delete'] as const) {
        const res = await h.http[verb](`${base}/${created.data.id}`)
          .set('X-Auth-Token', acct.token)
          .set('If-Match', `"${created.revision}"`)
          .send(minimal({ timeout: 99 }))
          .expect(412);
        expect(res.body).to.include({ error: '412', message: 'precondition_failed' });
        expect(res.body.data.message).to.be.a('string');
      }
      const res = await h.http.get(`${base}/${created.data.id}`).set('X-Auth-Token', acct.token).expect(200);
      expect(res.body.data.timeout).to.equal(10);
    });

    it('when If-Match is *, then any revision matches', async () => {
      const created = await create();
      await h.http
        .delete(`${base}/${created.data.id}`)
        .set('X-Auth-Token', acct.token)
        .set('If-Match', '*')
        .expect(200);
    });
  });

  describe('DELETE (soft)', () => {
    it('when deleted, then 200 with the document marked deleted, and later access gets 404', async () => {
      const created = await create();
      const res = await h.http
        .delete(`${base}/${created.data.id}`)
        .set('X-Auth-Token', acct.token)
        .expect(200);
      expect(res.body.data).to.deep.include({
        id: created.data.id,
        name: 'Sales',
        _read_only: { deleted: true },
      });
      for (const verb of ['get', 'post', 'patch', 'delete'] as const)
        await h.http[verb](`${base}/${created.data.id}`)
          .set('X-Auth-Token', acct.token)
          .send(minimal())
          .expect(404);
      const list = await h.http.get(base).set('X-Auth-Token', acct.token).expect(200);
      expect(list.body.data).to.deep.equal([]);
    });

    it('when deleted, then the row stays in the database (history keeps its configuration)', async () => {
      const created = await create();
      await h.http.delete(`${base}/${created.data.id}`).set('X-Auth-Token', acct.token).expect(200);
      const row = await h.store.clicktocalls.get(created.data.id, acct.id);
      expect(row?.deleted_at).to.be.a('string');
    });
  });
});
