/**
 * Which calls this process follows (docs/switches.md#several-instances): those of the switches whose tracking
 * lease it holds. A process that does not hold a switch's lease keeps that switch's recent events aside; when it
 * gains the lease (the holder died) it replays them, so the moments between the holder's last write and the
 * takeover are not lost. Events are kept a short while only: the lease changes hands within seconds.
 */
import type { EslEvent } from '../../esl';

export type TrackingScope = {
  /** Whether this process follows the calls of this switch now. */
  tracks(switchName: string): boolean;
  /** The switch of a record (`switch` absent: the first configured, which carried every call before names). */
  switchOf(recordSwitch: string | undefined): string;
};

/** One process, one switch or many: it follows every call. */
export function trackEverything(defaultSwitch: string): TrackingScope {
  return { tracks: () => true, switchOf: (name) => name ?? defaultSwitch };
}

export type StandbyOptions = {
  /** How long an event is kept (default 30 s). */
  keepMs?: number;
  /** Events kept per switch at most (default 100,000): the oldest go first. */
  maxEvents?: number;
  now?: () => number;
};

/** Events of switches this process does not track, kept for a takeover. */
export class StandbyEvents {
  private readonly bySwitch = new Map<string, Array<{ atMs: number; event: EslEvent }>>();

  constructor(private readonly options: StandbyOptions = {}) {}

  keep(switchName: string, event: EslEvent): void {
    const nowMs = this.options.now?.() ?? Date.now();
    let list = this.bySwitch.get(switchName);
    if (!list) this.bySwitch.set(switchName, (list = []));
    list.push({ atMs: nowMs, event });
    const keepMs = this.options.keepMs ?? 30_000;
    const max = this.options.maxEvents ?? 100_000;
    // Pruned in batches: one splice per event would move the whole list each time.
    if (list.length <= max && list.length % 256 !== 0) return;
    let drop = 0;
    while (drop < list.length && (list.length - drop > max || nowMs - list[drop]!.atMs > keepMs)) drop += 1;
    if (drop > 0) list.splice(0, drop);
  }

  /** The kept events of the switch, oldest first, and forgets them. */
  take(switchName: string): EslEvent[] {
    const list = this.bySwitch.get(switchName) ?? [];
    this.bySwitch.delete(switchName);
    const keepMs = this.options.keepMs ?? 30_000;
    const nowMs = this.options.now?.() ?? Date.now();
    return list.filter((e) => nowMs - e.atMs <= keepMs).map((e) => e.event);
  }

  /** Events kept now, over every switch. */
  get size(): number {
    let n = 0;
    for (const list of this.bySwitch.values()) n += list.length;
    return n;
  }
}
