import type { HistoryDoc } from '../domain';
import type { Logger } from '../logger';
import { initialState, isFinal, transition, type CallEvent, type CallState } from './call-state';
import type { CallNotices } from './call-notices';
import { renderRecord, type RecordBase } from './history-record';

export type CallTrackerDeps = {
  notices: CallNotices;
  logger: Logger;
  now: () => Date;
  /** How long a finished call waits for its other legs' late hang-ups (default 60 s). */
  lingerMs?: number;
};

/**
 * `lingerUntil`: a final call is kept a while, so the late hang-ups of its other legs still add their
 * details to the record and are not counted as events of unknown calls.
 */
type Tracked = { base: RecordBase; state: CallState; lingerUntil?: number };

/**
 * The calls being followed, in memory: each call's state moves on by one event at a time through the pure
 * transition (docs/call-states.md), and every change is published as a notice (the record is written by the
 * persistence part, metrics count endings). What feeds it: the intake (switch events), the connect (the job's
 * result), reconciliation and the sweeper.
 */
export class CallTracker {
  private readonly calls = new Map<string, Tracked>();
  private readonly waiters = new Map<string, Array<() => void>>();
  private readonly log: Logger;

  constructor(private readonly deps: CallTrackerDeps) {
    this.log = deps.logger.child({ module: 'tracker' });
  }

  /** Calls followed now (not yet final). */
  get inFlight(): number {
    let n = 0;
    for (const t of this.calls.values()) if (t.lingerUntil === undefined) n += 1;
    return n;
  }

  /** Whether the call is in memory (followed, or lingering after its end). */
  knows(callId: string): boolean {
    return this.calls.has(callId);
  }

  /** A new call: its initial record, to insert with the connect, and tracking from now on. */
  begin(base: RecordBase): { doc: HistoryDoc; state: CallState } {
    const initial = CallTracker.initial(base);
    this.calls.set(base.call_id, { base, state: initial.state });
    return initial;
  }

  /** A new call's initial record and state, for a call another process follows (docs/switches.md). */
  static initial(base: RecordBase): { doc: HistoryDoc; state: CallState } {
    const state = initialState(base.call_id, base.created);
    return { doc: renderRecord(base, state), state };
  }

  /**
   * Stops following the calls of a switch (its lease went to another process, which resumes them from their
   * records); returns how many.
   */
  forgetSwitch(inSwitch: (base: RecordBase) => boolean): number {
    let n = 0;
    for (const [callId, tracked] of this.calls)
      if (inSwitch(tracked.base)) {
        this.calls.delete(callId);
        n += 1;
      }
    return n;
  }

  /** Forgets a call whose record was never written (the connect was refused after begin). */
  abandon(callId: string): void {
    this.calls.delete(callId);
  }

  /** Follows again a call of an earlier run of the service, from its stored record and state. */
  resume(base: RecordBase, state: CallState | undefined): void {
    if (this.calls.has(base.call_id)) return;
    this.calls.set(base.call_id, { base, state: state ?? initialState(base.call_id, base.created) });
  }

  /**
   * Moves a call on by one event and publishes the change; idempotent for repeated events.
   *
   * @returns false when the call is not in memory (the caller may resume it and try again)
   */
  apply(callId: string, event: CallEvent): boolean {
    const tracked = this.calls.get(callId);
    if (!tracked) return false;
    const next = transition(tracked.state, event);
    if (next === tracked.state) return true;
    const record = renderRecord(tracked.base, next);
    const final = isFinal(next.status);
    const ended = final && !isFinal(tracked.state.status);
    this.calls.set(callId, {
      base: tracked.base,
      state: next,
      ...(final && { lingerUntil: this.deps.now().getTime() + (this.deps.lingerMs ?? 60_000) }),
    });
    if (next.status !== tracked.state.status)
      this.log.info('call status', { call_id: callId, status: next.status, cause: next.hangupCause });
    this.deps.notices.publish({
      type: 'changed',
      callId,
      base: tracked.base,
      previous: tracked.state,
      state: next,
      record,
      final,
    });
    if (ended)
      this.deps.notices.publish({
        type: 'ended',
        callId,
        status: next.status,
        cause: next.hangupCause,
        record,
      });
    if (final || next.result !== 'pending') this.notify(callId);
    return true;
  }

  /**
   * Resolves once the first party's fate is known (answered, or failed with its cause) or the call is
   * over, or after `timeoutMs`; never rejects.
   */
  waitForVerdict(callId: string, timeoutMs: number): Promise<void> {
    const tracked = this.calls.get(callId);
    if (!tracked || tracked.state.result !== 'pending' || isFinal(tracked.state.status))
      return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        const list = this.waiters.get(callId) ?? [];
        this.waiters.set(
          callId,
          list.filter((w) => w !== done),
        );
        resolve();
      }, timeoutMs);
      this.waiters.set(callId, [...(this.waiters.get(callId) ?? []), done]);
    });
  }

  /** Forgets the finished calls whose lingering time is over. */
  dropLingering(nowMs: number): void {
    for (const [callId, tracked] of this.calls)
      if (tracked.lingerUntil !== undefined && tracked.lingerUntil < nowMs) this.calls.delete(callId);
  }

  private notify(callId: string): void {
    const list = this.waiters.get(callId);
    this.waiters.delete(callId);
    for (const done of list ?? []) done();
  }
}
