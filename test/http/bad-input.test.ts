import { expect } from 'chai';
import { harness, type Harness } from '../support/harness';

/** Every string place of a configuration, as a function that puts a value there. */
const STRING_PLACES: Array<[string, (v: string) => Record<string, unknown>]> = [
  ['name', (v) => ({ name: v })],
  ['extension', (v) => ({ extension: v })],
  ['caller_id_number', (v) => ({ caller_id_number: v })],
  ['outbound_callee_id_name', (v) => ({ outbound_callee_id_name: v })],
  ['outbound_callee_id_number', (v) => ({ outbound_callee_id_number: v })],
  ['presence_id', (v) => ({ presence_id: v })],
  ['ringback', (v) => ({ ringback: v })],
  ['music_on_hold.media_id', (v) => ({ music_on_hold: { media_id: `/${v}` } })],
  ['custom_application_vars value', (v) => ({ custom_application_vars: { k: v } })],
  ['custom_application_vars key', (v) => ({ custom_application_vars: { [v]: 'x' } })],
  ['custom_sip_headers value', (v) => ({ custom_sip_headers: { 'X-A': v } })],
  ['custom_sip_headers.out value', (v) => ({ custom_sip_headers: { out: { 'X-A': v } } })],
  ['custom_sip_headers key', (v) => ({ custom_sip_headers: { [v]: 'x' } })],
  ['whitelist entry', (v) => ({ whitelist: [v] })],
  ['bypass_media', (v) => ({ bypass_media: v })],
  ['dial_first', (v) => ({ dial_first: v })],
  ['an unknown key', (v) => ({ crm_note: v })],
  ['an unknown key name', (v) => ({ [v]: 'x' })],
];

const HOSTILE: Array<[string, string]> = [
  ['10,000 characters', 'x'.repeat(10_000)],
  ['a NUL', 'a\u0000b'],
  ['a line feed', 'a\nb'],
  ['a carriage return', 'a\rb'],
  ['an escape sequence', 'a\u001b[31mb'],
  ['a DEL', 'a\u007fb'],
  ['a C1 control', 'a\u0085b'],
  ['a lone high surrogate', 'a\ud83db'],
  ['a lone low surrogate', 'a\ude00b'],
  ['a right-to-left override', 'a\u202eb'],
  ['a noncharacter', 'a\uffffb'],
];

/**
 * One service and account for all (a harness for each of some 200 tests would cost seconds): each test only sends
 * what must be refused, and checks itself that nothing was stored; the one test that stores does it in an account of
 * its own. So no test depends on another having run, or not run, before it.
 */
describe('bad input in every field', () => {
  let h: Harness;
  let acct: Awaited<ReturnType<Harness['account']>>;
  let base: string;

  /** What the shared account holds: nothing, whatever ran before. */
  const stored = async (): Promise<unknown[]> =>
    (await h.http.get(base).set('X-Auth-Token', acct.token).query({ paginate: 'false' }).expect(200)).body
      .data as unknown[];

  before(async () => {
    h = harness();
    acct = await h.account();
    base = `/v2/accounts/${acct.id}/clicktocall`;
  });

  for (const [place, put] of STRING_PLACES) {
    for (const [what, value] of HOSTILE) {
      it(`when ${place} holds ${what}, then 400 in Kazoo's shape and nothing is stored`, async () => {
        const res = await h.http
          .put(base)
          .set('X-Auth-Token', acct.token)
          .send({ data: { name: 'Sales', extension: '2600', ...put(value) } });
        expect(res.status, JSON.stringify(res.body).slice(0, 300)).to.equal(400);
        expect(res.body).to.include({ status: 'error', error: '400', message: 'validation error' });
        expect(Object.keys(res.body.data)).to.have.length.greaterThan(0);
        expect(await stored()).to.deep.equal([]);
      });
    }
  }

  it('when hostile values were sent (any of the above, in any order), then nothing was stored and the service still serves', async () => {
    expect(await stored()).to.deep.equal([]);
    // Stored in an account of its own: the shared one stays empty for the tests that check it.
    const other = await h.account();
    await h.http
      .put(`/v2/accounts/${other.id}/clicktocall`)
      .set('X-Auth-Token', other.token)
      .send({ data: { name: 'Sales', extension: '2600' } })
      .expect(201);
  });

  for (const id of ['123', 'g'.repeat(32), '1'.repeat(33), '%00', '..%2F..%2Fetc', 'A'.repeat(32)]) {
    it(`when the configuration id is ${JSON.stringify(id)}, then 404`, async () => {
      await h.http.get(`${base}/${id}`).set('X-Auth-Token', acct.token).expect(404);
    });
    it(`when the account id is ${JSON.stringify(id)}, then 404`, async () => {
      await h.http.get(`/v2/accounts/${id}/clicktocall`).set('X-Auth-Token', acct.token).expect(404);
    });
  }

  it('when a query string is huge or odd, then a 4xx, never a 5xx', async () => {
    for (const query of [
      { page_size: '9'.repeat(500) },
      { start_key: '\u0000'.repeat(100) },
      { [`filter_${'x'.repeat(300)}`]: 'y' },
    ]) {
      const res = await h.http.get(base).set('X-Auth-Token', acct.token).query(query);
      expect(res.status).to.be.within(400, 499);
    }
    const repeated = await h.http.get(`${base}?page_size=1&page_size=2`).set('X-Auth-Token', acct.token);
    expect(repeated.status).to.equal(400);
  });
});
