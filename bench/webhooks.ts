/**
 * The webhook delivery row: N status events waiting in the outbox (N/5 finished calls, five events each, as a
 * receiver that was down for a while leaves them), the service started on them, and a local receiver in its own
 * process counting what arrives. Beside it, the baseline: the same N signed-size POSTs sent from this process by
 * a bare keep-alive HTTP client at the same concurrency as the worker's bound per destination (4).
 */
import crypto from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import type { NewWebhookEvent } from '../src/store/ports';
import { payloadOf } from '../src/webhooks/events';
import { openSqliteStore } from '../src/store/sqlite/store';
import { ask, startService, type Child } from './lib/proc';

type Stats = { count: number; distinct: number; firstNs?: string; lastNs?: string };

export type DeliveryResult = {
  events: number;
  bodyBytes: number;
  eventsPerS: number;
  baselinePerS: number;
  distinct: number;
};

const STATUSES = ['originating', 'ringing', 'answered', 'connected', 'completed'];

/**
 * N events of N/5 finished calls, written as the service writes them (the record's unit of work); returns how
 * many, and the size of one payload.
 */
async function fillOutbox(
  dbPath: string,
  accountId: string,
  url: string,
  events: number,
): Promise<{ written: number; bodyBytes: number }> {
  const store = openSqliteStore({ file: dbPath });
  try {
    const configId = crypto.randomBytes(16).toString('hex');
    await store.clicktocalls.insert({
      id: configId,
      account_id: accountId,
      doc: { name: 'Bench webhooks', extension: '2600' },
      revision: '1-a',
      now: new Date().toISOString(),
    });
    const calls = Math.ceil(events / STATUSES.length);
    const at = Date.now() - 60_000;
    let sample: NewWebhookEvent | undefined;
    await store.unitOfWork(async (tx) => {
      for (let i = 0; i < calls; i++) {
        const callId = `c2c-${configId}-${(0x1000000000 + i).toString(16).slice(-10)}`;
        const doc = { id: crypto.randomBytes(16).toString('hex'), call_id: callId, status: 'completed' };
        const written: NewWebhookEvent[] = STATUSES.map((status) => ({
          event_id: `evt_${crypto.randomBytes(16).toString('hex')}`,
          account_id: accountId,
          clicktocall_id: configId,
          call_id: callId,
          type: `call.${status}`,
          occurred_ms: at,
          url,
          method: 'POST',
          record: { ...doc, status, contact: '+15551234567', extension: '2600', result: 'success' },
        }));
        sample ??= written.at(-1);
        await tx.history.insert(
          { account_id: accountId, clicktocall_id: configId, created_ms: at, final: true, doc },
          written,
        );
      }
    });
    const body = payloadOf({
      ...sample!,
      seq: 1,
      sequence: 5,
      state: 'pending',
      attempts: 0,
      next_attempt_ms: at,
      last_attempt_ms: null,
      last_status: null,
      last_error: null,
      delivered_ms: null,
    });
    return { written: calls * STATUSES.length, bodyBytes: Buffer.byteLength(body) };
  } finally {
    await store.close();
  }
}

/** Waits until the receiver counted `n` requests (or the deadline), polling its stats. */
async function received(receiver: Child, n: number, deadlineMs: number): Promise<Stats> {
  for (;;) {
    const stats = await ask<Stats>(receiver.proc, 'stats');
    if (stats.count >= n || Date.now() > deadlineMs) return stats;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const perSecond = (stats: Stats): number =>
  stats.firstNs === undefined || stats.lastNs === undefined || stats.count < 2
    ? 0
    : (stats.count - 1) / (Number(BigInt(stats.lastNs) - BigInt(stats.firstNs)) / 1e9);

/** The baseline: `n` POSTs of a body of the events' size, 4 at a time on keep-alive connections. */
async function baseline(port: number, n: number, bodyBytes: number): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const body = JSON.stringify({ pad: 'x'.repeat(Math.max(0, bodyBytes - 10)) });
  let next = 0;
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/hooks',
          agent,
          headers: { 'content-type': 'application/json', 'webhook-id': `base_${next}` },
        },
        (res) => {
          res.resume();
          res.on('end', resolve);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const lane = async (): Promise<void> => {
    while (next < n) {
      next += 1;
      await one();
    }
  };
  await Promise.all([lane(), lane(), lane(), lane()]);
  agent.destroy();
}

export async function benchDelivery(
  dir: string,
  receiver: Child,
  eslPort: number,
  events: number,
): Promise<DeliveryResult> {
  const dbPath = path.join(dir, 'webhooks.db');
  const env = { WEBHOOKS_ALLOW_PRIVATE_NETWORKS: 'true' };
  // The first start creates the account; the outbox is filled while the service is stopped.
  const first = await startService({ dbPath, eslPort, env });
  await first.stop();
  const url = `http://127.0.0.1:${receiver.port}/hooks`;
  const { written, bodyBytes } = await fillOutbox(dbPath, first.accountId ?? '', url, events);

  await ask(receiver.proc, 'reset');
  const svc = await startService({ dbPath, eslPort, env });
  const stats = await received(receiver, written, Date.now() + 120_000);
  await svc.stop();

  await ask(receiver.proc, 'reset');
  await baseline(receiver.port, written, bodyBytes);
  const base = await received(receiver, written, Date.now() + 60_000);
  return {
    events: written,
    bodyBytes,
    eventsPerS: perSecond(stats),
    baselinePerS: perSecond(base),
    distinct: stats.distinct,
  };
}
