import type { Logger } from '../logger';
import type { HistoryRepository } from '../store/ports';
import type { CallTracker } from './call-tracker';
import { forEachOpenRecord } from './open-records';
import { CALL_ID, ensureTracked } from './resume';
import type { SwitchPort } from './switch-port';

export type ReconcilerDeps = {
  tracker: CallTracker;
  history: HistoryRepository;
  esl: SwitchPort;
  logger: Logger;
  now: () => Date;
  /**
   * Calls younger than this are left alone: an originate the switch has just accepted may not have created its
   * first channel yet (default 2 s).
   */
  graceMs?: number;
};

/**
 * Checks calls against the switch (docs/call-states.md#reconciliation): on every (re)connection of the event
 * socket, every open call; and one call when asked (the sweeper, a hang-up the switch did not confirm). A call the
 * switch still has goes on being followed; one it has no channel of is closed with the best cause known.
 */
export class Reconciler {
  private readonly log: Logger;

  constructor(private readonly deps: ReconcilerDeps) {
    this.log = deps.logger.child({ module: 'reconciler' });
  }

  /** Reconciles on every connection of the switch link, the first included. */
  start(): void {
    this.deps.esl.on('connected', () => void this.reconcileAll());
  }

  async reconcileAll(): Promise<void> {
    const graceMs = this.deps.graceMs ?? 2000;
    const now = this.deps.now().getTime();
    let recheckInMs: number | undefined;
    try {
      await forEachOpenRecord(this.deps.history, async (record) => {
        const age = now - record.created_ms;
        if (age < graceMs) {
          // Too young to judge now (its first channel may not exist yet): judged once the grace is over.
          recheckInMs = Math.max(recheckInMs ?? 0, graceMs - age + 100);
          return;
        }
        await this.check(record.doc.call_id);
      });
    } catch (err) {
      this.log.warn('reconciliation stopped', { error: (err as Error).message });
      return;
    }
    if (recheckInMs !== undefined) setTimeout(() => void this.reconcileAll(), recheckInMs).unref();
  }

  /** One call against the switch (`show channels like <call id> as json`). */
  async check(callId: string): Promise<void> {
    if (!CALL_ID.test(callId)) return;
    const reply = await this.deps.esl.api(`show channels like ${callId} as json`, { timeoutMs: 5000 });
    let rows = 0;
    try {
      rows = (JSON.parse(reply) as { row_count?: number }).row_count ?? 0;
    } catch {
      this.log.warn('unreadable channel list', { call_id: callId });
      return;
    }
    const tracked = await ensureTracked(this.deps.tracker, this.deps.history, callId);
    if (rows === 0 && tracked)
      this.deps.tracker.apply(callId, { type: 'gone', at: this.deps.now().toISOString() });
  }
}
