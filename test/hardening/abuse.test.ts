import { expect } from 'chai';
import { whitelistAllows, whitelistProblem } from '../../src/clicktocall/whitelist';
import { harness, minimal, type Harness } from '../support/harness';
import { switchRig, type SwitchRig } from '../support/switch';

/** Patterns that take exponential time on a backtracking engine, and contacts that trigger them. */
const HOSTILE_PATTERNS = [
  '^(\\d+)+$x',
  '^(\\d|\\d)+$x',
  '(\\d*)*[a]',
  '^(1|11)*$x',
  '(\\+?\\d+)*\\+\\+',
  '^((1+)+)+2$',
  '(.*1){30}x',
  '^(\\d{1,10}){1,10}x',
];
const CONTACTS = ['1'.repeat(64), `+${'1'.repeat(63)}`, `${'1'.repeat(40)}2`];

describe('abuse of the public connect', function () {
  this.timeout(20_000);
  let rig: SwitchRig;
  beforeEach(async () => {
    rig = await switchRig();
  });
  afterEach(() => rig.close());

  const setup = async (opts: { trustProxy?: false | string[]; anonConnectsPerMinute?: number }) => {
    const h = harness({ esl: rig.esl, now: () => new Date(), ...opts });
    const acct = await h.account();
    const res = await h.http
      .put(`/v2/accounts/${acct.id}/clicktocall`)
      .set('X-Auth-Token', acct.token)
      .send(minimal({ auth_required: false }))
      .expect(201);
    return { h, acct, url: `/v2/accounts/${acct.id}/clicktocall/${res.body.data.id as string}/connect` };
  };

  const anon = (h: Harness, url: string, xff?: string) => {
    const req = h.http.get(`${url}?contact=2601`);
    return xff === undefined ? req : req.set('X-Forwarded-For', xff);
  };

  it('when one address exceeds the anonymous limit, then 429 with Retry-After, no call; a token is not limited by it', async () => {
    const { h, acct, url } = await setup({ anonConnectsPerMinute: 3 });
    for (let i = 0; i < 3; i++) await anon(h, url).expect(202);
    const res = await anon(h, url).expect(429);
    expect(res.body).to.include({ error: '429', message: 'too_many_requests' });
    expect(Number(res.headers['retry-after'])).to.be.within(1, 60);
    expect(rig.fake.commands.filter((c) => c.startsWith('bgapi originate'))).to.have.length(3);
    await h.http.get(`${url}?contact=2601`).set('X-Auth-Token', acct.token).expect(202);
  });

  it('when no proxy is trusted, then X-Forwarded-For cannot buy a fresh allowance', async () => {
    const { h, url } = await setup({ anonConnectsPerMinute: 2 });
    await anon(h, url, '203.0.113.1').expect(202);
    await anon(h, url, '203.0.113.2').expect(202);
    await anon(h, url, '203.0.113.3').expect(429);
  });

  it('when the proxy in front is trusted, then each client behind it has its own allowance', async () => {
    const { h, url } = await setup({ anonConnectsPerMinute: 2, trustProxy: ['loopback'] });
    await anon(h, url, '203.0.113.1').expect(202);
    await anon(h, url, '203.0.113.1').expect(202);
    await anon(h, url, '203.0.113.1').expect(429);
    await anon(h, url, '203.0.113.2').expect(202);
    // A client cannot forge its way past the trusted proxy: only the address the proxy saw counts.
    await anon(h, url, '198.51.100.9, 203.0.113.1').expect(429);
  });

  it('when the limit is 0, then anonymous connects are not limited by address (the configuration throttle still is)', async () => {
    const { h, url } = await setup({ anonConnectsPerMinute: 0 });
    for (let i = 0; i < 12; i++) await anon(h, url).expect(202);
  });
});

/**
 * The CPU time (user + system, in ms) this process spends while `work` runs. Unlike the time on the clock it does not
 * grow when a loaded machine leaves the process waiting for a core, so a bound on it holds under load and still
 * catches an engine that backtracks (2^60 steps and more on these contacts).
 */
async function cpuMs(work: () => unknown): Promise<number> {
  const before = process.cpuUsage();
  await work();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

describe('catastrophic backtracking', function () {
  this.timeout(30_000);

  it('when hostile patterns meet long contacts, then each whitelist check takes under 50 ms of CPU', async () => {
    let worst = 0;
    for (const pattern of HOSTILE_PATTERNS) {
      expect(whitelistProblem(pattern), pattern).to.equal(undefined);
      for (const contact of CONTACTS) {
        worst = Math.max(worst, await cpuMs(() => whitelistAllows([pattern], contact)));
      }
    }
    expect(worst).to.be.below(50);
  });

  it('when such patterns are saved and a connect runs them, then every connect answers in under 50 ms of CPU', async () => {
    const rig = await switchRig();
    try {
      const h = harness({ esl: rig.esl, now: () => new Date() });
      const acct = await h.account();
      const res = await h.http
        .put(`/v2/accounts/${acct.id}/clicktocall`)
        .set('X-Auth-Token', acct.token)
        .send(minimal({ whitelist: HOSTILE_PATTERNS }))
        .expect(201);
      const url = `/v2/accounts/${acct.id}/clicktocall/${res.body.data.id as string}/connect`;
      await h.http.get(`${url}?contact=2601`).set('X-Auth-Token', acct.token); // warm-up
      const times: number[] = [];
      for (const contact of CONTACTS) {
        let status = 0;
        times.push(
          await cpuMs(async () => {
            status = (
              await h.http
                .get(`${url}?contact=${encodeURIComponent(contact)}`)
                .set('X-Auth-Token', acct.token)
            ).status;
          }),
        );
        expect(status).to.be.oneOf([202, 400]);
      }
      expect(Math.max(...times), JSON.stringify(times)).to.be.below(50);
    } finally {
      await rig.close();
    }
  });

  it('when a pattern needs backtracking features (backreference, look-around), then it is refused at save', async () => {
    const h = harness();
    const acct = await h.account();
    for (const pattern of ['(1)\\1', '^(?=1)1', '(?<!0)1', '(?>1+)']) {
      const res = await h.http
        .put(`/v2/accounts/${acct.id}/clicktocall`)
        .set('X-Auth-Token', acct.token)
        .send(minimal({ whitelist: [pattern] }))
        .expect(400);
      expect(res.body.data['whitelist.0'].regex.message).to.match(/RE2/);
    }
  });
});

describe('hygiene', () => {
  it('every answer carries security headers and no X-Powered-By', async () => {
    const h = harness();
    const acct = await h.account();
    for (const res of [
      await h.http.get(`/v2/accounts/${acct.id}/clicktocall`).set('X-Auth-Token', acct.token),
      await h.http.get('/v2/nowhere'),
      await h.http.get(`/v2/accounts/${acct.id}/clicktocall`),
    ]) {
      expect(res.headers).to.include({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'SAMEORIGIN',
      });
      expect(res.headers['content-security-policy']).to.be.a('string');
      expect(res.headers['strict-transport-security']).to.be.a('string');
      expect(res.headers).to.not.have.property('x-powered-by');
    }
  });
});
