import { expect } from 'chai';
import { insertFinishedCall } from '../support/store-fixture';
import type { Response } from 'supertest';
import { GREGORIAN_UNIX_OFFSET_S } from '../../src/calls/time';
import { MAX_SCANNED, scanPage } from '../../src/clicktocall/paging';
import { newId } from '../../src/ids';
import { harness, type Harness } from '../support/harness';

/**
 * Filtered lists paged as crossbar pages them (README, List and History): pages of matching items only, linked by
 * next_start_key in either order, ties of one millisecond, everything at once, the bound on the rows one request
 * reads, and crossbar's date_range errors on the history window.
 */
const T = Date.parse('2026-11-01T00:00:00Z');
const HOUR = 3600_000;
const gregorian = (ms: number): number => Math.floor(ms / 1000) + GREGORIAN_UNIX_OFFSET_S;
type Query = Record<string, string>;

/** Every page from the first; stops after 60 pages (a loop is a failure, not a hang). */
async function allPages(get: (query: Query) => Promise<Response>, query: Query): Promise<Response[]> {
  const pages: Response[] = [];
  let key: string | undefined;
  do {
    const res = await get({ ...query, ...(key !== undefined && { start_key: key }) });
    expect(res.status, JSON.stringify(res.body.data)).to.equal(200);
    if (key !== undefined) expect(res.body.start_key).to.equal(key);
    pages.push(res);
    key = res.body.next_start_key as string | undefined;
  } while (key !== undefined && pages.length < 60);
  return pages;
}

describe('crossbar paging: configurations', () => {
  let h: Harness;
  let acct: Awaited<ReturnType<Harness['account']>>;
  /** 30 configurations, oldest first; every third (0, 3, … 27) in group x. */
  const ids: string[] = [];

  beforeEach(async () => {
    h = harness();
    acct = await h.account();
    ids.length = 0;
    for (let i = 0; i < 30; i++) {
      const id = newId();
      await h.store.clicktocalls.insert({
        id,
        account_id: acct.id,
        doc: { name: `n${i}`, extension: String(2600 + i), group: i % 3 === 0 ? 'x' : 'y' },
        revision: '1-a',
        now: new Date(T + i * 1000).toISOString(),
      });
      ids.push(id);
    }
  });
  afterEach(() => h.close());

  const get = (query: Query) =>
    h.http.get(`/v2/accounts/${acct.id}/clicktocall`).query(query).set('X-Auth-Token', acct.token);
  const numbers = (res: Response): number[] =>
    (res.body.data as Array<{ id: string }>).map((d) => ids.indexOf(d.id));
  const groupX = [0, 3, 6, 9, 12, 15, 18, 21, 24, 27];

  for (const [order, expected] of [
    ['newest first', [...groupX].reverse()],
    ['ascending', groupX],
  ] as const) {
    for (const size of [1, 3, 4, 5, 10, 11]) {
      it(`when filtered and paged by ${size}, ${order}, then full pages of matches only, each once, the last without a next key`, async () => {
        const pages = await allPages(get, {
          filter_group: 'x',
          page_size: String(size),
          ...(order === 'ascending' && { ascending: 'true' }),
        });
        expect(pages.flatMap(numbers)).to.deep.equal(expected);
        expect(pages.length).to.equal(Math.ceil(groupX.length / size));
        for (const page of pages) expect(page.body.page_size).to.equal(page.body.data.length);
        expect(pages.slice(0, -1).every((p) => p.body.data.length === size)).to.equal(true);
      });
    }
  }

  it('when ascending and paged without a filter, then oldest first across pages', async () => {
    const pages = await allPages(get, { ascending: 'true', page_size: '7' });
    expect(pages.flatMap(numbers)).to.deep.equal([...Array(30).keys()]);
    expect(pages.map((p) => (p.body.data as unknown[]).length)).to.deep.equal([7, 7, 7, 7, 2]);
  });

  it('when paginate=false, filtered or not, then everything that matches, with neither page_size nor next_start_key', async () => {
    for (const [query, expected] of [
      [{ paginate: 'false', page_size: '1' }, 30],
      [{ paginate: 'false', page_size: '1', filter_group: 'x' }, 10],
      [{ paginate: 'false', filter_not_group: 'x', ascending: 'true' }, 20],
    ] as const) {
      const res = await get(query).expect(200);
      expect(res.body.data, JSON.stringify(query)).to.have.length(expected);
      expect(res.body).to.not.have.property('page_size');
      expect(res.body).to.not.have.property('next_start_key');
    }
    const paged = await get({ page_size: '1', filter_group: 'x' }).expect(200);
    expect(paged.body.page_size).to.equal(1);
  });
});

describe('crossbar paging: history', () => {
  let h: Harness;
  let acct: Awaited<ReturnType<Harness['account']>>;
  let configId: string;
  let url: string;
  /** Oldest first: 6 calls in one millisecond at T, 6 in one at T + 1 h; success and error by turns. */
  const calls: Array<{ callId: string; success: boolean }> = [];

  const insert = async (i: number, createdMs: number, result: string): Promise<string> => {
    const doc = await insertFinishedCall(h.store.history, {
      accountId: acct.id,
      configId,
      n: i,
      createdMs,
      fields: { result },
    });
    return doc.call_id;
  };

  beforeEach(async () => {
    h = harness();
    acct = await h.account();
    configId = (await h.services.clicktocall.create(acct.id, { name: 'Sales', extension: '2600' })).doc.id;
    url = `/v2/accounts/${acct.id}/clicktocall/${configId}/history`;
    calls.length = 0;
    for (let i = 0; i < 12; i++) {
      const success = i % 2 === 0;
      calls.push({ callId: await insert(i, i < 6 ? T : T + HOUR, success ? 'success' : 'error'), success });
    }
  });
  afterEach(() => h.close());

  const get = (query: Query) => h.http.get(url).query(query).set('X-Auth-Token', acct.token);
  const callIds = (res: Response): string[] =>
    (res.body.data as Array<{ call_id: string }>).map((d) => d.call_id);
  /** Oldest first; within one millisecond, the one recorded first first. */
  const successes = () => calls.filter((c) => c.success).map((c) => c.callId);

  for (const size of [1, 2, 3, 4, 5, 6, 7]) {
    it(`when filtered and paged by ${size} through ties of one millisecond, then each match once, in the one order either way`, async () => {
      const down = await allPages(get, { filter_result: 'success', page_size: String(size) });
      expect(down.flatMap(callIds)).to.deep.equal([...successes()].reverse());
      expect(down.length).to.equal(Math.ceil(6 / size));
      const up = await allPages(get, {
        filter_result: 'success',
        page_size: String(size),
        ascending: 'true',
      });
      expect(up.flatMap(callIds)).to.deep.equal(successes());
      for (const page of [...down, ...up]) expect(page.body.page_size).to.equal(page.body.data.length);
    });
  }

  it('when ascending inside a window, then the window bounds the pages, oldest first', async () => {
    const window = { created_from: String(gregorian(T + HOUR)), created_to: String(gregorian(T + HOUR)) };
    const pages = await allPages(get, { ...window, ascending: 'true', page_size: '4' });
    expect(pages.flatMap(callIds)).to.deep.equal(calls.slice(6).map((c) => c.callId));
    const early = await allPages(get, {
      created_to: String(gregorian(T)),
      ascending: 'true',
      page_size: '4',
    });
    expect(early.flatMap(callIds)).to.deep.equal(calls.slice(0, 6).map((c) => c.callId));
  });

  it('when paginate=false with a filter, then every match, with neither page_size nor next_start_key', async () => {
    const res = await get({ paginate: 'false', page_size: '1', filter_result: 'error' }).expect(200);
    expect(callIds(res)).to.have.length(6);
    expect(res.body).to.not.have.property('page_size');
    expect(res.body).to.not.have.property('next_start_key');
  });

  it(`when a filter matches nothing among ${MAX_SCANNED} rows, then the page stops there with a key to go on from`, async () => {
    // 12 calls above, then MAX_SCANNED newer ones that do not match: the first request reads MAX_SCANNED rows.
    for (let i = 0; i < MAX_SCANNED; i++) await insert(100 + i, T + 2 * HOUR + i, 'error');
    const first = await get({ filter_result: 'success', page_size: '10' }).expect(200);
    expect(first.body.data).to.deep.equal([]);
    expect(first.body.page_size).to.equal(0);
    expect(first.body.next_start_key).to.be.a('string');
    const rest = await allPages(get, {
      filter_result: 'success',
      page_size: '10',
      start_key: first.body.next_start_key as string,
    });
    expect(rest.flatMap(callIds)).to.deep.equal([...successes()].reverse());
    expect(rest).to.have.length(1);
  });

  describe('date range errors, as crossbar_view answers them', () => {
    const bodyOf = async (query: Query): Promise<Record<string, unknown>> => {
      const res = await get(query).expect(400);
      const {
        request_id: _id,
        timestamp: _t,
        node: _n,
        version: _v,
        ...rest
      } = res.body as Record<string, unknown>;
      return rest;
    };

    it('when created_to is before created_from, then 400 naming created_from, the cause created_from', async () => {
      const from = gregorian(T + HOUR);
      const to = from - 1;
      expect(await bodyOf({ created_from: String(from), created_to: String(to) })).to.deep.equal({
        auth_token: acct.token,
        data: {
          created_from: {
            date_range: { message: `created_to ${to} is prior to created_from ${from}`, cause: from },
          },
        },
        error: '400',
        message: 'validation error',
        status: 'error',
      });
    });

    it('when the window is wider than 2682000 seconds, then 400 naming created_from, the cause created_to', async () => {
      const from = gregorian(T);
      const to = from + 2_682_001;
      expect(await bodyOf({ created_from: String(from), created_to: String(to) })).to.deep.equal({
        auth_token: acct.token,
        data: {
          created_from: {
            date_range: {
              message: `created_to ${to} is more than 2682000 seconds from created_from ${from}`,
              cause: to,
            },
          },
        },
        error: '400',
        message: 'validation error',
        status: 'error',
      });
    });

    it('when the window is exactly 2682000 seconds or only one end is given, then no error', async () => {
      const from = gregorian(T);
      const widest = await get({ created_from: String(from), created_to: String(from + 2_682_000) }).expect(
        200,
      );
      expect(callIds(widest)).to.have.length(12);
      const sinceLongAgo = await get({ created_from: '0' }).expect(200);
      expect(callIds(sinceLongAgo)).to.have.length(12);
      await get({ created_to: String(from + 10 * 2_682_000) }).expect(200);
      const same = await get({ created_from: String(from), created_to: String(from) }).expect(200);
      expect(callIds(same)).to.have.length(6);
    });
  });
});

describe('scanPage (the page filler both lists use)', () => {
  const rows = Array.from({ length: 20 }, (_, i) => i + 1);
  /** Rows in order from `start` (inclusive), counting the reads. */
  const store = () => {
    const reads: Array<[number | undefined, number]> = [];
    return {
      reads,
      read: (start: number | undefined, limit: number): Promise<number[]> => {
        reads.push([start, limit]);
        return Promise.resolve(rows.filter((r) => r >= (start ?? 0)).slice(0, limit));
      },
    };
  };
  const even = (r: number): boolean => r % 2 === 0;

  it('when the budget of rows runs out, then the page so far and the key of the first row not examined', async () => {
    const s = store();
    const out = await scanPage({
      ...s,
      keyOf: (r) => r,
      matches: even,
      pageSize: 5,
      filtered: true,
      maxScanned: 5,
    });
    expect(out).to.deep.equal({ page: [2, 4], next: 6 });
    const more = await scanPage({
      ...s,
      keyOf: (r) => r,
      matches: even,
      start: 6,
      pageSize: 5,
      filtered: true,
    });
    expect(more).to.deep.equal({ page: [6, 8, 10, 12, 14], next: 16 });
  });

  it('when paginate=false, then every match, with no budget and no key', async () => {
    const s = store();
    const out = await scanPage({ ...s, keyOf: (r) => r, matches: even, filtered: true, maxScanned: 1 });
    expect(out).to.deep.equal({ page: [2, 4, 6, 8, 10, 12, 14, 16, 18, 20] });
  });

  it('when unfiltered, then one read of the page and the row after it', async () => {
    const s = store();
    const out = await scanPage({ ...s, keyOf: (r) => r, matches: () => true, pageSize: 4, filtered: false });
    expect(out).to.deep.equal({ page: [1, 2, 3, 4], next: 5 });
    expect(s.reads).to.have.length(1);
  });

  it('when the last match is the last row, then no key', async () => {
    const s = store();
    const out = await scanPage({
      ...s,
      keyOf: (r) => r,
      matches: (r) => r > 17,
      pageSize: 3,
      filtered: true,
    });
    expect(out).to.deep.equal({ page: [18, 19, 20] });
  });
});
