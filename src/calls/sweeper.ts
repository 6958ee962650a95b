import type { Logger } from '../logger';
import type { HistoryDoc, HistoryRecord } from '../domain';
import type { HistoryRepository } from '../store/ports';
import type { CallTracker } from './call-tracker';
import { forEachOpenRecord } from './open-records';
import type { Reconciler } from './reconciler';
import { ensureTracked } from './resume';
import type { SwitchDirectory } from './switch-port';
import type { TrackingScope } from './tracking-scope';

export type SweeperDeps = {
  tracker: CallTracker;
  history: HistoryRepository;
  reconciler: Reconciler;
  switches: Pick<SwitchDirectory, 'link'>;
  /** Only the calls of the switches this process tracks are swept. */
  scope: TrackingScope;
  logger: Logger;
  now: () => Date;
  /** How often open calls are looked at (default 60 s). */
  intervalMs?: number;
  /** An open call not updated for this long is checked against the switch (default 10 min). */
  staleAfterMs?: number;
  /** An open call older than this is closed whatever the switch says (default 24 h). */
  maxCallAgeMs?: number;
};

/** The latest time a record shows, as Unix ms. */
function lastUpdate(doc: HistoryDoc): number | undefined {
  const latest = ['ended_at', 'bridged_at', 'answered_at', 'created']
    .map((k) => doc[k])
    .find((t): t is string => typeof t === 'string');
  return latest === undefined ? undefined : Date.parse(latest);
}

/**
 * Now and then: forgets finished calls once their lingering is over, closes calls past any possible lifetime,
 * and checks calls not heard of for a while against the switch (docs/call-states.md#reconciliation).
 */
export class Sweeper {
  private timer: NodeJS.Timeout | undefined;
  private readonly log: Logger;

  constructor(private readonly deps: SweeperDeps) {
    this.log = deps.logger.child({ module: 'sweeper' });
  }

  start(): void {
    this.timer = setInterval(() => void this.sweep(), this.deps.intervalMs ?? 60_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  async sweep(): Promise<void> {
    const { tracker, history } = this.deps;
    const now = this.deps.now();
    tracker.dropLingering(now.getTime());
    const maxAge = this.deps.maxCallAgeMs ?? 24 * 3600_000;
    const staleAfter = this.deps.staleAfterMs ?? 10 * 60_000;
    const visit = async (record: HistoryRecord): Promise<void> => {
      const callId = record.doc.call_id;
      const recordSwitch = this.deps.scope.switchOf(record.doc['switch'] as string | undefined);
      if (!this.deps.scope.tracks(recordSwitch)) return;
      if (now.getTime() - record.created_ms > maxAge) {
        if (await ensureTracked(tracker, history, callId).catch(() => false))
          tracker.apply(callId, { type: 'gone', cause: 'TRACKING_EXPIRED', at: now.toISOString() });
      } else if (
        now.getTime() - (lastUpdate(record.doc) ?? record.created_ms) > staleAfter &&
        this.deps.switches.link(recordSwitch)?.connected === true
      ) {
        await this.deps.reconciler
          .check(callId, recordSwitch)
          .catch((err: unknown) =>
            this.log.warn('sweep check failed', { call_id: callId, error: (err as Error).message }),
          );
      }
    };
    try {
      await forEachOpenRecord(history, visit);
    } catch (err) {
      this.log.warn('sweep stopped', { error: (err as Error).message });
    }
  }
}
