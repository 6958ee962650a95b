/**
 * Several service processes over one PostgreSQL database and two fake switches (docs/switches.md#several-instances):
 * any instance serves any request, calls spread over both switches, the throttle holds across instances, and when
 * the instance that tracks a switch is killed (`kill -9`) the other takes it over: no record left open, none
 * lost, none followed by two instances.
 */
import { expect } from 'chai';
import pg from 'pg';
import { FakeSwitch } from '../../fake-switch/server';
import type { HistoryDoc } from '../../src/domain';
import { randomHex } from '../../src/ids';
import { pollUntil } from '../support/poll';
import { requirePostgres } from '../support/postgres';
import { startService, stopService, tokenFor, type ServiceProcess } from '../support/service-process';

type Health = { status: number; switches?: Record<string, { up: boolean; tracked: boolean }> };

async function health(svc: ServiceProcess): Promise<Health> {
  const res = await fetch(`${svc.base}/health`);
  const body = (await res.json()) as { data?: { switches?: Health['switches'] } };
  return { status: res.status, ...(body.data?.switches && { switches: body.data.switches }) };
}

/** The switches an instance tracks now. */
const tracked = async (svc: ServiceProcess): Promise<string[]> =>
  Object.entries((await health(svc)).switches ?? {})
    .filter(([, s]) => s.tracked)
    .map(([name]) => name)
    .sort();

const tracksBoth = async (svc: ServiceProcess): Promise<boolean> => (await tracked(svc)).join() === 'fs1,fs2';

/** The calls an instance followed: those it logged a status change of. */
const followed = (output: string): Set<string> => {
  const ids = new Set<string>();
  for (const line of output.split('\n'))
    if (line.includes('"message":"call status"')) {
      const id = /"call_id":"([^"]+)"/.exec(line)?.[1];
      if (id !== undefined) ids.add(id);
    }
  return ids;
};

/** The database URL with another database name. */
const withDatabase = (url: string, name: string): string => {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
};

describe('instances: two service processes over PostgreSQL, two switches', function () {
  this.timeout(60_000);
  let admin: pg.Client;
  let database: string;
  let url: string;
  const switches = [new FakeSwitch({ speed: 1 }), new FakeSwitch({ speed: 1 })];
  const services: ServiceProcess[] = [];
  let token = '';
  let accountId = '';

  const call = async (svc: ServiceProcess, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${svc.base}/v2/accounts/${accountId}/clicktocall${path}`, {
      method,
      headers: { 'X-Auth-Token': token, 'Content-Type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as { data: unknown } };
  };
  const configure = async (extra: Record<string, unknown> = {}): Promise<string> => {
    const res = await call(services[0]!, 'PUT', '', { data: { name: 'Sales', extension: '2600', ...extra } });
    expect(res.status).to.equal(201);
    return (res.body.data as { id: string }).id;
  };
  const connect = (svc: ServiceProcess, id: string, contact: string) =>
    call(svc, 'POST', `/${id}/connect`, { data: { contact } });
  const history = async (svc: ServiceProcess, id: string): Promise<HistoryDoc[]> =>
    (await call(svc, 'GET', `/${id}/history?paginate=false`)).body.data as HistoryDoc[];

  before(async function () {
    this.timeout(120_000);
    const base = await requirePostgres(this);
    database = `c2c_instances_${randomHex(6)}`;
    admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    url = withDatabase(base, database);
    const ports = await Promise.all(switches.map(async (s) => (await s.start()).port));
    const env = {
      DATABASE_URL: url,
      SWITCHES: JSON.stringify(ports.map((port, i) => ({ name: `fs${i + 1}`, host: '127.0.0.1', port }))),
      DB_PATH: '/nonexistent/never-used.db',
    };
    services.push(await startService(env));
    // The first instance takes both leases before the second starts, so which one tracks is known.
    await pollUntil('the first instance tracks both switches', () => tracksBoth(services[0]!), {
      timeoutMs: 15_000,
    });
    services.push(await startService(env));
    // Then it hands one lease over: one switch each (docs/switches.md#one-tracker-per-switch).
    await pollUntil(
      'one switch each',
      async () => (await tracked(services[0]!)).length === 1 && (await tracked(services[1]!)).length === 1,
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    accountId = services[0]!.accountId ?? '';
    expect(accountId, 'the first start created the account').to.match(/^[0-9a-f]{32}$/);
    token = await tokenFor(services[0]!.base, services[0]!.apiKey ?? '');
  });

  after(async () => {
    await Promise.all(services.map((s) => stopService(s.child, 'SIGKILL')));
    await Promise.all(switches.map((s) => s.stop()));
    if (admin) {
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
      await admin.end();
    }
  });

  it('when calls are placed through both instances, then each serves them, they spread over both switches, and either reads them', async () => {
    const id = await configure();
    for (let i = 0; i < 8; i += 1) {
      const res = await connect(services[i % 2]!, id, `+1415555${String(1000 + i)}`);
      expect(res.status, JSON.stringify(res.body)).to.equal(202);
    }
    const docs = await history(services[1]!, id);
    expect(docs).to.have.length(8);
    const on = (name: string) => docs.filter((d) => d['switch'] === name).length;
    expect(on('fs1') + on('fs2')).to.equal(8);
    expect(Math.min(on('fs1'), on('fs2')), 'both switches carry calls').to.be.at.least(2);
    // The second instance tracks nothing: it never followed a call.
    const done = await pollUntil(
      'every call over',
      async () => {
        const all = await history(services[0]!, id);
        return all.every((d) => d['ended_at'] !== undefined) && all;
      },
      { timeoutMs: 20_000 },
    );
    for (const d of done) expect(d).to.include({ status: 'completed', hangup_cause: 'NORMAL_CLEARING' });
    // Each call followed by one instance: the one that tracks its switch, whichever instance placed it.
    const [first, second] = services.map((svc) => followed(svc.output())) as [Set<string>, Set<string>];
    const firstTracks = await tracked(services[0]!);
    for (const d of done) {
      expect(first.has(d.call_id) !== second.has(d.call_id), `${d.call_id} followed once`).to.equal(true);
      expect(first.has(d.call_id), `${d.call_id} followed by its switch's tracker`).to.equal(
        firstTracks.includes(String(d['switch'])),
      );
    }
  });

  it('when connects race through both instances, then the throttle admits exactly its limit', async () => {
    const id = await configure({ throttle: 4 });
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => connect(services[i % 2]!, id, `+1415555${String(2000 + i)}`)),
    );
    const codes = answers.map((a) => a.status).sort();
    expect(codes.filter((c) => c === 202)).to.have.length(4);
    expect(codes.filter((c) => c === 429)).to.have.length(8);
    expect(await history(services[1]!, id)).to.have.length(4);
  });

  it('when a switch dies mid-call, then both instances place new calls on the other, and its open calls close once it is back', async () => {
    const id = await configure();
    for (let i = 0; i < 6; i += 1)
      expect((await connect(services[i % 2]!, id, `+1415555${String(4000 + i)}`)).status).to.equal(202);
    await pollUntil('calls connected', async () =>
      (await history(services[0]!, id)).every((d) => d.status === 'connected'),
    );
    const dead = switches[0]!;
    await dead.stop();
    await pollUntil('fs1 out of rotation on both instances', async () => {
      const views = await Promise.all(services.map(health));
      return views.every((v) => v.switches?.['fs1']?.up === false);
    });
    const before = (await history(services[0]!, id)).filter((d) => d['switch'] === 'fs1');
    expect(before.length, 'calls on the dead switch').to.be.at.least(1);
    for (let i = 0; i < 6; i += 1) {
      const res = await connect(services[i % 2]!, id, `+1415555${String(4100 + i)}`);
      expect(res.status, 'connects go on').to.equal(202);
    }
    const during = await history(services[1]!, id);
    expect(
      during.filter((d) => d['switch'] === 'fs1'),
      'none placed on the dead switch',
    ).to.have.length(before.length);
    expect(
      during.filter((d) => d['switch'] === 'fs1').map((d) => d.status),
      'its calls wait for it',
    ).to.deep.equal(before.map(() => 'connected'));
    // It comes back empty (a restart): its tracker reconciles, and the calls it lost are closed.
    await dead.start();
    const done = await pollUntil(
      'every call closed',
      async () => {
        const all = await history(services[0]!, id);
        return all.every((d) => d['ended_at'] !== undefined) && all;
      },
      { timeoutMs: 30_000 },
    );
    for (const d of done)
      expect(d, String(d['switch'])).to.include({ status: 'completed', result: 'success' });
    for (const d of done.filter((r) => r['switch'] === 'fs2'))
      expect(d, 'the live switch’s calls end as played').to.include({ hung_up_by: 'contact' });
    await pollUntil('fs1 back on both instances', async () => {
      const views = await Promise.all(services.map(health));
      return views.every((v) => v.switches?.['fs1']?.up === true);
    });
  });

  it('when an instance that tracks a switch is killed mid-call, then the other takes it over within seconds and every call ends recorded once', async () => {
    const [victim, other] = services as [ServiceProcess, ServiceProcess];
    const victimSwitch = (await tracked(victim))[0];
    expect(victimSwitch).to.be.oneOf(['fs1', 'fs2']);
    const id = await configure();
    const placedAt = Date.now();
    for (let i = 0; i < 10; i += 1) {
      const res = await connect(services[i % 2]!, id, `+1415555${String(3000 + i)}`);
      expect(res.status).to.equal(202);
    }
    await pollUntil('calls connected', async () =>
      (await history(other, id)).every((d) => d.status === 'connected'),
    );
    // The tracker dies just before the contacts hang up (about 5.1 s after each answer): their hang-ups fall
    // between the death and the takeover, and only the events the other instance kept tell how the calls ended.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, placedAt + 5000 - Date.now())));
    const beforeKill = other.output().length;
    const killedAt = Date.now();
    await stopService(victim.child, 'SIGKILL');
    await pollUntil('the other instance tracks both switches', () => tracksBoth(other), {
      timeoutMs: 15_000,
      intervalMs: 50,
    });
    const takeoverMs = Date.now() - killedAt;
    console.log(`      takeover after kill -9: ${takeoverMs} ms`);
    expect(takeoverMs).to.be.below(15_000);

    const done = await pollUntil(
      'every call over',
      async () => {
        const all = await history(other, id);
        return all.every((d) => d['ended_at'] !== undefined) && all;
      },
      { timeoutMs: 30_000 },
    );
    expect(done, 'none lost').to.have.length(10);
    for (const d of done)
      expect(d, 'each ends as the switch played it').to.include({
        status: 'completed',
        result: 'success',
        hangup_cause: 'NORMAL_CLEARING',
        hung_up_by: 'contact',
      });
    // Followed by one instance at a time: before the kill the survivor followed none of the victim's switch's calls.
    const survivorBefore = followed(other.output().slice(0, beforeKill));
    for (const d of done.filter((r) => r['switch'] === victimSwitch))
      expect(survivorBefore.has(d.call_id), `${d.call_id} followed twice`).to.equal(false);
    expect(
      done.filter((r) => r['switch'] === victimSwitch).length,
      'calls on the killed switch',
    ).to.be.at.least(2);
    expect(other.output().slice(beforeKill)).to.include('"message":"switch taken over"');

    // And it goes on serving: a new call is placed and followed to its end.
    expect((await connect(other, id, '+14155554000')).status).to.equal(202);
    await pollUntil(
      'the new call over',
      async () => (await history(other, id)).every((d) => d['ended_at'] !== undefined),
      { timeoutMs: 20_000 },
    );
  });
});
