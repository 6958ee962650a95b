import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import supertest from 'supertest';
import { createApp } from '../../src/app';
import { createHealthProbe, createServices, envelopeMeta, NO_SWITCH } from '../../src/services';
import { openDatabase } from '../../src/store/sqlite';
import { testLogger } from '../support/harness';
import { eventually, switchRig, type SwitchRig } from '../support/switch';
import { opsRig, type OpsRig } from './ops-rig';

describe('Health (GET /health)', () => {
  let sw: SwitchRig;
  let rig: OpsRig;

  beforeEach(async () => {
    sw = await switchRig({ speed: 20 });
    rig = opsRig({ esl: sw.esl });
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
    await eventually(() => (sw.esl.connected ? undefined : true));
    const started = Date.now();
    const res = await rig.http.get('/health').expect(503);
    expect(Date.now() - started).to.be.lessThan(500);
    expect(res.body).to.include({ status: 'error', error: '503', message: 'unhealthy' });
    expect(res.body.data).to.deep.equal({
      status: 'down',
      reason: 'switch link down',
      checks: { process: 'up', database: 'up', switch: 'down' },
    });
    await sw.fake.start();
    await sw.esl.waitConnected(3000);
    await rig.http.get('/health').expect(200);
  });

  it('when the database cannot be written, then 503 "database not writable" without internals', async () => {
    rig.db.close();
    const res = await rig.http.get('/health').expect(503);
    expect(res.body.data).to.deep.equal({
      status: 'down',
      reason: 'database not writable',
      checks: { process: 'up', database: 'down', switch: 'up' },
    });
    expect(JSON.stringify(res.body)).not.to.match(/sqlite|stack|TypeError|not open/i);
  });

  it('when another connection holds the write lock, then it answers within a moment', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'c2c-health-'));
    const file = path.join(dir, 'c2c.db');
    const db = openDatabase(file);
    const other = openDatabase(file);
    const probe = createHealthProbe({ db, esl: sw.esl });
    expect(probe().ok).to.equal(true);
    other.exec('BEGIN IMMEDIATE');
    const started = Date.now();
    expect(probe()).to.include({ ok: false, reason: 'database not writable' });
    expect(Date.now() - started).to.be.lessThan(500);
    other.exec('ROLLBACK');
    expect(probe().ok).to.equal(true);
    expect(db.pragma('busy_timeout', { simple: true })).to.equal(1000);
    other.close();
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('when the app has no probe (as older wiring), then 200 for the process alone', async () => {
    const logger = testLogger();
    const services = createServices({
      db: openDatabase(':memory:'),
      tokenTtlS: 3600,
      dialplanContext: 'default',
      esl: NO_SWITCH,
      logger,
    });
    const app = createApp({ ...services, logger, meta: envelopeMeta() });
    const res = await supertest(app).get('/health').expect(200);
    expect(res.body.data).to.deep.equal({ status: 'up', checks: { process: 'up' } });
    await supertest(app).get('/metrics').expect(404);
  });
});
