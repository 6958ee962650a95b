/**
 * Durable webhooks through a `kill -9`: the real service process places calls on the fake switch while its
 * receiver hangs (four attempts in flight, the rest waiting), is killed with SIGKILL, and is started again on the
 * same database: every event the calls wrote reaches the receiver, each call's in order. Prints its counts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { FakeSwitch } from '../../fake-switch/server';
import { EVENT_STATUSES } from '../../src/webhooks/events';
import { pollUntil } from '../support/poll';
import { receiver, type Receiver } from '../support/receiver';
import { startService, stopService, tokenFor, type ServiceProcess } from '../support/service-process';

const CALLS = 20;
const EVENTS_PER_CALL = 5; // originating, ringing, answered, connected, completed

/** Starts the service and waits until it is connected to the switch (a connect before that is 503). */
async function startConnected(env: Record<string, string>): Promise<ServiceProcess> {
  const svc = await startService(env);
  await pollUntil('the switch link up', async () => (await fetch(`${svc.base}/health`)).status === 200);
  return svc;
}

describe('status webhooks: kill -9 with events pending', function () {
  this.timeout(60_000);
  let dir: string;
  let fake: FakeSwitch;
  let rx: Receiver;
  let svc: ServiceProcess | undefined;
  let env: Record<string, string>;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'c2c-kill9-'));
    fake = new FakeSwitch({ speed: 20 });
    rx = await receiver();
    const { port } = await fake.start();
    env = {
      DB_PATH: path.join(dir, 'c2c.db'),
      ESL_PORT: String(port),
      WEBHOOKS_ALLOW_PRIVATE_NETWORKS: 'true',
    };
  });
  afterEach(async () => {
    if (svc) await stopService(svc.child, 'SIGKILL');
    await fake.stop();
    await rx.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /**
   * The service started with the receiver hanging, a configuration sending `events` to it, and a way to call the
   * API with the first account's token.
   */
  async function started(events: readonly string[]) {
    rx.answer(() => 'hang');
    svc = await startConnected(env);
    const { base, accountId } = svc;
    const token = await tokenFor(base, svc.apiKey!);
    const api = async (method: string, url: string, body?: unknown): Promise<{ data: unknown }> => {
      const res = await fetch(`${base}/v2/accounts/${accountId!}${url}`, {
        method,
        headers: { 'X-Auth-Token': token, 'Content-Type': 'application/json' },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      return (await res.json()) as { data: unknown };
    };
    const config = (await api('PUT', '/clicktocall', {
      data: { name: 'Sales', extension: '2600', status_callback: { url: rx.url, events } },
    })) as { data: { id: string } };
    const connect = () =>
      api('POST', `/clicktocall/${config.data.id}/connect`, { data: { contact: '+15551234567' } });
    return { api, connect };
  }

  it('when the service is killed with attempts in flight and events waiting, then after a restart every event is delivered, in order per call', async () => {
    const { api, connect } = await started(EVENT_STATUSES);
    for (let i = 0; i < CALLS; i++) await connect();
    const written = CALLS * EVENTS_PER_CALL;
    await pollUntil(
      `${written} events pending`,
      async () =>
        ((await api('GET', '/webhook_deliveries?state=pending&paginate=false')).data as unknown[]).length ===
        written,
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    const inFlightAtKill = rx.received.length;
    expect(inFlightAtKill).to.equal(4); // the per-destination bound, each hanging

    expect(await stopService(svc!.child, 'SIGKILL')).to.equal('SIGKILL');
    rx.answer(() => ({ status: 204 }));
    svc = await startConnected(env);

    const ids = () => new Set(rx.delivered.map((d) => d.json.data.event_id));
    await pollUntil(`${written} distinct events delivered`, () => ids().size === written, {
      timeoutMs: 20_000,
      intervalMs: 100,
    });
    const byCall = new Map<string, number[]>();
    for (const d of rx.delivered)
      byCall.set(d.json.data.call_id, [...(byCall.get(d.json.data.call_id) ?? []), d.json.data.sequence]);
    expect(byCall.size).to.equal(CALLS);
    for (const sequences of byCall.values()) expect(sequences).to.deep.equal([1, 2, 3, 4, 5]);
    const received = new Map<string, number>();
    for (const r of rx.received) {
      const id = r.headers['webhook-id'] ?? '';
      received.set(id, (received.get(id) ?? 0) + 1);
    }
    const twice = [...received.values()].filter((n) => n > 1).length;
    expect(twice).to.equal(inFlightAtKill);
    console.log(
      `      kill -9: ${written} events written, ${inFlightAtKill} in flight and ${written - inFlightAtKill} waiting at the kill; ` +
        `after the restart ${ids().size} distinct delivered (${rx.received.length} requests in all, ${twice} ids seen twice), 0 lost`,
    );
  });

  it('when stopped with SIGTERM while an attempt hangs, then it exits 0 after a short grace and the event is sent at the next start', async () => {
    const { connect } = await started(['completed']);
    await connect();
    await pollUntil('the attempt hanging', () => rx.received.length === 1, { timeoutMs: 10_000 });
    const stoppedAt = Date.now();
    expect(await stopService(svc!.child, 'SIGTERM')).to.equal(0);
    expect(Date.now() - stoppedAt).to.be.below(8000); // main's hard deadline is 10 s; the grace is 2 s
    rx.answer(() => ({ status: 204 }));
    svc = await startConnected(env);
    await pollUntil('delivered after the restart', () => rx.delivered.length === 1, { timeoutMs: 10_000 });
    expect(rx.delivered[0]!.headers['webhook-id']).to.equal(rx.received[0]!.headers['webhook-id']);
  });
});
