import type { EslEvent } from '../../esl';
import type { Logger } from '../logger';
import type { TrackerMetrics } from '../metrics';
import type { HistoryDoc, HistoryRepo } from '../store/history-repo';
import { initialState, isFinal, transition, type CallEvent, type CallState } from './call-state';
import { callEventOf } from './esl-events';
import { baseOf, renderRecord, type RecordBase } from './history-record';
import type { SwitchPort } from './switch-port';

export type CallTrackerDeps = {
  history: HistoryRepo;
  esl: SwitchPort;
  logger: Logger;
  now: () => Date;
  /** How long a finished call waits for its other legs' late hang-ups (default 60 s). */
  lingerMs?: number;
  /** How often open calls are checked against the switch (default 60 s). */
  sweepIntervalMs?: number;
  /** An open call not updated for this long is checked against the switch (default 10 min). */
  staleAfterMs?: number;
  /** An open call older than this is closed whatever the switch says (default 24 h). */
  maxCallAgeMs?: number;
  /**
   * Calls younger than this are left alone by reconciliation: an originate the switch has just accepted
   * may not have created its first channel yet (default 2 s).
   */
  reconcileGraceMs?: number;
  metrics?: TrackerMetrics;
};

/**
 * `lingerUntil`: a final call is kept a while, so the late hang-ups of its other legs still add their
 * details to the record and are not counted as events of unknown calls.
 */
type Tracked = { base: RecordBase; state: CallState; lingerUntil?: number };

const CALL_ID = /^c2c-[0-9a-f]{32}-[0-9a-f]{10}$/;

/**
 * Follows every click-to-call call through the switch's events and keeps its history record (PRODUCT §7).
 * Live calls are kept in memory and their state beside the record, so a restarted service picks them up
 * again from the events or from reconciliation. Events of unknown calls are counted and ignored.
 */
export class CallTracker {
  readonly stats = { events: 0, unknownCalls: 0, ignored: 0, updates: 0 };
  private readonly calls = new Map<string, Tracked>();
  private readonly waiters = new Map<string, Array<() => void>>();
  private sweeper: NodeJS.Timeout | undefined;
  private readonly log: Logger;

  constructor(private readonly deps: CallTrackerDeps) {
    this.log = deps.logger.child({ module: 'tracker' });
  }

  /** Listens to the switch, reconciles on every (re)connect, and sweeps periodically. */
  start(): void {
    this.deps.esl.on('event', (event) => this.onEslEvent(event));
    this.deps.esl.on('connected', () => void this.reconcile());
    this.sweeper = setInterval(() => void this.sweep(), this.deps.sweepIntervalMs ?? 60_000);
    this.sweeper.unref();
  }

  stop(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  /** Calls followed now (not yet final). */
  get inFlight(): number {
    let n = 0;
    for (const t of this.calls.values()) if (t.lingerUntil === undefined) n += 1;
    return n;
  }

  /** A new call: its initial record, to insert with the connect, and tracking from now on. */
  begin(base: RecordBase): { doc: HistoryDoc; state: CallState } {
    const state = initialState(base.call_id, base.created);
    this.calls.set(base.call_id, { base, state });
    return { doc: renderRecord(base, state), state };
  }

  /** Forgets a call whose record was never written (the connect was refused after begin). */
  abandon(callId: string): void {
    this.calls.delete(callId);
  }

  onEslEvent(event: EslEvent): void {
    this.stats.events += 1;
    this.deps.metrics?.eslEvent(event.name);
    const callId = event.header('variable_c2c_call_id');
    if (callId === undefined) this.deps.metrics?.eslEventUnknown('not_clicktocall');
    const callEvent = callId === undefined ? undefined : callEventOf(event, this.deps.now);
    if (callId === undefined || callEvent === undefined) {
      this.stats.ignored += 1;
      return;
    }
    this.apply(callId, callEvent);
  }

  /** Moves a call on by one event and records the change; idempotent for repeated events. */
  apply(callId: string, event: CallEvent): void {
    const tracked = this.calls.get(callId) ?? this.load(callId);
    if (!tracked) {
      this.stats.unknownCalls += 1;
      this.deps.metrics?.eslEventUnknown('unknown_call');
      this.log.debug('event of an unknown call ignored', { call_id: callId, type: event.type });
      return;
    }
    const next = transition(tracked.state, event);
    if (next === tracked.state) return;
    const doc = renderRecord(tracked.base, next);
    const final = isFinal(next.status);
    this.deps.history.update(doc, next, final, this.deps.now().getTime());
    this.stats.updates += 1;
    if (final && !isFinal(tracked.state.status)) this.deps.metrics?.callEnded(next.status, next.hangupCause);
    if (next.status !== tracked.state.status)
      this.log.info('call status', { call_id: callId, status: next.status, cause: next.hangupCause });
    this.calls.set(callId, {
      base: tracked.base,
      state: next,
      ...(final && { lingerUntil: this.deps.now().getTime() + (this.deps.lingerMs ?? 60_000) }),
    });
    if (final || next.result !== 'pending') this.notify(callId);
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

  /**
   * Hangs a call up on the switch (`hupall ORIGINATOR_CANCEL c2c_call_id <id>`, which reaches every leg
   * whichever is left: PRODUCT §6). The record ends `canceled` once the legs are gone.
   */
  async cancel(callId: string): Promise<void> {
    if (!CALL_ID.test(callId)) throw new Error('not a click-to-call id');
    this.apply(callId, { type: 'cancel_requested', at: this.deps.now().toISOString() });
    const reply = await this.deps.esl.api(`hupall ORIGINATOR_CANCEL c2c_call_id ${callId}`, {
      timeoutMs: 5000,
    });
    this.log.info('call cancel sent', { call_id: callId, reply: reply.trim().slice(0, 120) });
    if (!reply.startsWith('+OK')) await this.reconcileOne(callId);
  }

  /** Checks every open call against the switch: one still up stays tracked, one gone is closed. */
  async reconcile(): Promise<void> {
    const graceMs = this.deps.reconcileGraceMs ?? 2000;
    const now = this.deps.now().getTime();
    let recheckInMs: number | undefined;
    for (const row of this.deps.history.open()) {
      const age = now - row.created_ms;
      if (age < graceMs) {
        // Too young to judge now (its first channel may not exist yet): judged once the grace is over.
        recheckInMs = Math.max(recheckInMs ?? 0, graceMs - age + 100);
        continue;
      }
      try {
        await this.reconcileOne(row.doc.call_id);
      } catch (err) {
        this.log.warn('reconciliation stopped', { error: (err as Error).message });
        return;
      }
    }
    if (recheckInMs !== undefined) setTimeout(() => void this.reconcile(), recheckInMs).unref();
  }

  /** Closes calls past any possible lifetime, and checks stale ones against the switch. */
  async sweep(): Promise<void> {
    const now = this.deps.now();
    for (const [callId, tracked] of this.calls)
      if (tracked.lingerUntil !== undefined && tracked.lingerUntil < now.getTime()) this.calls.delete(callId);
    const maxAge = this.deps.maxCallAgeMs ?? 24 * 3600_000;
    const staleAfter = this.deps.staleAfterMs ?? 10 * 60_000;
    for (const row of this.deps.history.open()) {
      const callId = row.doc.call_id;
      if (now.getTime() - row.created_ms > maxAge) {
        this.apply(callId, { type: 'gone', cause: 'TRACKING_EXPIRED', at: now.toISOString() });
      } else if (
        now.getTime() - (this.lastUpdate(row) ?? row.created_ms) > staleAfter &&
        this.deps.esl.connected
      ) {
        await this.reconcileOne(callId).catch((err: unknown) =>
          this.log.warn('sweep check failed', { call_id: callId, error: (err as Error).message }),
        );
      }
    }
  }

  private lastUpdate(row: { doc: HistoryDoc }): number | undefined {
    const times = ['ended_at', 'bridged_at', 'answered_at', 'created'].map((k) => row.doc[k]);
    const latest = times.find((t): t is string => typeof t === 'string');
    return latest === undefined ? undefined : Date.parse(latest);
  }

  private async reconcileOne(callId: string): Promise<void> {
    if (!CALL_ID.test(callId)) return;
    const reply = await this.deps.esl.api(`show channels like ${callId} as json`, { timeoutMs: 5000 });
    let rows = 0;
    try {
      rows = (JSON.parse(reply) as { row_count?: number }).row_count ?? 0;
    } catch {
      this.log.warn('unreadable channel list', { call_id: callId });
      return;
    }
    if (rows === 0) {
      this.apply(callId, { type: 'gone', at: this.deps.now().toISOString() });
    } else if (!this.calls.has(callId)) {
      this.load(callId);
    }
  }

  /** A call of an earlier run of the service, still open in history: tracking resumes from its state. */
  private load(callId: string): Tracked | undefined {
    if (!CALL_ID.test(callId)) return undefined;
    const row = this.deps.history.byCallId(callId);
    if (!row || row.final === 1) return undefined;
    const state = (row.state as CallState | undefined) ?? initialState(callId, String(row.doc['created']));
    const tracked = { base: baseOf(row.doc), state };
    this.calls.set(callId, tracked);
    return tracked;
  }

  private notify(callId: string): void {
    const list = this.waiters.get(callId);
    this.waiters.delete(callId);
    for (const done of list ?? []) done();
  }
}
