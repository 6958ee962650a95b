import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { StoreBusyError } from '../../src/store/ports';
import { integrityCheck } from '../../src/store/sqlite/database';
import { openSqliteStore } from '../../src/store/sqlite/store';
import { FakeSwitch } from '../../fake-switch/server';
import { harness, minimal, type Harness } from '../support/harness';
import { startService, stopService, tokenFor } from '../support/service-process';
import { pollUntil } from '../support/poll';
import { switchRig, type SwitchRig } from '../support/switch';

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });

type Api = { base: string; token: string; accountId: string };

async function api(svc: Api, method: string, path: string, body?: unknown) {
  const res = await fetch(`${svc.base}${path}`, {
    method,
    headers: { 'X-Auth-Token': svc.token, 'Content-Type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as { data: Record<string, unknown> } };
}

async function createConfig(svc: Api, data: Record<string, unknown>): Promise<string> {
  const res = await api(svc, 'PUT', `/v2/accounts/${svc.accountId}/clicktocall`, {
    data: { name: 'Fault', ...data },
  });
  expect(res.status).to.equal(201);
  return res.body.data['id'] as string;
}

describe('faults: the service process', function () {
  this.timeout(60_000);
  let dir: string;
  let fake: FakeSwitch | undefined;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'c2c-faults-'));
  });
  afterEach(async () => {
    await fake?.stop();
    fake = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('when the switch is absent at start, then connects are 503 at once, and work once it appears (no restart)', async () => {
    const port = await freePort();
    const svc = await startService({ DB_PATH: path.join(dir, 'c2c.db'), ESL_PORT: String(port) });
    try {
      const a: Api = {
        base: svc.base,
        token: await tokenFor(svc.base, svc.apiKey!),
        accountId: svc.accountId!,
      };
      const id = await createConfig(a, { extension: '2600' });
      const started = Date.now();
      const refused = await api(
        a,
        'GET',
        `/v2/accounts/${a.accountId}/clicktocall/${id}/connect?contact=2601`,
      );
      expect(refused.status).to.equal(503);
      // At once: not after the originate's 5 s command timeout (src/clicktocall/connect-service.ts), with room for load.
      expect(Date.now() - started).to.be.below(4000);
      fake = new FakeSwitch({ port });
      await fake.start();
      // Once the switch is back, a connect is accepted again (without a restart of the service).
      await pollUntil(
        'a connect accepted',
        async () =>
          (await api(a, 'GET', `/v2/accounts/${a.accountId}/clicktocall/${id}/connect?contact=2601`))
            .status === 202,
        { timeoutMs: 20_000 },
      );
      expect(svc.output()).to.include('FreeSWITCH is not reachable');
      await pollUntil('the recovery logged', () => svc.output().includes('FreeSWITCH is reachable again'));
    } finally {
      expect(await stopService(svc.child)).to.equal(0);
    }
  });

  it('when the switch refuses auth, then one plain "authentication refused" line, retries with backoff (no tight loop), never the password', async () => {
    fake = new FakeSwitch({ password: 'not-the-one' });
    const { port } = await fake.start();
    const svc = await startService({
      DB_PATH: path.join(dir, 'c2c.db'),
      ESL_PORT: String(port),
      ESL_PASSWORD: 'S3cret-esl-pw',
    });
    try {
      const f = fake;
      const authTimes = (): number[] =>
        f.requests.filter((r) => r.command.startsWith('auth')).map((r) => r.at.getTime());
      // Four attempts (about 1.75 s at 250 ms doubling); then the waits between them, measured from below: a load
      // can only lengthen them, a tight loop would make them a few milliseconds.
      await pollUntil('four attempts', () => authTimes().length >= 4, { timeoutMs: 30_000 });
      const t = authTimes().slice(0, 4);
      const gaps = t.slice(1).map((x, i) => x - (t[i] ?? x));
      // The service's backoff: 250 ms doubling, ±20 % jitter (esl/backoff.ts): at least 200, 400 and 800 ms.
      gaps.forEach((gap, i) => expect(gap, `gaps ${gaps.join(', ')} ms`).to.be.at.least(200 * 2 ** i - 5));
      expect(svc.output().match(/authentication refused/g)).to.have.length(1);
      expect(svc.output()).to.not.include('FreeSWITCH is not reachable');
      expect(svc.output()).to.not.include('S3cret-esl-pw');
    } finally {
      expect(await stopService(svc.child)).to.equal(0);
    }
  });

  it('when SIGTERM comes under load, then in-flight connects finish, new ones are refused, and the database closes clean', async () => {
    fake = new FakeSwitch({ speed: 1 });
    const { port } = await fake.start();
    const file = path.join(dir, 'c2c.db');
    const svc = await startService({ DB_PATH: file, ESL_PORT: String(port) });
    const a: Api = {
      base: svc.base,
      token: await tokenFor(svc.base, svc.apiKey!),
      accountId: svc.accountId!,
    };
    // The first party rings about 1.7 s, then NO_ANSWER: each blocking connect is in flight that long.
    const id = await createConfig(a, { extension: '2480', timeout: 2 });
    await pollUntil('connected', () => svc.output().includes('esl connected'));
    const f = fake;
    const inFlight = Array.from({ length: 20 }, (_, i) =>
      api(a, 'POST', `/v2/accounts/${a.accountId}/clicktocall/${id}/connect`, {
        data: { contact: `26${String(i).padStart(2, '0')}`, blocking: true },
      }),
    );
    // Every connect in flight: its originate has reached the switch (no guessed delay).
    await pollUntil(
      'the 20 originates at the switch',
      () => f.commands.filter((c) => c.startsWith('bgapi originate')).length === 20,
      { timeoutMs: 20_000 },
    );
    const exit = stopService(svc.child);
    // The service has begun to stop once it says so (src/main.ts logs "stopping" before it closes its server).
    await pollUntil('the stop begun', () => svc.output().includes('"message":"stopping"'), {
      timeoutMs: 20_000,
    });
    const late = await fetch(`${svc.base}/v2/accounts/${a.accountId}/clicktocall`, {
      headers: { 'X-Auth-Token': a.token },
    }).then(
      (r) => r.status,
      (e: Error) => e.name,
    );
    expect(late).to.not.equal(200);
    const answers = await Promise.all(inFlight);
    expect(answers.map((r) => r.status)).to.deep.equal(Array.from({ length: 20 }, () => 200));
    for (const r of answers) expect(r.body.data).to.include({ result: 'error', cause: 'NO_ANSWER' });
    expect(await exit).to.equal(0);
    expect(integrityCheck(file)).to.equal('ok');
    const store = openSqliteStore({ file });
    expect(await store.history.list({ accountId: a.accountId, clicktocallId: id })).to.have.length(20);
    await store.close();
  });

  it('when killed with -9 under load and restarted, then no acknowledged record is lost and open calls are closed', async () => {
    fake = new FakeSwitch({ speed: 1 });
    const { port } = await fake.start();
    const file = path.join(dir, 'c2c.db');
    const env = { DB_PATH: file, ESL_PORT: String(port) };
    const svc = await startService(env);
    const a: Api = {
      base: svc.base,
      token: await tokenFor(svc.base, svc.apiKey!),
      accountId: svc.accountId!,
    };
    await pollUntil('connected', () => svc.output().includes('esl connected'));
    const id = await createConfig(a, { extension: '2600' });
    const configs: string[] = [];
    const calls: string[] = [];
    let stop = false;
    const load = async (n: number) => {
      for (let i = 0; !stop; i++) {
        try {
          if (i % 2 === 0) {
            const r = await api(a, 'PUT', `/v2/accounts/${a.accountId}/clicktocall`, {
              data: { name: `L${n}-${i}`, extension: '2600' },
            });
            if (r.status === 201) configs.push(r.body.data['id'] as string);
          } else {
            const r = await api(
              a,
              'GET',
              `/v2/accounts/${a.accountId}/clicktocall/${id}/connect?contact=%2B1555123${String(i % 10000).padStart(4, '0')}`,
            );
            if (r.status === 202) calls.push(r.body.data['call_id'] as string);
          }
        } catch {
          return; // the process is gone
        }
      }
    };
    const workers = [load(1), load(2), load(3), load(4)];
    // Killed under load: once a fair number of writes were acknowledged, however long that takes on this machine.
    await pollUntil('20 writes acknowledged', () => configs.length + calls.length >= 20, {
      timeoutMs: 30_000,
    });
    svc.child.kill('SIGKILL');
    stop = true;
    await Promise.all(workers);
    expect(configs.length + calls.length).to.be.greaterThan(10);

    const again = await startService(env);
    try {
      const b: Api = { ...a, base: again.base };
      for (const cid of configs)
        expect((await api(b, 'GET', `/v2/accounts/${a.accountId}/clicktocall/${cid}`)).status).to.equal(200);
      for (const call of calls) {
        const r = await api(b, 'GET', `/v2/accounts/${a.accountId}/clicktocall/${id}/history/${call}`);
        expect(r.status, call).to.equal(200);
      }
      // The calls the dead process placed go on at the switch: the new process follows them to their end.
      const store = openSqliteStore({ file });
      try {
        await pollUntil(
          'every call followed to its end',
          async () => (await store.history.openPage(0, 1000)).length === 0,
          {
            timeoutMs: 30_000,
          },
        );
      } finally {
        await store.close();
      }
    } finally {
      expect(await stopService(again.child)).to.equal(0);
    }
  });
});

describe('faults: a slow switch and a busy database, in process', function () {
  this.timeout(20_000);

  it('when the switch stops answering, then a connect gets 503 once the command times out, and works when it answers again', async () => {
    // The link's own timeout (30 s) far above the service's 300 ms: the answer must come from the latter.
    const rig = await switchRig({ commandTimeoutMs: 30_000 });
    try {
      const h = harness({ esl: rig.esl, now: () => new Date(), commandTimeoutMs: 300 });
      const acct = await h.account();
      const created = await h.http
        .put(`/v2/accounts/${acct.id}/clicktocall`)
        .set('X-Auth-Token', acct.token)
        .send(minimal())
        .expect(201);
      const url = `/v2/accounts/${acct.id}/clicktocall/${created.body.data.id as string}/connect?contact=2601`;
      rig.fake.stall(true);
      const started = Date.now();
      const res = await h.http.get(url).set('X-Auth-Token', acct.token).expect(503);
      expect(res.body.message).to.equal('switch_unavailable');
      // Not before the 300 ms command timeout; well before the link's 30 s one (room for a loaded machine).
      expect(Date.now() - started).to.be.within(290, 10_000);
      rig.fake.stall(false);
      await h.http.get(url).set('X-Auth-Token', acct.token).expect(202);
    } finally {
      await rig.close();
    }
  });

  it('when the store is busy (another process holds its write lock), then 503 storage_busy with Retry-After, reads go on, and it serves again once free', async () => {
    const h = harness();
    const acct = await h.account();
    const insert = h.store.clicktocalls.insert.bind(h.store.clicktocalls);
    h.store.clicktocalls.insert = () => Promise.reject(new StoreBusyError());
    const res = await h.http
      .put(`/v2/accounts/${acct.id}/clicktocall`)
      .set('X-Auth-Token', acct.token)
      .send(minimal())
      .expect(503);
    expect(res.body).to.include({ error: '503', message: 'storage_busy' });
    expect(res.headers['retry-after']).to.equal('1');
    await h.http.get(`/v2/accounts/${acct.id}/clicktocall`).set('X-Auth-Token', acct.token).expect(200);
    h.store.clicktocalls.insert = insert;
    await h.http
      .put(`/v2/accounts/${acct.id}/clicktocall`)
      .set('X-Auth-Token', acct.token)
      .send(minimal())
      .expect(201);
    await h.close();
  });
});

describe('faults: the switch link, in process', function () {
  this.timeout(20_000);
  let rig: SwitchRig;
  let h: Harness;
  let acct: Awaited<ReturnType<Harness['account']>>;
  beforeEach(async () => {
    rig = await switchRig();
    h = harness({ esl: rig.esl, now: () => new Date() });
    acct = await h.account();
  });
  afterEach(() => rig.close());

  for (const [what, bytes] of [
    ['a garbage frame', 'this is not ESL\n\n'],
    [
      'a frame with an absurd Content-Length',
      'Content-Type: text/event-plain\nContent-Length: 99999999999\n\n',
    ],
    ['an oversized header block', `Content-Type: text/event-plain\nX: ${'y'.repeat(200_000)}\n\n`],
  ] as const) {
    it(`when the switch sends ${what}, then the link is reset and reconnected, and connects work again`, async () => {
      const created = await h.http
        .put(`/v2/accounts/${acct.id}/clicktocall`)
        .set('X-Auth-Token', acct.token)
        .send(minimal())
        .expect(201);
      const url = `/v2/accounts/${acct.id}/clicktocall/${created.body.data.id as string}/connect?contact=2601`;
      const reconnects = rig.esl.health.reconnects;
      rig.fake.sendRaw(bytes);
      await pollUntil('reconnected', () => rig.esl.health.reconnects > reconnects && rig.esl.connected, {
        timeoutMs: 5000,
      });
      await h.http.get(url).set('X-Auth-Token', acct.token).expect(202);
    });
  }
});
