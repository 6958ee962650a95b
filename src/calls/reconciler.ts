import type { Logger } from '../logger';
import type { HistoryRepository } from '../store/ports';
import type { CallTracker } from './call-tracker';
import { forEachOpenRecord } from './open-records';
import { CALL_ID, ensureTracked } from './resume';
import type { SwitchDirectory } from './switch-port';
import type { TrackingScope } from './tracking-scope';

export type ReconcilerDeps = {
  tracker: CallTracker;
  history: HistoryRepository;
  switches: SwitchDirectory;
  /** The switches whose calls this process follows: only their calls are checked. */
  scope: TrackingScope;
  logger: Logger;
  now: () => Date;
  /**
   * Calls younger than this are left alone: an originate the switch has just accepted may not have created its
   * first channel yet (default 2 s).
   */
  graceMs?: number;
};

/**
 * Checks calls against their switch (docs/call-states.md#reconciliation): on every (re)connection of a switch's
 * event socket and when this process takes a switch over (docs/switches.md), every open call of that switch; and
 * one call when asked (the sweeper, a hang-up the switch did not confirm). A call the switch still has goes on
 * being followed; one it has no channel of is closed with the best cause known. Only calls of switches this process
 * tracks are checked.
 */
export class Reconciler {
  private readonly log: Logger;

  constructor(private readonly deps: ReconcilerDeps) {
    this.log = deps.logger.child({ module: 'reconciler' });
  }

  /** Reconciles on every connection of a switch link, the first included. */
  start(): void {
    this.deps.switches.onConnected((switchName) => void this.reconcileAll(switchName));
  }

  /** Every open call of one switch (undefined: of every switch this process tracks). */
  async reconcileAll(switchName?: string): Promise<void> {
    const { scope } = this.deps;
    const graceMs = this.deps.graceMs ?? 2000;
    const now = this.deps.now().getTime();
    let recheckInMs: number | undefined;
    try {
      await forEachOpenRecord(this.deps.history, async (record) => {
        const recordSwitch = scope.switchOf(record.doc['switch'] as string | undefined);
        if (!scope.tracks(recordSwitch) || (switchName !== undefined && recordSwitch !== switchName)) return;
        const age = now - record.created_ms;
        if (age < graceMs) {
          // Too young to judge now (its first channel may not exist yet): judged once the grace is over.
          recheckInMs = Math.max(recheckInMs ?? 0, graceMs - age + 100);
          return;
        }
        await this.check(record.doc.call_id, recordSwitch);
      });
    } catch (err) {
      this.log.warn('reconciliation stopped', { error: (err as Error).message });
      return;
    }
    if (recheckInMs !== undefined) setTimeout(() => void this.reconcileAll(switchName), recheckInMs).unref();
  }

  /**
   * One call against its switch (`show channels like <call id> as json`); `recordSwitch`: the switch its record
   * names, read from the record when not given.
   */
  async check(callId: string, recordSwitch?: string): Promise<void> {
    if (!CALL_ID.test(callId)) return;
    const { scope } = this.deps;
    const switchName = scope.switchOf(
      recordSwitch ?? ((await this.deps.history.byCallId(callId))?.doc['switch'] as string | undefined),
    );
    const link = this.deps.switches.link(switchName);
    if (!scope.tracks(switchName) || !link) return;
    const reply = await link.api(`show channels like ${callId} as json`, { timeoutMs: 5000 });
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
