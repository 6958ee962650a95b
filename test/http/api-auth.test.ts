import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { hashSecret } from '../../src/ids';
import { harness, type Harness } from '../support/harness';

describe('PUT /v2/api_auth', () => {
  let h: Harness;
  beforeEach(() => {
    h = harness({ tokenTtlS: 3600 });
  });

  it('when the API key is valid, then 201 with auth_token, account_id and expires_at, and the token works', async () => {
    const acct = await h.account();
    const res = await h.http
      .put('/v2/api_auth')
      .send({ data: { api_key: acct.apiKey } })
      .expect(201);
    expect(res.body.status).to.equal('success');
    expect(res.body.auth_token).to.match(/^[0-9a-f]{64}$/);
    expect(res.body.data).to.deep.equal({
      account_id: acct.id,
      expires_at: new Date(h.clock.now.getTime() + 3600_000).toISOString(),
    });
    await h.http
      .get(`/v2/accounts/${acct.id}/clicktocall`)
      .set('X-Auth-Token', res.body.auth_token)
      .expect(200);
  });

  it('when the key is sent as the seed sends bodies (form content type), then it works too', async () => {
    const acct = await h.account();
    await h.http
      .put('/v2/api_auth')
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send(`{"data":{"api_key":"${acct.apiKey}"}}`)
      .expect(201);
  });

  for (const [title, body] of [
    ['unknown', { data: { api_key: 'f'.repeat(64) } }],
    ['missing', { data: {} }],
    ['not a string', { data: { api_key: 42 } }],
    ['absent body', undefined],
  ] as const) {
    it(`when the key is ${title}, then 401 invalid_credentials`, async () => {
      const req = h.http.put('/v2/api_auth');
      const res = await (body === undefined ? req : req.send(body)).expect(401);
      expect(res.body).to.include({ error: '401', message: 'invalid_credentials' });
      expect(res.body).to.not.have.property('auth_token');
    });
  }

  it('when the key was revoked, then 401 and its earlier tokens stop working', async () => {
    const acct = await h.account();
    await h.services.accounts.revokeApiKey(acct.apiKey);
    await h.http
      .put('/v2/api_auth')
      .send({ data: { api_key: acct.apiKey } })
      .expect(401);
    await h.http.get(`/v2/accounts/${acct.id}/clicktocall`).set('X-Auth-Token', acct.token).expect(401);
  });

  it('when a key and a token are stored, then neither is anywhere in the database files (only their hashes)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'c2c-auth-'));
    const onFile = harness({ dbPath: path.join(dir, 'c2c.db') });
    try {
      const acct = await onFile.account();
      await onFile.close();
      const files = fs.readdirSync(dir).map((f) => fs.readFileSync(path.join(dir, f)).toString('latin1'));
      expect(files.join('')).to.include(hashSecret(acct.token));
      for (const secret of [acct.token, acct.apiKey]) expect(files.join('')).to.not.include(secret);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('when the token expires, then it is refused from that moment', async () => {
    const acct = await h.account();
    h.clock.now = new Date(h.clock.now.getTime() + 3599_000);
    await h.http.get(`/v2/accounts/${acct.id}/clicktocall`).set('X-Auth-Token', acct.token).expect(200);
    h.clock.now = new Date(h.clock.now.getTime() + 1_000);
    await h.http.get(`/v2/accounts/${acct.id}/clicktocall`).set('X-Auth-Token', acct.token).expect(401);
  });
});
