import { expect } from 'chai';
import { GREGORIAN_UNIX_OFFSET_S } from '../../src/calls/time';
import { newId } from '../../src/ids';
import { harness, minimal, type Harness } from '../support/harness';

describe('GET …/clicktocall/{ID}/history', () => {
  let h: Harness;
  let acct: Awaited<ReturnType<Harness['account']>>;
  let configId: string;
  let url: string;
  const base = Date.parse('2026-11-01T00:00:00Z');
  const callIds: string[] = [];

  /** Seven calls, one an hour from `base`, oldest first. */
  beforeEach(async () => {
    h = harness();
    acct = await h.account();
    configId = (await h.services.clicktocall.create(acct.id, minimal().data)).doc.id;
    url = `/v2/accounts/${acct.id}/clicktocall/${configId}/history`;
    const repo = h.store.history;
    callIds.length = 0;
    for (let i = 0; i < 7; i++) {
      const callId = `c2c-${configId}-${i.toString(16).padStart(10, '0')}`;
      const created = base + i * 3600_000;
      await repo.insert({
        account_id: acct.id,
        clicktocall_id: configId,
        created_ms: created,
        final: true,
        doc: {
          id: newId(),
          call_id: callId,
          status: 'completed',
          timestamp: Math.floor(created / 1000) + GREGORIAN_UNIX_OFFSET_S,
        },
      });
      callIds.push(callId);
    }
  });

  const get = (query: Record<string, string> = {}) =>
    h.http.get(url).query(query).set('X-Auth-Token', acct.token);
  const ids = (body: { data: Array<{ call_id: string }> }) => body.data.map((d) => d.call_id);
  const gregorian = (ms: number) => String(Math.floor(ms / 1000) + GREGORIAN_UNIX_OFFSET_S);

  it('when read, then every call of the configuration, newest first', async () => {
    const res = await get().expect(200);
    expect(ids(res.body)).to.deep.equal([...callIds].reverse());
    expect(res.body.page_size).to.equal(7);
  });

  it('when paged by 3, then three pages linked by next_start_key', async () => {
    const seen: string[] = [];
    let key: string | undefined;
    let pages = 0;
    do {
      const res = await get({ page_size: '3', ...(key && { start_key: key }) }).expect(200);
      seen.push(...ids(res.body));
      key = res.body.next_start_key as string | undefined;
      pages += 1;
    } while (key && pages < 10);
    expect(pages).to.equal(3);
    expect(seen).to.deep.equal([...callIds].reverse());
  });

  it('when created_from and created_to (Gregorian seconds, inclusive) are given, then only that window', async () => {
    const res = await get({
      created_from: gregorian(base + 2 * 3600_000),
      created_to: gregorian(base + 4 * 3600_000),
    }).expect(200);
    expect(ids(res.body)).to.deep.equal([callIds[4], callIds[3], callIds[2]]);
    const from = await get({ created_from: gregorian(base + 5 * 3600_000) }).expect(200);
    expect(ids(from.body)).to.deep.equal([callIds[6], callIds[5]]);
    const to = await get({ created_to: gregorian(base) }).expect(200);
    expect(ids(to.body)).to.deep.equal([callIds[0]]);
  });

  it('when a window is paged, then its pages stay inside it and cover it once', async () => {
    const window = {
      created_from: gregorian(base + 1 * 3600_000),
      created_to: gregorian(base + 5 * 3600_000),
    };
    const first = await get({ ...window, page_size: '3' }).expect(200);
    expect(ids(first.body)).to.deep.equal([callIds[5], callIds[4], callIds[3]]);
    const second = await get({
      ...window,
      page_size: '3',
      start_key: first.body.next_start_key as string,
    }).expect(200);
    expect(ids(second.body)).to.deep.equal([callIds[2], callIds[1]]);
    expect(second.body).to.not.have.property('next_start_key');
  });

  it('when the window is inverted, then 400 on created_from, as crossbar says it', async () => {
    const [from, to] = [gregorian(base + 3600_000), gregorian(base)];
    const res = await get({ created_from: from, created_to: to }).expect(400);
    expect(res.body.data).to.deep.equal({
      created_from: {
        date_range: { message: `created_to ${to} is prior to created_from ${from}`, cause: Number(from) },
      },
    });
  });

  it('when created_from is not a number, then 400', async () => {
    await get({ created_from: 'yesterday' }).expect(400);
  });

  it('when the configuration was deleted, then its history is still there', async () => {
    await h.http
      .delete(`/v2/accounts/${acct.id}/clicktocall/${configId}`)
      .set('X-Auth-Token', acct.token)
      .expect(200);
    const res = await get().expect(200);
    expect(res.body.data).to.have.length(7);
    await h.http.get(`${url}/${callIds[0]}`).set('X-Auth-Token', acct.token).expect(200);
  });

  it('when the configuration never existed, then 404', async () => {
    await h.http
      .get(`/v2/accounts/${acct.id}/clicktocall/${'f'.repeat(32)}/history`)
      .set('X-Auth-Token', acct.token)
      .expect(404);
  });

  it('when another account asks, then 403, and its own token on a foreign configuration id 404', async () => {
    const other = await h.account();
    await h.http.get(url).set('X-Auth-Token', other.token).expect(403);
    await h.http
      .get(`/v2/accounts/${other.id}/clicktocall/${configId}/history`)
      .set('X-Auth-Token', other.token)
      .expect(404);
  });

  describe('GET …/history/{call_id}', () => {
    it('when the call is of this configuration, then its record', async () => {
      const res = await h.http.get(`${url}/${callIds[3]}`).set('X-Auth-Token', acct.token).expect(200);
      expect(res.body.data).to.include({ call_id: callIds[3], status: 'completed' });
    });

    it('when the call id is unknown, malformed or of another configuration, then 404', async () => {
      const otherConfig = (await h.services.clicktocall.create(acct.id, minimal().data)).doc.id;
      for (const path of [
        `${url}/c2c-${configId}-ffffffffff`,
        `${url}/not-a-call`,
        `/v2/accounts/${acct.id}/clicktocall/${otherConfig}/history/${callIds[0]}`,
      ])
        await h.http.get(path).set('X-Auth-Token', acct.token).expect(404);
    });

    it('when no token is sent, then 401; POST is 405', async () => {
      await h.http.get(`${url}/${callIds[0]}`).expect(401);
      await h.http.post(`${url}/${callIds[0]}`).expect(405);
      await h.http.delete(url).expect(405);
    });
  });
});
