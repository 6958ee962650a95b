import { expect } from 'chai';
import { pollUntil } from '../support/poll';
import { EXTENSION, linkRig, SHOP, type LinkRig } from './link-rig';

/** The JSON payload of a JWS (no check: what anybody holding the token can read). */
const payloadOf = (token: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;

/** The `status` events of a Server-Sent Events body. */
const statusEvents = (body: string): Array<Record<string, unknown>> =>
  body
    .split('\n\n')
    .filter((block) => block.startsWith('event: status\n'))
    .map((block) => JSON.parse(block.slice(block.indexOf('data: ') + 6)) as Record<string, unknown>);

describe('public links: the API (docs/links.md)', function () {
  this.timeout(20_000);
  let rig: LinkRig;
  beforeEach(async () => {
    rig = await linkRig();
  });
  afterEach(() => rig.close());

  describe('creating, listing, revoking', () => {
    it('when created, then 201 with the token and a snippet once, and GET shows the link without them', async () => {
      const res = await rig.h.http
        .put(rig.linksUrl)
        .set('X-Auth-Token', rig.account.token)
        .send({ data: { expires_in: 3600, max_calls: 5, origins: [SHOP] } })
        .expect(201);
      const link = res.body.data;
      expect(res.headers['location']).to.equal(`${rig.linksUrl}/${link.id as string}`);
      expect(res.headers['cache-control']).to.equal('no-store');
      expect(link).to.include({ clicktocall_id: rig.configId, state: 'active', max_calls: 5, calls: 0 });
      expect(link).to.include({ calls_per_minute: 10 });
      expect(link.origins).to.deep.equal([SHOP]);
      expect(Date.parse(link.expires_at) - rig.clock.now.getTime()).to.equal(3600_000);
      expect(link.snippet).to.match(
        /^<script src="http:\/\/127\.0\.0\.1:\d+\/widget\/click-to-call\.js" defer><\/script>\n<click-to-call link="[\w.-]+"><\/click-to-call>$/,
      );
      expect(link.snippet).to.include(`link="${link.token as string}"`);
      const got = await rig.h.http
        .get(`${rig.linksUrl}/${link.id as string}`)
        .set('X-Auth-Token', rig.account.token)
        .expect(200);
      expect(got.body.data).to.not.have.any.keys('token', 'snippet');
      expect(got.body.data).to.include({ id: link.id, state: 'active' });
    });

    it('when PUBLIC_URL is set, then the snippet loads the widget from there', async () => {
      await rig.close();
      rig = await linkRig({ publicUrl: 'https://c2c.example' });
      const link = await rig.createLink({ expires_in: 600, origins: [SHOP] });
      expect(link['snippet']).to.match(
        /^<script src="https:\/\/c2c\.example\/widget\/click-to-call\.js" defer>/,
      );
    });

    it('when a token is read by anybody, then it names the link alone: no account, configuration or extension', async () => {
      const link = await rig.createLink({ expires_in: 600, origins: [SHOP] });
      const payload = payloadOf(link.token);
      expect(Object.keys(payload).sort()).to.deep.equal(['aud', 'exp', 'sub']);
      expect(payload['sub']).to.equal(link.id);
      const described = await rig.h.http.get(`/v2/links/${link.token}`).set('Origin', SHOP).expect(200);
      const placed = await rig.connect(link.token).expect(202);
      const status = await rig.h.http
        .get(`/v2/links/${link.token}/calls/${placed.body.data.status_token as string}`)
        .set('Origin', SHOP)
        .expect(200);
      for (const body of [
        described.body,
        placed.body,
        status.body,
        payloadOf(placed.body.data.status_token),
      ]) {
        const text = JSON.stringify(body);
        expect(text).to.not.include(rig.account.id);
        expect(text).to.not.include(rig.configId);
        expect(text).to.not.include(`"${EXTENSION}"`);
        expect(text).to.not.include('call_id');
      }
    });

    it('when the body is wrong, then 400 in the Kazoo shape, field by field', async () => {
      const bad = async (data: unknown) =>
        (await rig.h.http.put(rig.linksUrl).set('X-Auth-Token', rig.account.token).send({ data }).expect(400))
          .body as { data: unknown };
      expect((await bad({ origins: [SHOP] })).data).to.have.nested.property('expires_in.required');
      expect((await bad({ expires_in: 30, origins: [SHOP] })).data).to.have.nested.property(
        'expires_in.minimum',
      );
      expect((await bad({ expires_in: 91 * 86_400, origins: [SHOP] })).data).to.have.nested.property(
        'expires_in.maximum',
      );
      expect((await bad({ expires_in: 600 })).data).to.have.nested.property('origins.required');
      const origin = await bad({ expires_in: 600, origins: ['https://shop.example/cart'] });
      expect(JSON.stringify(origin.data)).to.include('must be the origin alone');
      expect(
        JSON.stringify((await bad({ expires_in: 600, origins: ['ftp://shop.example'] })).data),
      ).to.include('http or https');
      expect(
        (await bad({ expires_in: 600, origins: [SHOP], contact_prefixes: ['44'] })).data,
      ).to.have.nested.property('contact_prefixes\\.0.pattern');
      const both = await bad({
        expires_in: 600,
        origins: [SHOP],
        contact: '+15551234567',
        contact_prefixes: ['+1'],
      });
      expect(both.data).to.have.nested.property('contact_prefixes.conflicts');
      expect(
        (await bad({ expires_in: 600, origins: [SHOP], contact: 'not a number' })).data,
      ).to.have.nested.property('contact.invalid');
      expect(rig.originates()).to.equal(0);
    });

    it('when another account asks for the links of a configuration, then 404 and it sees nothing of them', async () => {
      await rig.createLink({ expires_in: 600, origins: [SHOP] });
      const other = await rig.h.account();
      const url = `/v2/accounts/${other.id}/clicktocall/${rig.configId}/links`;
      await rig.h.http.get(url).set('X-Auth-Token', other.token).expect(404);
      await rig.h.http
        .put(url)
        .set('X-Auth-Token', other.token)
        .send({ data: { expires_in: 600, origins: [SHOP] } })
        .expect(404);
      await rig.h.http.get(rig.linksUrl).set('X-Auth-Token', other.token).expect(403);
    });

    it('when listed, then newest first, paginated; revoked, then it stops at once and says so', async () => {
      const first = await rig.createLink({ expires_in: 600, origins: [SHOP] });
      const second = await rig.createLink({ expires_in: 600, origins: [SHOP] });
      const list = await rig.h.http.get(`${rig.linksUrl}?page_size=1`).set('X-Auth-Token', rig.account.token);
      expect(list.body.data.map((l: { id: string }) => l.id)).to.deep.equal([second.id]);
      const rest = await rig.h.http
        .get(`${rig.linksUrl}?page_size=1&start_key=${list.body.next_start_key as string}`)
        .set('X-Auth-Token', rig.account.token);
      expect(rest.body.data.map((l: { id: string }) => l.id)).to.deep.equal([first.id]);
      // paginate=false: everything, and no page_size or next_start_key (crossbar's envelope).
      const all = await rig.h.http
        .get(`${rig.linksUrl}?page_size=1&paginate=false`)
        .set('X-Auth-Token', rig.account.token);
      expect(all.body.data).to.have.length(2);
      expect(all.body).to.not.have.any.keys('page_size', 'next_start_key');

      const revoked = await rig.h.http
        .delete(`${rig.linksUrl}/${first.id}`)
        .set('X-Auth-Token', rig.account.token)
        .expect(200);
      expect(revoked.body.data).to.include({ state: 'revoked' });
      expect(revoked.body.data.revoked_at).to.be.a('string');
      const gone = await rig.h.http.get(`/v2/links/${first.token}`).set('Origin', SHOP).expect(410);
      expect(gone.body).to.include({ status: 'error', error: '410', message: 'gone' });
      expect(gone.body.data).to.include({ reason: 'revoked' });
      // The page can read why (the widget says it): the refusals carry the CORS headers too.
      expect(gone.headers['access-control-allow-origin']).to.equal('*');
      const refused = await rig.connect(first.token).expect(410);
      expect(refused.body.data).to.include({ reason: 'revoked' });
      expect(refused.headers['access-control-allow-origin']).to.equal(SHOP);
      await rig.connect(second.token).expect(202);
    });

    it('when a link expires, then it answers 410 expired at once', async () => {
      const link = await rig.createLink({ expires_in: 60, origins: [SHOP] });
      await rig.connect(link.token).expect(202);
      rig.clock.now = new Date(rig.clock.now.getTime() + 60_000);
      expect((await rig.h.http.get(`/v2/links/${link.token}`).expect(410)).body.data).to.include({
        reason: 'expired',
      });
      expect((await rig.connect(link.token).expect(410)).body.data).to.include({ reason: 'expired' });
      const view = await rig.h.http.get(`${rig.linksUrl}/${link.id}`).set('X-Auth-Token', rig.account.token);
      expect(view.body.data).to.include({ state: 'expired', calls: 1 });
    });
    it('when its configuration is deleted, then the link stops with it (410 revoked)', async () => {
      const link = await rig.createLink({ expires_in: 600, origins: [SHOP] });
      await rig.h.http
        .delete(`/v2/accounts/${rig.account.id}/clicktocall/${rig.configId}`)
        .set('X-Auth-Token', rig.account.token)
        .expect(200);
      expect((await rig.h.http.get(`/v2/links/${link.token}`).expect(410)).body.data).to.include({
        reason: 'revoked',
      });
      expect((await rig.connect(link.token).expect(410)).body.data).to.include({ reason: 'revoked' });
      expect(rig.originates()).to.equal(0);
    });
  });

  describe('connecting and following the call', () => {
    it('when a page of an allowed origin connects, then 202 with a status token, and the history says which link', async () => {
      const link = await rig.createLink({ expires_in: 600, origins: ['https://other.example', SHOP] });
      const described = await rig.h.http.get(`/v2/links/${link.token}`).set('Origin', SHOP).expect(200);
      expect(described.body.data).to.include({ allowed: true, contact_fixed: false });
      expect(described.headers['access-control-allow-origin']).to.equal('*');
      const res = await rig.connect(link.token, '+1 (555) 123-4567').expect(202);
      expect(res.headers['access-control-allow-origin']).to.equal(SHOP);
      // The call's status when the answer was written: 'originating' on an idle machine, but the fake switch (20×
      // faster) can ring and answer the extension before a loaded machine writes it. Any status before the end, with
      // the phase that goes with it (the extension is dialled first, src/links/link-service.ts publicStatus).
      const PHASES: Record<string, string> = {
        originating: 'connecting',
        ringing: 'connecting',
        answered: 'calling_you',
        connected: 'connected',
      };
      const early = res.body.data.status as { status: string; phase: string; final: boolean };
      expect(Object.keys(PHASES)).to.include(early.status);
      expect(early).to.include({ phase: PHASES[early.status], final: false });
      const statusUrl = `/v2/links/${link.token}/calls/${res.body.data.status_token as string}`;
      const final = await pollUntil(
        'the call ends',
        async () => {
          const s = await rig.h.http.get(statusUrl).set('Origin', SHOP).expect(200);
          return s.body.data.final === true && (s.body.data as Record<string, unknown>);
        },
        { timeoutMs: 10_000, intervalMs: 100 },
      );
      expect(final).to.include({ status: 'completed', phase: 'ended' });
      expect(final.answered_at).to.be.a('string');
      const history = await rig.h.http
        .get(`/v2/accounts/${rig.account.id}/clicktocall/${rig.configId}/history`)
        .set('X-Auth-Token', rig.account.token)
        .expect(200);
      expect(history.body.data).to.have.length(1);
      expect(history.body.data[0]).to.include({
        requested_by: 'link',
        link_id: link.id,
        contact: '+15551234567',
      });
      const view = await rig.h.http.get(`${rig.linksUrl}/${link.id}`).set('X-Auth-Token', rig.account.token);
      expect(view.body.data).to.include({ calls: 1 });
    });

    it('when the call is followed as Server-Sent Events, then each status comes once, in order, and the stream ends at the final one', async () => {
      const link = await rig.createLink({ expires_in: 600, origins: [SHOP] });
      const placed = await rig.connect(link.token).expect(202);
      const res = await rig.h.http
        .get(`/v2/links/${link.token}/calls/${placed.body.data.status_token as string}/events`)
        .set('Origin', SHOP)
        .buffer(true)
        .parse((r, done) => {
          let text = '';
          r.setEncoding('utf8');
          r.on('data', (chunk: string) => (text += chunk));
          r.on('end', () => done(null, text));
        })
        .expect(200);
      expect(res.headers['content-type']).to.match(/^text\/event-stream/);
      expect(res.headers['access-control-allow-origin']).to.equal(SHOP);
      const events = statusEvents(res.body as string);
      const statuses = events.map((e) => e['status']);
      expect(new Set(statuses).size, statuses.join(',')).to.equal(statuses.length);
      expect(statuses.at(-1)).to.equal('completed');
      expect(statuses).to.include('connected');
      expect(events.slice(0, -1).every((e) => e['final'] === false)).to.equal(true);
    });

    it('when a status token is used for anything but its own call on its own link, then 401 (or 403 from another page)', async () => {
      const a = await rig.createLink({ expires_in: 600, origins: [SHOP] });
      const b = await rig.createLink({ expires_in: 600, origins: [SHOP] });
      const placed = (await rig.connect(a.token).expect(202)).body.data.status_token as string;
      const get = (link: string, st: string, origin = SHOP) =>
        rig.h.http.get(`/v2/links/${link}/calls/${st}`).set('Origin', origin);
      await get(a.token, placed).expect(200);
      await get(b.token, placed).expect(401);
      await get(a.token, a.token).expect(401);
      const [head, body, sig] = placed.split('.');
      const forged = Buffer.from(JSON.stringify({ ...payloadOf(placed), sub: '0'.repeat(32) })).toString(
        'base64url',
      );
      await get(a.token, `${head!}.${forged}.${sig!}`).expect(401);
      // A changed signature byte (not the last characters: their spare bits may decode to the same bytes).
      const tampered = `${sig!.slice(0, 10)}${sig![10] === 'A' ? 'B' : 'A'}${sig!.slice(11)}`;
      await get(a.token, `${head!}.${body!}.${tampered}`).expect(401);
      const elsewhere = await get(a.token, placed, 'https://evil.example').expect(403);
      expect(elsewhere.headers['access-control-allow-origin']).to.equal(undefined);
    });

    it('when the link calls one fixed number, then the visitor enters none and cannot choose another', async () => {
      const link = await rig.createLink({ expires_in: 600, origins: [SHOP], contact: '+1 555 765 4321' });
      expect(link).to.include({ contact: '+15557654321' });
      const described = await rig.h.http.get(`/v2/links/${link.token}`).set('Origin', SHOP).expect(200);
      expect(described.body.data).to.include({ contact_fixed: true });
      await rig.connect(link.token, null).expect(202);
      const other = await rig.connect(link.token, '+15550000000').expect(400);
      expect(other.body.data).to.have.nested.property('contact.fixed');
      expect(rig.originates()).to.equal(1);
    });

    it("when a pre-flight comes from one of the link's origins, then it is answered; from another, without CORS headers", async () => {
      const link = await rig.createLink({ expires_in: 600, origins: [SHOP] });
      const ok = await rig.h.http
        .options(`/v2/links/${link.token}/connect`)
        .set('Origin', SHOP)
        .set('Access-Control-Request-Method', 'POST')
        .expect(204);
      expect(ok.headers).to.include({
        'access-control-allow-origin': SHOP,
        'access-control-allow-methods': 'GET, POST',
      });
      expect(ok.headers['vary']).to.match(/Origin/);
      const no = await rig.h.http
        .options(`/v2/links/${link.token}/connect`)
        .set('Origin', 'https://evil.example')
        .set('Access-Control-Request-Method', 'POST')
        .expect(204);
      expect(no.headers).to.not.have.any.keys('access-control-allow-origin', 'access-control-allow-methods');
      const unknown = await rig.h.http
        .options('/v2/links/not-a-token/connect')
        .set('Origin', SHOP)
        .set('Access-Control-Request-Method', 'POST')
        .expect(204);
      expect(unknown.headers).to.not.have.any.keys('access-control-allow-origin');
    });

    it('when a token is not one of ours, then 401 in the Kazoo shape, and the token is not echoed', async () => {
      const forged = 'eyJhbGciOiJIUzI1NiJ9.e30.abc';
      const res = await rig.h.http.get(`/v2/links/${forged}`).set('Origin', SHOP).expect(401);
      expect(res.body).to.include({ status: 'error', error: '401' });
      // The token's parts, not a 3-character piece of it: a random request id may hold "e30" by chance.
      for (const part of [forged, 'eyJhbGciOiJIUzI1NiJ9', '.e30.'])
        expect(JSON.stringify(res.body)).to.not.include(part);
      await rig.connect('garbage').expect(401);
    });

    it('when the widget script is fetched, then any site may load it', async () => {
      const res = await rig.h.http.get('/widget/click-to-call.js').expect(200);
      expect(res.headers['content-type']).to.match(/^text\/javascript/);
      expect(res.headers['cross-origin-resource-policy']).to.equal('cross-origin');
    });
  });
});
