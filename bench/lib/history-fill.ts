/**
 * Fills the history with N finished calls of one configuration, as the tracker would have left them
 * (a completed call's record and state), created evenly over the `spanDays` before now, oldest first, through
 * the store's port (units of work of 20,000 records).
 */
import crypto from 'node:crypto';
import type { Store } from '../../src/store/ports';

const iso = (ms: number): string => new Date(ms).toISOString();

export async function fillHistory(
  store: Store,
  o: { accountId: string; clicktocallId: string; rows: number; spanDays: number },
): Promise<{ fromMs: number; toMs: number }> {
  const toMs = Date.now() - 60_000;
  const fromMs = toMs - o.spanDays * 86_400_000;
  const step = (toMs - fromMs) / o.rows;
  const random = crypto.randomBytes(o.rows * 21);
  const batch = 20_000;
  for (let start = 0; start < o.rows; start += batch) {
    await store.unitOfWork(async (tx) => {
      for (let i = start; i < Math.min(o.rows, start + batch); i++) {
        const id = random.subarray(i * 21, i * 21 + 16).toString('hex');
        // Unique by construction: 1,000,000 random 10-hex suffixes collide about one time in three.
        const callId = `c2c-${o.clicktocallId}-${(0x1000000000 + i).toString(16).slice(-10)}`;
        const created = Math.round(fromMs + i * step);
        const { doc, state } = historyRecord({ id, callId, createdMs: created, lead: String(i) });
        await tx.history.insert({
          account_id: o.accountId,
          clicktocall_id: o.clicktocallId,
          created_ms: created,
          final: true,
          doc,
          state,
        });
      }
    });
  }
  return { fromMs, toMs };
}

/**
 * One finished call's record and tracker state, as the tracker would have left a completed call created at
 * `createdMs` (the legs' uuids are random).
 */
export function historyRecord(o: { id: string; callId: string; createdMs: number; lead: string }): {
  doc: { id: string; call_id: string; status: string } & Record<string, unknown>;
  state: Record<string, unknown>;
} {
  const answered = o.createdMs + 60;
  const bridged = o.createdMs + 73;
  const ended = o.createdMs + 5100;
  const first = {
    uuid: crypto.randomUUID(),
    destination: '2600',
    answered_at: iso(answered),
    ended_at: iso(ended),
    hangup_cause: 'NORMAL_CLEARING',
  };
  const second = {
    ...first,
    uuid: crypto.randomUUID(),
    destination: '+15551234567',
    answered_at: iso(bridged),
    sip_status: '200',
  };
  const doc = {
    id: o.id,
    call_id: o.callId,
    timestamp: Math.floor(o.createdMs / 1000) + 62_167_219_200,
    contact: '+15551234567',
    result: 'success',
    status: 'completed',
    extension: '2600',
    dial_first: 'extension',
    created: iso(o.createdMs),
    answered_at: iso(answered),
    bridged_at: iso(bridged),
    ended_at: iso(ended),
    duration_s: 5,
    talk_s: 5,
    hangup_cause: 'NORMAL_CLEARING',
    hung_up_by: 'contact',
    legs: { first, second },
    custom_application_vars: { lead: o.lead },
    requested_by: 'token',
  };
  const state = {
    callId: o.callId,
    status: 'completed',
    result: 'success',
    createdAt: iso(o.createdMs),
    answeredAt: iso(answered),
    bridgedAt: iso(bridged),
    endedAt: iso(ended),
    hangupCause: 'NORMAL_CLEARING',
    hungUpBy: 'second',
    first: { ...first, created_at: iso(o.createdMs + 20), disposition: 'send_bye' },
    second: { ...second, created_at: iso(o.createdMs + 62), disposition: 'recv_bye' },
    loopback: { [o.callId]: { ended: true }, [crypto.randomUUID()]: { ended: true } },
    cancelRequested: false,
  };
  return { doc, state };
}
