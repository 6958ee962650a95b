import { expect } from 'chai';
import { GREGORIAN_UNIX_OFFSET_S } from '../../src/calls/time';
import { newId } from '../../src/ids';
import { harness, minimal, type Harness } from '../support/harness';

/**
 * History paging at its edges: calls made in the same millisecond (the keyset's tie-break), everything at once,
 * keys that are not ours, page sizes at and past their bounds, and a key outside the window asked for.
 */
describe('GET …/clicktocall/{ID}/history: paging at the edges', () => {
  let h: Harness;
  let acct: Awaited<ReturnType<Harness['account']>>;
  let url: string;
  /** Oldest first: 3 calls at T, 4 calls at T + 1 h (same millisecond each), 3 calls at T + 2 h. */
  const calls: Array<{ callId: string; createdMs: number }> = [];
  const T = Date.parse('2026-11-01T00:00:00Z');
  const TIMES = [
    T,
    T,
    T,
    T + 3600_000,
    T + 3600_000,
    T + 3600_000,
    T + 3600_000,
    T + 7200_000,
    T + 7200_000,
    T + 7200_000,
  ];

  beforeEach(async () => {
    h = harness();
    acct = await h.account();
    const configId = (await h.services.clicktocall.create(acct.id, minimal().data)).doc.id;
    url = `/v2/accounts/${acct.id}/clicktocall/${configId}/history`;
    calls.length = 0;
    for (const [i, createdMs] of TIMES.entries()) {
      const callId = `c2c-${configId}-${i.toString(16).padStart(10, '0')}`;
      await h.store.history.insert({
        account_id: acct.id,
        clicktocall_id: configId,
        created_ms: createdMs,
        final: true,
        doc: { id: newId(), call_id: callId, status: 'completed' },
      });
      calls.push({ callId, createdMs });
    }
  });
  afterEach(() => h.close());

  const get = (query: Record<string, string> = {}) =>
    h.http.get(url).query(query).set('X-Auth-Token', acct.token);
  const ids = (body: { data: Array<{ call_id: string }> }) => body.data.map((d) => d.call_id);
  /** Newest first; among calls of the same millisecond, the one recorded last first. */
  const newestFirst = () => [...calls].reverse().map((c) => c.callId);
  const gregorian = (ms: number) => String(Math.floor(ms / 1000) + GREGORIAN_UNIX_OFFSET_S);

  /** Every page from the first, by `page_size`; stops after 50 pages (a loop is a failure, not a hang). */
  async function allPages(query: Record<string, string>): Promise<{ pages: string[][]; sizes: number[] }> {
    const pages: string[][] = [];
    const sizes: number[] = [];
    let key: string | undefined;
    do {
      const res = await get({ ...query, ...(key !== undefined && { start_key: key }) }).expect(200);
      pages.push(ids(res.body));
      sizes.push(res.body.page_size as number);
      key = res.body.next_start_key as string | undefined;
    } while (key !== undefined && pages.length < 50);
    return { pages, sizes };
  }

  for (const size of [1, 2, 3, 4, 5, 9, 10, 11]) {
    it(`when calls share their creation time and are paged by ${size}, then each comes exactly once, in order`, async () => {
      const { pages, sizes } = await allPages({ page_size: String(size) });
      expect(pages.length).to.equal(Math.ceil(calls.length / size));
      expect(pages.flat()).to.deep.equal(newestFirst());
      expect(sizes).to.deep.equal(pages.map((p) => p.length));
    });
  }

  it('when a page ends in the middle of a tie, then the next page starts with the rest of the tie', async () => {
    // Newest first: 3 at T+2h, then the 4 at T+1h. A page of 5 ends after 2 of those 4.
    const first = await get({ page_size: '5' }).expect(200);
    expect(ids(first.body)).to.deep.equal(newestFirst().slice(0, 5));
    const second = await get({ page_size: '5', start_key: first.body.next_start_key as string }).expect(200);
    expect(ids(second.body)).to.deep.equal(newestFirst().slice(5, 10));
    expect(second.body.start_key).to.equal(first.body.next_start_key);
    expect(second.body).to.not.have.property('next_start_key');
  });

  it('when paginate=false, then every call at once, with neither page_size nor next_start_key', async () => {
    const res = await get({ paginate: 'false', page_size: '2' }).expect(200);
    expect(ids(res.body)).to.deep.equal(newestFirst());
    expect(res.body).to.not.have.property('next_start_key');
    expect(res.body).to.not.have.property('page_size');
  });

  it('when page_size is at its bounds, then it is taken; past them or not a whole number, then 400 on page_size', async () => {
    expect(ids((await get({ page_size: '1' }).expect(200)).body)).to.have.length(1);
    expect(ids((await get({ page_size: '1000' }).expect(200)).body)).to.have.length(calls.length);
    for (const bad of ['0', '1001', '-1', '2.5', 'ten', '']) {
      const res = await get({ page_size: bad });
      expect(res.status, `page_size=${bad}`).to.equal(400);
      expect(res.body.data, `page_size=${bad}`).to.have.property('page_size');
    }
  });

  it('when start_key is not a key this service gave, then 400 on start_key, never another page', async () => {
    const wrongKind = Buffer.from('r5').toString('base64url'); // the key of another list (configurations)
    const forged = [
      'not-a-key',
      Buffer.from('h1.0').toString('base64url'),
      Buffer.from('h-5.3').toString('base64url'),
      Buffer.from(`h${'9'.repeat(16)}.3`).toString('base64url'),
      wrongKind,
      '%',
    ];
    for (const key of forged) {
      const res = await get({ page_size: '3', start_key: key });
      expect(res.status, key).to.equal(400);
      expect(res.body.data, key).to.have.property('start_key');
    }
  });

  it('when start_key lies outside the window asked for, then the window still bounds the page', async () => {
    // A key from the newest calls, then a window of the oldest hour only: nothing newer than the window comes.
    const newest = await get({ page_size: '1' }).expect(200);
    const key = newest.body.next_start_key as string;
    const oldHour = { created_from: gregorian(T), created_to: gregorian(T + 1000) };
    const inside = await get({ ...oldHour, start_key: key }).expect(200);
    expect(ids(inside.body)).to.deep.equal(newestFirst().slice(7));
    // A key older than the whole window: nothing, and no next key.
    const oldest = await allPages({ page_size: '9' });
    expect(oldest.pages[1]).to.deep.equal(newestFirst().slice(9));
    const lastKey = (await get({ page_size: '9' }).expect(200)).body.next_start_key as string;
    const newHour = { created_from: gregorian(T + 7200_000), created_to: gregorian(T + 7200_000 + 1000) };
    const past = await get({ ...newHour, start_key: lastKey }).expect(200);
    expect(ids(past.body)).to.deep.equal([]);
    expect(past.body).to.not.have.property('next_start_key');
  });
});
