import type { Logger } from '../logger';
import type { HistoryRepository, NewWebhookEvent } from '../store/ports';
import type { CallChanged, CallNotices } from './call-notices';

/**
 * Writes every change of a call into its history record, with the tracker's state beside it (so a restarted
 * service resumes the call), and the events the change causes (`eventsOf`: status webhooks) in the same
 * transaction. The store applies a call's updates in the order they are made; a failed write is logged (the next
 * change of the call writes the whole record again).
 */
export function persistCalls(deps: {
  notices: CallNotices;
  history: HistoryRepository;
  now: () => Date;
  logger: Logger;
  /** The outbox events a change causes (none by default). */
  eventsOf?: (change: CallChanged, atMs: number) => NewWebhookEvent[];
  /** Called once a change's events are written. */
  onEvents?: () => void;
}): { stats: { updates: number }; stop: () => void } {
  const stats = { updates: 0 };
  const log = deps.logger.child({ module: 'persistence' });
  const stop = deps.notices.subscribe((notice) => {
    if (notice.type !== 'changed') return;
    stats.updates += 1;
    const nowMs = deps.now().getTime();
    const events = deps.eventsOf?.(notice, nowMs) ?? [];
    deps.history
      .update(notice.record, notice.state, notice.final, nowMs, events)
      .then(() => (events.length > 0 ? deps.onEvents?.() : undefined))
      .catch((err: unknown) =>
        log.error('call history not written', { call_id: notice.callId, error: (err as Error).message }),
      );
  });
  return { stats, stop };
}
