/**
 * When a failed delivery is tried again (docs/webhooks.md#retries): the delays after each failed attempt, growing
 * about fourfold, with ±20 % jitter so receivers that come back are not hit by every sender at once; about a day
 * in all, then the event is failed (visible, redeliverable).
 */
const S = 1000;
export const DEFAULT_SCHEDULE_MS: readonly number[] = [
  5 * S,
  30 * S,
  120 * S,
  600 * S,
  1800 * S,
  3600 * S,
  7200 * S,
  14_400 * S,
  28_800 * S,
  28_800 * S,
];

/** A `Retry-After` longer than this is not waited for in full. */
export const MAX_RETRY_AFTER_MS = 24 * 3600 * S;

export type RetryPolicy = {
  /** The delay after the 1st, 2nd, … failed attempt; past its end the event fails. */
  scheduleMs: readonly number[];
  /** ±fraction of each delay (0.2). */
  jitter: number;
};

/**
 * The delay before the next attempt after `attempts` failed ones, or undefined when the schedule is over. A
 * receiver's `Retry-After` (429, 503) is honoured: never sooner than it asks (up to a day), never sooner than the
 * schedule.
 */
export function retryDelay(
  attempts: number,
  policy: RetryPolicy,
  random: () => number,
  retryAfterMs?: number,
): number | undefined {
  const base = policy.scheduleMs[attempts - 1];
  if (base === undefined) return undefined;
  const jittered = Math.round(base * (1 - policy.jitter + 2 * policy.jitter * random()));
  return retryAfterMs === undefined
    ? jittered
    : Math.max(jittered, Math.min(retryAfterMs, MAX_RETRY_AFTER_MS));
}

/** The whole schedule's length without jitter (for the docs and a test). */
export const scheduleSpanMs = (scheduleMs: readonly number[]): number =>
  scheduleMs.reduce((a, b) => a + b, 0);
