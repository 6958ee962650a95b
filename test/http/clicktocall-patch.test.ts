import { expect } from 'chai';
import { harness, minimal, type Harness } from '../support/harness';

describe('click-to-call PATCH (deep merge)', () => {
  let h: Harness;
  let acct: Awaited<ReturnType<Harness['account']>>;
  let url: string;

  beforeEach(async () => {
    h = harness();
    acct = await h.account();
    const res = await h.http
      .put(`/v2/accounts/${acct.id}/clicktocall`)
      .set('X-Auth-Token', acct.token)
      .send(
        minimal({
          media: { ignore_early_media: true, extra: 'kept' },
          custom_sip_headers: { 'X-One': '1', out: { 'X-Two': '2' } },
          custom_application_vars: { crm: 'a', lead: 'b' },
          whitelist: ['^\\+1', '^2'],
          timeout: 20,
        }),
      )
      .expect(201);
    url = `/v2/accounts/${acct.id}/clicktocall/${res.body.data.id}`;
  });

  const patch = (data: unknown) => h.http.patch(url).set('X-Auth-Token', acct.token).send({ data });

  it('when a nested object is patched, then its other keys stay', async () => {
    const res = await patch({ media: { ignore_early_media: false } }).expect(200);
    expect(res.body.data.media).to.deep.equal({ ignore_early_media: false, extra: 'kept' });
    expect(res.body.data.name).to.equal('Sales');
  });

  it('when an array is patched, then it is replaced, not merged', async () => {
    const res = await patch({ whitelist: ['^3'] }).expect(200);
    expect(res.body.data.whitelist).to.deep.equal(['^3']);
  });

  it('when a key is null, then it is deleted (at any depth)', async () => {
    const res = await patch({
      timeout: null,
      custom_sip_headers: { 'X-One': null },
      custom_application_vars: { lead: null },
    }).expect(200);
    expect(res.body.data).to.not.have.property('timeout');
    expect(res.body.data.custom_sip_headers).to.deep.equal({ out: { 'X-Two': '2' } });
    expect(res.body.data.custom_application_vars).to.deep.equal({ crm: 'a' });
  });

  it('when a required field is nulled, then the merged result is validated: 400, nothing stored', async () => {
    const res = await patch({ name: null }).expect(400);
    expect(res.body.data).to.have.nested.property('name.required.message');
    const fetched = await h.http.get(url).set('X-Auth-Token', acct.token).expect(200);
    expect(fetched.body.data.name).to.equal('Sales');
  });

  it('when the patch makes an invalid value, then 400 naming the path', async () => {
    const res = await patch({ whitelist: ['ok', '(unclosed'] }).expect(400);
    expect(res.body.data['whitelist.1']).to.have.property('regex');
  });

  it('when the patch adds a new nested object, then it is stored (nulls inside dropped)', async () => {
    const res = await patch({ music_on_hold: { media_id: '/var/lib/moh.wav', gone: null } }).expect(200);
    expect(res.body.data.music_on_hold).to.deep.equal({ media_id: '/var/lib/moh.wav' });
  });

  it('when values are sent as strings, then they are coerced as on create', async () => {
    const res = await patch({ timeout: '45', auth_required: 'false' }).expect(200);
    expect(res.body.data).to.include({ timeout: 45, auth_required: false });
  });

  it('when the patch is empty, then the document is unchanged but the revision moves on', async () => {
    const before = await h.http.get(url).set('X-Auth-Token', acct.token).expect(200);
    const res = await patch({}).expect(200);
    expect(res.body.data).to.deep.equal(before.body.data);
    expect(res.body.revision).to.not.equal(before.body.revision);
  });

  it('when data is not an object, then 400', async () => {
    await patch(['name']).expect(400);
    await patch('name').expect(400);
  });
});
