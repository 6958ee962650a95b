import { expect } from 'chai';
import { harness, type Harness } from '../support/harness';
import type { Test } from 'supertest';
import { pollUntil } from '../support/poll';
import { switchRig, type SwitchRig } from '../support/switch';

/**
 * Drives the service the way an existing Kazoo client does, request for request as the customer's
 * Kazoo API document shows them (the examples the README follows): curl with `-H "X-Auth-Token: …"`, and
 * `-d '{"data":…}'` without a content type (curl then labels the JSON as a form).
 */
const CURL = { 'User-Agent': 'curl/8.5.0', Accept: '*/*' };
const curlData = (req: Test, json: unknown): Test =>
  req.set('Content-Type', 'application/x-www-form-urlencoded').send(JSON.stringify(json));

/** The envelope keys of the seed's answers, in Kazoo's (alphabetical) order. */
const ENVELOPE = ['auth_token', 'data', 'node', 'request_id', 'revision', 'status', 'timestamp', 'version'];

const sorted = (keys: string[]): string[] => [...keys].sort();

/**
 * Each step of the seed's walk-through is its own test: a new service and account for each (beforeEach), and the
 * steps before it (a token, the created clicktocall, the change) done again by the test that needs them, so that
 * none depends on another having run first.
 */
describe('Kazoo compatibility: a Kazoo client works unchanged', () => {
  let sw: SwitchRig;
  let rig: Harness;
  let acct: { id: string; apiKey: string };
  let token: string;
  let base: string;

  beforeEach(async () => {
    sw = await switchRig({ speed: 20 });
    rig = harness({ esl: sw.esl, metrics: true });
    acct = await rig.account();
    base = `/v2/accounts/${acct.id}/clicktocall`;
    token = await apiAuth();
  });
  afterEach(() => sw.close());

  const T = (): Record<string, string> => ({ ...CURL, 'X-Auth-Token': token });

  /** The seed's PUT /v2/api_auth, as curl sends it; the token. */
  const apiAuth = async (): Promise<string> =>
    (await curlData(rig.http.put('/v2/api_auth').set(CURL), { data: { api_key: acct.apiKey } }).expect(201))
      .body.auth_token as string;
  /** The seed's create (PUT); the new clicktocall's id. */
  const created = async (): Promise<string> =>
    (
      await curlData(rig.http.put(base).set(T()), {
        data: { name: 'Sales', auth_required: false, extension: '2600' },
      }).expect(201)
    ).body.data.id as string;
  /** The seed's change (POST) and patch (PATCH) of the clicktocall `id`: extension 2601, timeout 20. */
  const changed = async (id: string): Promise<void> => {
    await curlData(rig.http.post(`${base}/${id}`).set(T()), {
      data: { name: 'Sales', auth_required: false, extension: '2601' },
    }).expect(200);
    await curlData(rig.http.patch(`${base}/${id}`).set(T()), { data: { timeout: 20 } }).expect(200);
  };

  it('when PUT /v2/api_auth is sent with an API key, then 201 with the token in auth_token', async () => {
    const res = await curlData(rig.http.put('/v2/api_auth').set(CURL), { data: { api_key: acct.apiKey } })
      .expect(201)
      .expect('Content-Type', /application\/json/);
    expect(res.body.status).to.equal('success');
    expect(res.body.auth_token).to.match(/^[0-9a-f]{64}$/);
    expect(res.body.data.account_id).to.equal(acct.id);
    // The token works as the X-Auth-Token of the next request.
    await rig.http
      .get(base)
      .set({ ...CURL, 'X-Auth-Token': res.body.auth_token as string })
      .expect(200);
  });

  it("when a clicktocall is created (PUT, seed example), then the answer is the seed's", async () => {
    const res = await curlData(rig.http.put(base).set(T()), {
      data: { name: 'Sales', auth_required: false, extension: '2600' },
    }).expect(201);
    expect(Object.keys(res.body)).to.deep.equal(ENVELOPE);
    expect(res.body).to.include({ status: 'success', auth_token: token });
    expect(sorted(Object.keys(res.body.data))).to.deep.equal([
      'auth_required',
      'custom_application_vars',
      'extension',
      'id',
      'name',
    ]);
    expect(res.body.data).to.include({ auth_required: false, extension: '2600', name: 'Sales' });
    expect(res.body.data.custom_application_vars).to.deep.equal({});
    expect(res.body.data.id).to.match(/^[0-9a-f]{32}$/);
  });

  it('when the clicktocalls are listed (GET, seed example), then data is [{extension, id, name}] with page_size', async () => {
    const c2cId = await created();
    const res = await rig.http.get(base).set(T()).expect(200);
    // As the seed's list answer: a `revision` too (a digest of the page, README, API).
    expect(sorted(Object.keys(res.body))).to.deep.equal(sorted([...ENVELOPE, 'page_size']));
    expect(res.body.revision).to.match(/^[0-9a-f]{32}$/);
    expect(res.body.data).to.deep.equal([{ extension: '2600', id: c2cId, name: 'Sales' }]);
    expect(res.body.page_size).to.equal(1);
  });

  it('when one is fetched (GET, seed example), then the answer is the created document', async () => {
    const c2cId = await created();
    const res = await rig.http.get(`${base}/${c2cId}`).set(T()).expect(200);
    expect(Object.keys(res.body)).to.deep.equal(ENVELOPE);
    expect(res.body.data).to.deep.equal({
      auth_required: false,
      custom_application_vars: {},
      extension: '2600',
      id: c2cId,
      name: 'Sales',
    });
    expect(res.headers['etag']).to.equal(`"${res.body.revision as string}"`);
  });

  it('when it is changed (POST) and patched (PATCH), then each answers the new document', async () => {
    const c2cId = await created();
    const changedRes = await curlData(rig.http.post(`${base}/${c2cId}`).set(T()), {
      data: { name: 'Sales', auth_required: false, extension: '2601' },
    }).expect(200);
    expect(Object.keys(changedRes.body)).to.deep.equal(ENVELOPE);
    expect(changedRes.body.data).to.include({ extension: '2601', id: c2cId });
    const patched = await curlData(rig.http.patch(`${base}/${c2cId}`).set(T()), {
      data: { timeout: 20 },
    }).expect(200);
    expect(Object.keys(patched.body)).to.deep.equal(ENVELOPE);
    expect(patched.body.data).to.include({ extension: '2601', timeout: 20, name: 'Sales' });
  });

  it("when it is connected (GET …/connect?contact=, seed example), then 202 with the seed's originate", async () => {
    const c2cId = await created();
    await changed(c2cId);
    const res = await rig.http.get(`${base}/${c2cId}/connect?contact=%2B15551234567`).set(T()).expect(202);
    expect(res.body.status).to.equal('success');
    const data = res.body.data as Record<string, unknown>;
    expect(data).to.include.all.keys(
      'application_data',
      'application_name',
      'continue_on_fail',
      'custom_application_vars',
      'custom_channel_vars',
      'dial_endpoint_method',
      'endpoints',
      'export_custom_channel_vars',
      'ignore_early_media',
      'loopback_bowout',
      'outbound_call_id',
      'outbound_callee_id_name',
      'outbound_callee_id_number',
      'outbound_caller_id_name',
      'outbound_caller_id_number',
      'simplify_loopback',
      'start_control_process',
      'timeout',
    );
    expect(data).to.include({
      application_name: 'transfer',
      continue_on_fail: true,
      dial_endpoint_method: 'single',
      loopback_bowout: 'false',
      simplify_loopback: 'false',
      start_control_process: 'false',
      outbound_callee_id_number: '2601',
      timeout: 20,
    });
    expect(data['application_data']).to.deep.equal({ route: '+15551234567' });
    expect(data['outbound_call_id']).to.match(new RegExp(`^c2c-${c2cId}-[0-9a-f]{10}$`));
    // The seed's envelope has a revision, and its custom_application_vars hold the query's contact.
    expect(Object.keys(res.body)).to.deep.equal(ENVELOPE);
    expect(data['custom_application_vars']).to.deep.equal({ contact: '+15551234567' });
    const realm = (await rig.services.accounts.getAccount(acct.id))?.realm ?? '';
    expect(data['custom_channel_vars']).to.deep.include({
      auto_answer_loopback: true,
      from_uri: `2601@${realm}`,
      loopback_request_uri: `+15551234567@${realm}`,
      request_uri: `+15551234567@${realm}`,
    });
    expect(data['custom_channel_vars']).to.have.all.keys(
      'account_id',
      'authorizing_id',
      'authorizing_type',
      'auto_answer_loopback',
      'from_uri',
      'inherit_codec',
      'loopback_request_uri',
      'request_uri',
      'retain_cid',
    );
    expect(data['custom_channel_vars']).to.include({
      account_id: acct.id,
      authorizing_id: c2cId,
      authorizing_type: 'clicktocall',
    });
    expect(data['endpoints']).to.have.length(1);
    expect((data['endpoints'] as object[])[0]).to.have.all.keys(
      'invite_format',
      'route',
      'to_did',
      'to_realm',
    );
    expect(data['export_custom_channel_vars']).to.deep.equal([
      'Account-ID',
      'Authorizing-ID',
      'Authorizing-Type',
      'Loopback-Request-URI',
      'From-URI',
      'Request-URI',
    ]);
    const callId = data['outbound_call_id'] as string;
    await pollUntil('the call sent to the switch', () =>
      sw.fake.requests.some((r) => r.command.includes(callId)),
    );
  });

  it('when its history is fetched (GET …/history, seed example), then the connect is there', async () => {
    const c2cId = await created();
    await changed(c2cId);
    await rig.http.get(`${base}/${c2cId}/connect?contact=%2B15551234567`).set(T()).expect(202);
    // Kazoo's fields only hold Kazoo's values: `result` appears once the first party's fate is known.
    const res = await pollUntil('the history item with its result', async () => {
      const page = await rig.http.get(`${base}/${c2cId}/history`).set(T()).expect(200);
      const item = (page.body.data as Array<Record<string, unknown>>)[0];
      return item !== undefined && 'result' in item ? page : undefined;
    });
    expect(res.body.status).to.equal('success');
    expect(res.body.data).to.have.length(1);
    expect(res.body.data[0]).to.include({ contact: '+15551234567' });
    expect(res.body.data[0]).to.include.all.keys('id', 'call_id', 'timestamp', 'result');
    expect(res.body.data[0].result).to.be.oneOf(['success', 'error']);
  });

  it('when it is removed (DELETE, seed example), then 200 and it is gone', async () => {
    const c2cId = await created();
    const res = await rig.http.delete(`${base}/${c2cId}`).set(T()).expect(200);
    expect(Object.keys(res.body)).to.deep.equal(ENVELOPE);
    expect(res.body.data).to.include({ id: c2cId });
    const gone = await rig.http.get(`${base}/${c2cId}`).set(T()).expect(404);
    expect(gone.body).to.include({ status: 'error', error: '404', message: 'bad_identifier' });
  });

  it("when the token is wrong, then 401 in Kazoo's error envelope", async () => {
    const res = await rig.http
      .get(base)
      .set({ ...CURL, 'X-Auth-Token': 'f'.repeat(64) })
      .expect(401);
    expect(res.body).to.include({ status: 'error', error: '401', message: 'invalid_credentials' });
    expect(res.body).to.include.all.keys('data', 'node', 'request_id', 'timestamp', 'version');
  });
});
