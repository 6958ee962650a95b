/**
 * Which switches this process tracks (docs/switches.md#several-instances). Every process places calls on every
 * switch, but each switch's events are followed by one process at a time: the holder of its lease. One process alone
 * (the SQLite default) holds every lease; several share them through PostgreSQL (`pg-leases.ts`).
 */

export type LeaseChange = { switchName: string; held: boolean };

export type TrackingLeases = {
  /** Whether this process follows the switch's calls now. */
  holds(switchName: string): boolean;
  /** A lease gained or lost. */
  onChange(listener: (change: LeaseChange) => void): void;
  start(): void;
  /** Gives every lease up. */
  stop(): Promise<void>;
};

/** One process: it holds every lease, from the start and for good. */
export function soleLeases(): TrackingLeases {
  return {
    holds: () => true,
    onChange: () => undefined,
    start: () => undefined,
    stop: () => Promise.resolve(),
  };
}
