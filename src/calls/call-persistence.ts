import type { Logger } from '../logger';
import type { HistoryRepository } from '../store/ports';
import type { CallNotices } from './call-notices';

/**
 * Writes every change of a call into its history record, with the tracker's state beside it (so a restarted
 * service resumes the call). The store applies a call's updates in the order they are made; a failed write is
 * logged (the next change of the call writes the whole record again).
 */
export function persistCalls(deps: {
  notices: CallNotices;
  history: HistoryRepository;
  now: () => Date;
  logger: Logger;
}): { stats: { updates: number }; stop: () => void } {
  const stats = { updates: 0 };
  const log = deps.logger.child({ module: 'persistence' });
  const stop = deps.notices.subscribe((notice) => {
    if (notice.type !== 'changed') return;
    stats.updates += 1;
    deps.history
      .update(notice.record, notice.state, notice.final, deps.now().getTime())
      .catch((err: unknown) =>
        log.error('call history not written', { call_id: notice.callId, error: (err as Error).message }),
      );
  });
  return { stats, stop };
}
