/**
 * Capped, jittered exponential backoff for reconnect attempts.
 */

/** Backoff tuning. All durations in milliseconds. */
export type BackoffOptions = {
  /** Delay before the first retry (default 250). */
  initialMs: number;
  /** Upper bound of the delay before jitter (default 10 000). */
  maxMs: number;
  /** Growth factor per failed attempt (default 2). */
  factor: number;
  /** Relative jitter, 0.2 = ±20 % (default 0.2). */
  jitter: number;
};

/** The defaults: 250 ms doubling to 10 s, ±20 % jitter. */
export const DEFAULT_BACKOFF: Readonly<BackoffOptions> = Object.freeze({
  initialMs: 250,
  maxMs: 10_000,
  factor: 2,
  jitter: 0.2,
});

/**
 * Delay before retry number `attempt` (0 = first retry after a failure).
 *
 * @param attempt - number of consecutive failures so far minus one (0-based)
 * @param opts - backoff tuning
 * @param random - source of randomness in [0, 1) (injectable for tests)
 * @returns a delay in whole milliseconds, never negative
 */
export function backoffDelay(
  attempt: number,
  opts: BackoffOptions,
  random: () => number = Math.random,
): number {
  const exp = Math.min(opts.maxMs, opts.initialMs * Math.pow(opts.factor, Math.max(0, attempt)));
  const spread = exp * opts.jitter;
  const delay = exp - spread + random() * 2 * spread;
  return Math.max(0, Math.round(delay));
}
