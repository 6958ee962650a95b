import { expect } from 'chai';
import supertest from 'supertest';
import { createApp } from '../../src/app';
import { harness, testLogger, type Harness } from '../support/harness';
import { pollUntil } from '../support/poll';
import { switchRig, type SwitchRig } from '../support/switch';

describe('Health (GET /health)', () => {
  let sw: SwitchRig;
  let rig: Harness;

  beforeEach(async () => {
    // A command timeout far above the "at once" bound below: a probe that asked the stopped switch would wait it out.
    sw = await switchRig({ speed: 20, commandTimeoutMs: 30_000 });
    rig = harness({ esl: sw.esl, metrics: true });
  });
  afterEach(() => sw.close());

  it('when the database is writable and the switch linked, then 200 with every check up', async () => {
    const res = await rig.http.get('/health').expect(200);
    expect(res.body).to.include({ status: 'success' });
    expect(res.body.data).to.deep.equal({
      status: 'up',
      checks: { process: 'up', database: 'up', switch: 'up' },
    });
    expect(res.headers['cache-control']).to.equal('no-store');
    await rig.http.head('/health').expect(200);
  });

  it('when the fake switch stops, then 503 at once with the reason, and 200 again once it is back', async () => {
    await sw.fake.stop();
    await pollUntil('the link down', () => !sw.esl.connected);
    const started = Date.now();
    const res = await rig.http.get('/health').expect(503);
    // "At once": far below the link's 30 s command timeout, with room for a loaded machine.
    expect(Date.now() - started).to.be.lessThan(5000);
    expect(res.body).to.include({ status: 'error', error: '503', message: 'unhealthy' });
    expect(res.body.data).to.deep.equal({
      status: 'down',
      reason: 'switch link down',
      checks: { process: 'up', database: 'up', switch: 'down' },
    });
    await sw.fake.start();
    await sw.esl.waitConnected(10_000);
    await rig.http.get('/health').expect(200);
  });

  it('when the database cannot be written, then 503 "database not writable" without internals', async () => {
    await rig.store.close();
    const res = await rig.http.get('/health').expect(503);
    expect(res.body.data).to.deep.equal({
      status: 'down',
      reason: 'database not writable',
      checks: { process: 'up', database: 'down', switch: 'up' },
    });
    expect(JSON.stringify(res.body)).not.to.match(/sqlite|stack|TypeError|not open/i);
  });

  it('when the app has no probe (an app wired without one), then 200 for the process alone', async () => {
    const h = harness();
    const app = createApp({ ...h.services, logger: testLogger(), meta: h.runtime.meta });
    const res = await supertest(app).get('/health').expect(200);
    expect(res.body.data).to.deep.equal({ status: 'up', checks: { process: 'up' } });
    await supertest(app).get('/metrics').expect(404);
  });
});
