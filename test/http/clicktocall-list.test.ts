import { expect } from 'chai';
import { harness, minimal, type Harness } from '../support/harness';

describe('click-to-call list', () => {
  let h: Harness;
  let acct: Awaited<ReturnType<Harness['account']>>;
  let base: string;
  const ids: string[] = [];

  beforeEach(async () => {
    h = harness();
    acct = await h.account();
    base = `/v2/accounts/${acct.id}/clicktocall`;
    ids.length = 0;
    for (let i = 0; i < 7; i++) {
      const res = await h.http
        .put(base)
        .set('X-Auth-Token', acct.token)
        .send(
          minimal({
            name: `C2C ${i}`,
            extension: `26${i}0`,
            auth_required: i % 2 === 0,
            dial_first: i < 3 ? 'contact' : 'extension',
          }),
        )
        .expect(201);
      ids.push(res.body.data.id as string);
    }
  });

  const list = (query: Record<string, string> = {}) =>
    h.http.get(base).query(query).set('X-Auth-Token', acct.token).expect(200);

  it('when listed, then id, name and extension of each, newest first, with page_size', async () => {
    const res = await list();
    expect(res.body.data).to.have.length(7);
    expect(res.body.data[0]).to.deep.equal({ id: ids[6], name: 'C2C 6', extension: '2660' });
    expect(res.body.data.map((d: { id: string }) => d.id)).to.deep.equal([...ids].reverse());
    expect(res.body.page_size).to.equal(7);
    expect(res.body).to.not.have.property('next_start_key');
  });

  it('when paged by 3, then three pages cover everything once, linked by next_start_key', async () => {
    const seen: string[] = [];
    let startKey: string | undefined;
    let pages = 0;
    do {
      const res = await list({ page_size: '3', ...(startKey && { start_key: startKey }) });
      pages += 1;
      seen.push(...res.body.data.map((d: { id: string }) => d.id));
      expect(res.body.page_size).to.equal(res.body.data.length);
      if (startKey) expect(res.body.start_key).to.equal(startKey);
      startKey = res.body.next_start_key as string | undefined;
    } while (startKey && pages < 10);
    expect(pages).to.equal(3);
    expect(seen).to.deep.equal([...ids].reverse());
  });

  it('when a page is exactly full at the end, then no next_start_key', async () => {
    const first = await list({ page_size: '7' });
    expect(first.body.data).to.have.length(7);
    expect(first.body).to.not.have.property('next_start_key');
  });

  it('when paginate=false, then all, whatever page_size says', async () => {
    const res = await list({ paginate: 'false', page_size: '2' });
    expect(res.body.data).to.have.length(7);
  });

  it('when more than the default page size exist, then 50 and a next key', async () => {
    for (let i = 0; i < 50; i++)
      await h.services.clicktocall.create(acct.id, { name: `bulk ${i}`, extension: '1' });
    const res = await list();
    expect(res.body.data).to.have.length(50);
    expect(res.body.next_start_key).to.be.a('string');
  });

  it('when filtered on a top-level field, then only matching ones (strings and booleans)', async () => {
    const byName = await list({ filter_name: 'C2C 4' });
    expect(byName.body.data.map((d: { id: string }) => d.id)).to.deep.equal([ids[4]]);
    const byBool = await list({ filter_auth_required: 'false' });
    expect(byBool.body.data.map((d: { id: string }) => d.id)).to.deep.equal([ids[5], ids[3], ids[1]]);
    const both = await list({ filter_auth_required: 'true', filter_dial_first: 'contact' });
    expect(both.body.data.map((d: { id: string }) => d.id)).to.deep.equal([ids[2], ids[0]]);
  });

  it('when a filter names a key no configuration has, even an odd one, then nothing matches and no error', async () => {
    for (const key of ['filter_na"me', 'filter_nobody.has.this'])
      expect((await list({ [key]: 'x' })).body.data, key).to.deep.equal([]);
  });

  it('when a deleted one exists, then it is not listed', async () => {
    await h.http.delete(`${base}/${ids[3]}`).set('X-Auth-Token', acct.token).expect(200);
    const res = await list();
    expect(res.body.data.map((d: { id: string }) => d.id)).to.not.include(ids[3]);
    expect(res.body.data).to.have.length(6);
  });

  it('when another account has configurations, then they are never listed', async () => {
    const other = await h.account();
    await h.http
      .put(`/v2/accounts/${other.id}/clicktocall`)
      .set('X-Auth-Token', other.token)
      .send(minimal())
      .expect(201);
    const res = await list();
    expect(res.body.data).to.have.length(7);
  });

  for (const [query, field] of [
    [{ page_size: '0' }, 'page_size'],
    [{ page_size: '1001' }, 'page_size'],
    [{ page_size: 'ten' }, 'page_size'],
    [{ start_key: 'garbage' }, 'start_key'],
    [{ [`filter_${'k'.repeat(257)}`]: 'x' }, `filter_${'k'.repeat(57)}…`],
    [{ filter_name: 'v'.repeat(1025) }, 'filter_name'],
  ] as const) {
    it(`when ${JSON.stringify(query)}, then 400 naming ${field}`, async () => {
      const res = await h.http.get(base).query(query).set('X-Auth-Token', acct.token).expect(400);
      expect(res.body.data).to.have.property(field);
    });
  }
});
