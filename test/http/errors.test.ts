import { expect } from 'chai';
import { harness, LOG_LINES, minimal, type Harness } from '../support/harness';

/** The README's error table, row by row, and the envelope around every error. */
describe('error envelope and table', () => {
  let h: Harness;
  let acct: Awaited<ReturnType<Harness['account']>>;
  let base: string;

  beforeEach(async () => {
    h = harness();
    acct = await h.account();
    base = `/v2/accounts/${acct.id}/clicktocall`;
  });

  const expectEnvelope = (body: Record<string, unknown>, status: number, message: string) => {
    expect(body).to.include({ status: 'error', error: String(status), message });
    expect(body).to.have.property('data');
    expect(body.request_id).to.be.a('string');
    expect(body.timestamp).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(body).to.include.keys('node', 'version');
  };

  it('schema violation → 400 validation error, data.<path>.<rule>.message', async () => {
    const res = await h.http
      .put(base)
      .set('X-Auth-Token', acct.token)
      .send({ data: { name: 'x', extension: '1', whitelist: ['('] } })
      .expect(400);
    expectEnvelope(res.body, 400, 'validation error');
    expect(res.body.data['whitelist.0'].regex.message).to.be.a('string');
  });

  it('invalid JSON body → 400 invalid request body, data.json.invalid.message', async () => {
    const res = await h.http
      .put(base)
      .set('X-Auth-Token', acct.token)
      .set('Content-Type', 'application/json')
      .send('{"data": {')
      .expect(400);
    expectEnvelope(res.body, 400, 'invalid request body');
    expect(res.body.data.json.invalid.message).to.be.a('string');
  });

  it('a body that is JSON but not an object → 400', async () => {
    const res = await h.http
      .put(base)
      .set('X-Auth-Token', acct.token)
      .set('Content-Type', 'application/json')
      .send('[1,2]')
      .expect(400);
    expectEnvelope(res.body, 400, 'validation error');
  });

  it('a __proto__ key → 400, never merged into an object prototype', async () => {
    const res = await h.http
      .put(base)
      .set('X-Auth-Token', acct.token)
      .set('Content-Type', 'application/json')
      .send('{"data":{"name":"x","extension":"1","__proto__":{"polluted":true}}}')
      .expect(400);
    expectEnvelope(res.body, 400, 'invalid request body');
    expect(({} as Record<string, unknown>)['polluted']).to.equal(undefined);
  });

  it('no token → 401 invalid_credentials, no auth_token in the envelope', async () => {
    const res = await h.http.get(base).expect(401);
    expectEnvelope(res.body, 401, 'invalid_credentials');
    expect(res.body.data).to.deep.equal({ message: 'invalid credentials' });
    expect(res.body).to.not.have.property('auth_token');
  });

  it('unknown token → 401, the token sent is echoed (Kazoo)', async () => {
    const res = await h.http.get(base).set('X-Auth-Token', 'e'.repeat(64)).expect(401);
    expect(res.body.auth_token).to.equal('e'.repeat(64));
  });

  it('account outside the tree → 403 forbidden', async () => {
    const other = await h.account();
    const res = await h.http
      .get(`/v2/accounts/${other.id}/clicktocall`)
      .set('X-Auth-Token', acct.token)
      .expect(403);
    expectEnvelope(res.body, 403, 'forbidden');
    expect(res.body.data).to.deep.equal({ message: 'forbidden' });
  });

  it('unknown account → 404 bad_identifier with the cause', async () => {
    const id = '0'.repeat(32);
    const res = await h.http
      .get(`/v2/accounts/${id}/clicktocall`)
      .set('X-Auth-Token', acct.token)
      .expect(404);
    expectEnvelope(res.body, 404, 'bad_identifier');
    expect(res.body.data).to.deep.equal({ cause: id, message: 'bad identifier' });
  });

  it('unknown click-to-call → 404 bad_identifier', async () => {
    const res = await h.http
      .get(`${base}/${'1'.repeat(32)}`)
      .set('X-Auth-Token', acct.token)
      .expect(404);
    expect(res.body.data).to.deep.equal({ cause: '1'.repeat(32), message: 'bad identifier' });
  });

  it('unknown path → 404 in the envelope', async () => {
    const res = await h.http.get('/v2/nowhere').expect(404);
    expectEnvelope(res.body, 404, 'not_found');
  });

  for (const [verb, path] of [
    ['delete', (b: string) => b],
    ['post', (b: string) => b],
    ['patch', (b: string) => b],
    ['put', (b: string) => `${b}/${'1'.repeat(32)}`],
    ['get', () => '/v2/api_auth'],
    ['post', () => '/v2/api_auth'],
  ] as const) {
    it(`${verb.toUpperCase()} where not allowed → 405 invalid_method, before authentication`, async () => {
      const res = await h.http[verb](path(base)).expect(405);
      expectEnvelope(res.body, 405, 'invalid_method');
      expect(res.body.data).to.deep.equal({ message: 'method not allowed' });
      expect(res.headers['allow']).to.be.a('string');
    });
  }

  it('If-Match stale → 412 precondition_failed', async () => {
    const { doc } = await h.services.clicktocall.create(acct.id, minimal().data);
    const res = await h.http
      .patch(`${base}/${doc.id}`)
      .set('X-Auth-Token', acct.token)
      .set('If-Match', '"1-0"')
      .send({ data: {} })
      .expect(412);
    expectEnvelope(res.body, 412, 'precondition_failed');
  });

  it('body over 64 KiB → 413 payload_too_large, nothing stored', async () => {
    const res = await h.http
      .put(base)
      .set('X-Auth-Token', acct.token)
      .send({ data: { name: 'x', extension: '1', blob: 'x'.repeat(65 * 1024) } })
      .expect(413);
    expectEnvelope(res.body, 413, 'payload_too_large');
    expect(
      (await h.services.clicktocall.list(acct.id, { paginate: false, filters: [] })).items,
    ).to.have.length(0);
  });

  for (const type of ['text/plain', 'application/xml', 'multipart/form-data; boundary=x']) {
    it(`body as ${type} → 415 unsupported_media_type`, async () => {
      const res = await h.http
        .put(base)
        .set('X-Auth-Token', acct.token)
        .set('Content-Type', type)
        .send('name=x')
        .expect(415);
      expectEnvelope(res.body, 415, 'unsupported_media_type');
    });
  }

  it('JSON in a charset other than UTF-8 → 415', async () => {
    await h.http
      .put(base)
      .set('X-Auth-Token', acct.token)
      .set('Content-Type', 'application/json; charset=latin1')
      .send('{}')
      .expect(415);
  });

  it('X-Request-ID is honoured and echoed, in the header and the envelope', async () => {
    const res = await h.http
      .get(base)
      .set('X-Auth-Token', acct.token)
      .set('X-Request-ID', 'crm-42.abc')
      .expect(200);
    expect(res.headers['x-request-id']).to.equal('crm-42.abc');
    expect(res.body.request_id).to.equal('crm-42.abc');
    expect(LOG_LINES.some((l) => l.includes('crm-42.abc'))).to.equal(false); // 200s are not logged per request
  });

  it('an unsafe X-Request-ID is replaced by a generated one', async () => {
    const res = await h.http
      .get(base)
      .set('X-Auth-Token', acct.token)
      .set('X-Request-ID', 'a b\tc')
      .expect(200);
    expect(res.body.request_id).to.match(/^[0-9a-f]{32}$/);
    expect(res.headers['x-request-id']).to.equal(res.body.request_id);
  });

  it('a refused request is logged once at info with its request id and code', async () => {
    await h.http.get(base).set('X-Request-ID', 'trace-401').expect(401);
    const line = LOG_LINES.find((l) => l.includes('trace-401'));
    expect(line).to.be.a('string');
    expect(JSON.parse(line ?? '{}')).to.include({ level: 'info', code: 'invalid_credentials', status: 401 });
  });

  it('an unexpected failure → 500 that says nothing of the cause; the service keeps serving', async () => {
    const original = h.services.clicktocall.list.bind(h.services.clicktocall);
    h.services.clicktocall.list = () => {
      throw new Error('SQLITE_CORRUPT: secret internals at /var/lib/db');
    };
    const res = await h.http
      .get(base)
      .set('X-Auth-Token', acct.token)
      .set('X-Request-ID', 'boom-1')
      .expect(500);
    expectEnvelope(res.body, 500, 'internal_error');
    expect(JSON.stringify(res.body)).to.not.match(/SQLITE|secret|\/var\/lib|stack/i);
    const line = JSON.parse(LOG_LINES.find((l) => l.includes('boom-1')) ?? '{}') as {
      level: string;
      error: { stack: string };
    };
    expect(line.level).to.equal('error');
    expect(line.error.stack).to.include('SQLITE_CORRUPT');
    h.services.clicktocall.list = original;
    await h.http.get(base).set('X-Auth-Token', acct.token).expect(200);
  });

  it('OPTIONS is a CORS pre-flight: 204 with the allowed methods', async () => {
    const res = await h.http.options(base).expect(204);
    expect(res.headers['access-control-allow-methods']).to.equal('GET, PUT, HEAD');
    expect(res.headers['access-control-allow-headers']).to.include('X-Auth-Token');
  });
});
