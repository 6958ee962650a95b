import { expect } from 'chai';
import { linkRig, SHOP, type LinkRig } from './link-rig';

/** Status codes of the answers, counted. */
function tally(statuses: number[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const s of statuses) counts[s] = (counts[s] ?? 0) + 1;
  return counts;
}

describe('public links: abuse (docs/links.md#when-a-link-stops)', function () {
  this.timeout(30_000);
  let rig: LinkRig;
  afterEach(() => rig.close());

  it('when a link is used past its call limit, even all at once, then exactly max_calls are placed and the rest are 410 used_up', async () => {
    rig = await linkRig();
    const link = await rig.createLink({
      expires_in: 600,
      origins: [SHOP],
      max_calls: 3,
      calls_per_minute: 600,
    });
    const answers = await Promise.all(Array.from({ length: 10 }, () => rig.connect(link.token)));
    expect(tally(answers.map((r) => r.status))).to.deep.equal({ 202: 3, 410: 7 });
    for (const r of answers.filter((a) => a.status === 410))
      expect(r.body).to.deep.include({
        error: '410',
        message: 'gone',
        data: { reason: 'used_up', message: 'this link has placed all the calls it may' },
      });
    expect(rig.originates()).to.equal(3);
    const view = await rig.h.http.get(`${rig.linksUrl}/${link.id}`).set('X-Auth-Token', rig.account.token);
    expect(view.body.data).to.include({ state: 'used_up', calls: 3 });
  });

  it('when a page of another origin, or no page at all, connects, then 403 without CORS headers and nothing is placed', async () => {
    rig = await linkRig();
    const link = await rig.createLink({ expires_in: 600, origins: [SHOP] });
    for (const origin of [
      'https://evil.example',
      'http://shop.example',
      'https://shop.example:8443',
      'null',
      null,
    ]) {
      const res = await rig.connect(link.token, '+15551234567', origin).expect(403);
      expect(res.body).to.include({ status: 'error', error: '403' });
      expect(res.headers['access-control-allow-origin']).to.equal(undefined);
    }
    const described = await rig.h.http.get(`/v2/links/${link.token}`).set('Origin', 'https://evil.example');
    expect(described.body.data).to.include({ allowed: false });
    expect(rig.originates()).to.equal(0);
  });

  it('when a link was revoked, then every connect through it is 410 revoked and nothing is placed', async () => {
    rig = await linkRig();
    const link = await rig.createLink({ expires_in: 600, origins: [SHOP] });
    await rig.connect(link.token).expect(202);
    await rig.h.http.delete(`${rig.linksUrl}/${link.id}`).set('X-Auth-Token', rig.account.token).expect(200);
    const answers = await Promise.all(Array.from({ length: 5 }, () => rig.connect(link.token)));
    expect(tally(answers.map((r) => r.status))).to.deep.equal({ 410: 5 });
    expect(answers[0]!.body.data).to.include({ reason: 'revoked' });
    expect(rig.originates()).to.equal(1);
  });

  it("when a contact is outside the link's prefixes, then 400 contact.not_allowed; inside them the configuration's whitelist still applies", async () => {
    rig = await linkRig({ config: { whitelist: ['^\\+4420'] } });
    const link = await rig.createLink({ expires_in: 600, origins: [SHOP], contact_prefixes: ['+44'] });
    const described = await rig.h.http.get(`/v2/links/${link.token}`).set('Origin', SHOP);
    expect(described.body.data.contact_prefixes).to.deep.equal(['+44']);
    const outside = await rig.connect(link.token, '+15551234567').expect(400);
    expect(outside.body.data).to.have.nested.property('contact.not_allowed');
    const sip = await rig.connect(link.token, 'sip:bob@example.com').expect(400);
    expect(sip.body.data).to.have.property('contact');
    const whitelist = await rig.connect(link.token, '+447700900123').expect(400);
    expect(whitelist.body).to.include({ message: "Contact doesn't match whitelist" });
    expect(rig.originates()).to.equal(0);
    await rig.connect(link.token, '+44 20 7946 0958').expect(202);
    expect(rig.originates()).to.equal(1);
  });

  it('when one address makes 1,000 rapid attempts, then 10 are placed, 990 are 429 with Retry-After, and others are still served', async () => {
    rig = await linkRig({ trustProxy: ['loopback'] });
    const link = await rig.createLink({ expires_in: 600, origins: [SHOP], calls_per_minute: 600 });
    const from = (address: string) => rig.connect(link.token).set('X-Forwarded-For', address);
    const statuses: number[] = [];
    let retryAfter: string | undefined;
    for (let batch = 0; batch < 20; batch++) {
      const answers = await Promise.all(Array.from({ length: 50 }, () => from('203.0.113.7')));
      statuses.push(...answers.map((r) => r.status));
      retryAfter ??= answers.find((r) => r.status === 429)?.headers['retry-after'];
    }
    expect(tally(statuses)).to.deep.equal({ 202: 10, 429: 990 });
    expect(Number(retryAfter)).to.be.within(1, 60);
    expect(rig.originates()).to.equal(10);
    await from('198.51.100.20').expect(202);
    expect(rig.originates()).to.equal(11);
  });

  it('when many addresses use one link quickly, then its own per-minute limit holds, and a minute later it serves again', async () => {
    rig = await linkRig({ trustProxy: ['loopback'] });
    const link = await rig.createLink({ expires_in: 600, origins: [SHOP], calls_per_minute: 5 });
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        rig.connect(link.token).set('X-Forwarded-For', `203.0.113.${i + 1}`),
      ),
    );
    expect(tally(answers.map((r) => r.status))).to.deep.equal({ 202: 5, 429: 25 });
    const refused = answers.find((r) => r.status === 429)!;
    expect(refused.body.data).to.include({ message: 'at most 5 connects a minute through this link' });
    expect(rig.originates()).to.equal(5);
    rig.clock.now = new Date(rig.clock.now.getTime() + 60_001);
    await rig.connect(link.token).set('X-Forwarded-For', '203.0.113.200').expect(202);
  });
});
