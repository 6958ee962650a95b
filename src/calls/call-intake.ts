import type { EslEvent } from '../../esl';
import type { Logger } from '../logger';
import type { HistoryRepository } from '../store/ports';
import type { CallEvent } from './call-state';
import type { CallTracker } from './call-tracker';
import { callEventOf, jobEventOf } from './esl-events';
import { ensureTracked } from './resume';
import type { StandbyEvents, TrackingScope } from './tracking-scope';

const isPlainSuccess = (event: CallEvent, callId: string): boolean =>
  event.type === 'job' && event.ok && event.uuid === callId;

/** What the intake reports (optional): every event by name, and those no followed call takes. */
export type IntakeMetrics = {
  eslEvent(eventName: string): void;
  eslEventUnknown(reason: 'not_clicktocall' | 'unknown_call'): void;
};

export type CallIntakeDeps = {
  tracker: CallTracker;
  history: HistoryRepository;
  logger: Logger;
  now: () => Date;
  metrics?: IntakeMetrics;
  /** The switches this process follows (default: all), and where the others' events wait for a takeover. */
  scope?: TrackingScope;
  standby?: StandbyEvents;
};

/**
 * The switch's events into the tracker: each channel event of a click-to-call call (one carrying
 * `variable_c2c_call_id`) is reduced to what the tracker judges on and applied to its call. An event of a call the
 * tracker does not hold (one placed by an earlier run of the service) waits while that call is resumed from its
 * record, with the events that follow it, so the call's events are applied in order. Events of unknown calls are
 * counted and ignored.
 */
export class CallIntake {
  readonly stats = { events: 0, unknownCalls: 0, ignored: 0 };
  private readonly resuming = new Map<string, CallEvent[]>();
  private readonly log: Logger;

  constructor(private readonly deps: CallIntakeDeps) {
    this.log = deps.logger.child({ module: 'intake' });
  }

  /**
   * One event of a switch (`switchName`: which one; undefined: the only one). Besides the legs' events, the
   * outcome of an originate placed by another process on a switch this one tracks (docs/switches.md).
   */
  onEslEvent(event: EslEvent, switchName?: string): void {
    if (switchName !== undefined && this.deps.scope?.tracks(switchName) === false) {
      this.deps.standby?.keep(switchName, event);
      return;
    }
    this.stats.events += 1;
    this.deps.metrics?.eslEvent(event.name);
    const job = event.name === 'BACKGROUND_JOB' ? jobEventOf(event, this.deps.now) : undefined;
    const callId = job?.callId ?? event.header('variable_c2c_call_id');
    if (callId === undefined) this.deps.metrics?.eslEventUnknown('not_clicktocall');
    const callEvent = job?.event ?? (callId === undefined ? undefined : callEventOf(event, this.deps.now));
    if (callId === undefined || callEvent === undefined) {
      this.stats.ignored += 1;
      return;
    }
    const waiting = this.resuming.get(callId);
    // Another process's originate accepted under the call's own id changes nothing in the call's state: not worth
    // resuming the call (a read of its record) before its first channel event does.
    if (!waiting && job && isPlainSuccess(job.event, callId) && !this.deps.tracker.knows(callId)) {
      this.stats.ignored += 1;
      return;
    }
    if (waiting) waiting.push(callEvent);
    else if (!this.deps.tracker.apply(callId, callEvent)) this.resume(callId, callEvent);
  }

  /** A lease gained: the switch's events kept meanwhile, in the order they came. */
  replayStandby(switchName: string): number {
    const events = this.deps.standby?.take(switchName) ?? [];
    for (const event of events) this.onEslEvent(event, switchName);
    return events.length;
  }

  private resume(callId: string, first: CallEvent): void {
    const waiting = [first];
    this.resuming.set(callId, waiting);
    const applyWaiting = (known: boolean): void => {
      this.resuming.delete(callId);
      for (const event of waiting) {
        if (known && this.deps.tracker.apply(callId, event)) continue;
        this.stats.unknownCalls += 1;
        this.deps.metrics?.eslEventUnknown('unknown_call');
        this.log.debug('event of an unknown call ignored', { call_id: callId, type: event.type });
      }
    };
    void ensureTracked(this.deps.tracker, this.deps.history, callId).then(applyWaiting, (err: unknown) => {
      this.log.warn('call not resumed', { call_id: callId, error: (err as Error).message });
      applyWaiting(false);
    });
  }
}
