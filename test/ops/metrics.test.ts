import { expect } from 'chai';
import { METRIC_NAMES } from '../../src/metrics';
import { type Harness, LOG_LINES, harness } from '../support/harness';
import { pollUntil } from '../support/poll';
import { switchRig, type SwitchRig } from '../support/switch';

const TOKEN = 'metrics-secret-0123456789abcdef';

/** The value of one sample line, e.g. `name{a="b"} 3`; undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('Prometheus metrics (GET /metrics)', () => {
  let sw: SwitchRig;
  let rig: Harness;
  let text: string;

  before(async function () {
    this.timeout(30_000);
    sw = await switchRig({ speed: 20 });
    rig = harness({ esl: sw.esl, metrics: true, metricsToken: TOKEN });
    const acct = await rig.account();
    const T = { 'X-Auth-Token': acct.token };
    const base = `/v2/accounts/${acct.id}/clicktocall`;
    const created = await rig.http
      .put(base)
      .set(T)
      .send({ data: { name: 'Sales', extension: '2600' } });
    const id = created.body.data.id as string;
    const connect = await rig.http.get(`${base}/${id}/connect?contact=%2B15551234567`).set(T).expect(202);
    const callId = connect.body.data.call_id as string;
    await pollUntil(
      'the call completed',
      async () =>
        rig.calls.tracker.inFlight === 0 &&
        (await rig.store.history.byCallId(callId))?.doc.status === 'completed',
      { timeoutMs: 8000 },
    );
    await rig.http.get(`${base}/${id}/connect?contact=%2B15551234567`).expect(401);
    sw.fake.dropConnections();
    await pollUntil('reconnected', () => sw.esl.health.reconnects > 0 && sw.esl.connected, {
      timeoutMs: 10_000,
    });
    text = (await rig.http.get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200)).text;
  });
  after(() => sw.close());

  it('when scraped after a connect, then every series is there', () => {
    for (const name of METRIC_NAMES)
      expect(text, name).to.match(new RegExp(`^${name}(\\{|_bucket|_count| )`, 'm'));
  });

  it('when scraped after a connect, then the connect, its call and its switch traffic are counted', () => {
    expect(sample(text, 'clicktocall_connects_total{outcome="accepted"}')).to.equal(1);
    expect(
      sample(text, 'clicktocall_calls_ended_total{status="completed",cause="NORMAL_CLEARING"}'),
    ).to.equal(1);
    expect(sample(text, 'clicktocall_calls_in_flight')).to.equal(0);
    expect(sample(text, 'clicktocall_esl_connected')).to.equal(1);
    expect(sample(text, 'clicktocall_esl_reconnects_total')).to.equal(1);
    expect(
      sample(text, 'clicktocall_esl_command_duration_seconds_count{command="originate",result="ok"}'),
    ).to.equal(1);
    expect(sample(text, 'clicktocall_esl_events_total{event="CHANNEL_ANSWER"}')).to.be.greaterThan(0);
    expect(sample(text, 'clicktocall_esl_events_unknown_total{reason="unknown_call"}')).to.be.a('number');
    expect(
      sample(text, 'clicktocall_store_write_duration_seconds_count{operation="history_insert"}'),
    ).to.equal(1);
    expect(
      sample(text, 'clicktocall_store_write_duration_seconds_count{operation="history_update"}'),
    ).to.be.greaterThan(1);
    expect(
      sample(text, 'clicktocall_store_write_duration_seconds_count{operation="clicktocall_insert"}'),
    ).to.equal(1);
  });

  it('when scraped, then HTTP requests are counted by route template and code, with latencies', () => {
    const connect = '/v2/accounts/{account_id}/clicktocall/{clicktocall_id}/connect';
    expect(
      sample(text, `clicktocall_http_requests_total{route="${connect}",method="GET",code="202"}`),
    ).to.equal(1);
    expect(
      sample(text, `clicktocall_http_requests_total{route="${connect}",method="GET",code="401"}`),
    ).to.equal(1);
    expect(
      sample(
        text,
        `clicktocall_http_request_duration_seconds_count{route="${connect}",method="GET",code="202"}`,
      ),
    ).to.equal(1);
    expect(text).not.to.match(/route="\/v2\/accounts\/[0-9a-f]{32}/);
  });

  it('when an unknown path is asked for, then its label is "unmatched" (bounded label values)', async () => {
    await rig.http.get('/no/such/path/123').expect(404);
    const after = (await rig.http.get('/metrics').set('Authorization', `Bearer ${TOKEN}`)).text;
    expect(
      sample(after, 'clicktocall_http_requests_total{route="unmatched",method="GET",code="404"}'),
    ).to.equal(1);
  });

  it('when the token is missing or wrong, then 401 in the Kazoo envelope, and the token is never shown', async () => {
    for (const auth of [undefined, 'Bearer wrong-token-0123456789', `Basic ${TOKEN}`, TOKEN]) {
      const req = rig.http.get('/metrics');
      const res = await (auth === undefined ? req : req.set('Authorization', auth)).expect(401);
      expect(res.body).to.include({ status: 'error', error: '401', message: 'invalid_credentials' });
      expect(res.headers['www-authenticate']).to.match(/^Bearer/);
      expect(res.body).not.to.have.property('auth_token');
      expect(JSON.stringify(res.body) + JSON.stringify(res.headers)).not.to.include(TOKEN);
    }
    const ok = await rig.http.get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200);
    expect(ok.headers['content-type']).to.match(/^text\/plain/);
    expect(ok.text).not.to.include(TOKEN);
    expect(LOG_LINES.some((l) => l.includes(TOKEN))).to.equal(false);
  });

  it('when no token is configured, then /metrics is open', async () => {
    const open = harness({ metrics: true });
    const res = await open.http.get('/metrics').expect(200);
    expect(res.text).to.match(/^clicktocall_esl_connected 0$/m);
  });
});
