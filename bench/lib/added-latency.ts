/** The open-loop rows' measure: from a connect's request written to its `bgapi originate` read by the fake switch. */
import { openLoop } from './load';
import { ask, type Child } from './proc';

export type Added = { sent: bigint; at: bigint; ms: number };

/**
 * Sends connects at a fixed rate for `durationS`, then matches each 202's call id with the time the fake switch
 * (bench/switch-proc.ts) read its originate; both stamps are the system's monotonic clock.
 */
export async function addedLatency(
  sw: Child,
  o: { url: string; rate: number; durationS: number; headers: Record<string, string> },
): Promise<{ sent: number; failed: number; added: Added[] }> {
  await ask(sw.proc, 'stats');
  sw.proc.send({ type: 'record' });
  const sentAt = new Map<string, bigint>();
  const res = await openLoop({
    ...o,
    onAnswer: (sentNs, status, body) => {
      if (status !== 202) return;
      const callId = (JSON.parse(body) as { data?: { call_id?: string } }).data?.call_id;
      if (callId !== undefined) sentAt.set(callId, sentNs);
    },
  });
  const { arrivals } = await ask<{ arrivals: Record<string, string> }>(sw.proc, 'arrivals');
  const added: Added[] = [];
  for (const [callId, sent] of sentAt) {
    const a = arrivals[callId];
    if (a !== undefined) added.push({ sent, at: BigInt(a), ms: Number(BigInt(a) - sent) / 1e6 });
  }
  return { sent: res.sent, failed: res.failed, added };
}
