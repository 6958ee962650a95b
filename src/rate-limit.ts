import { AppError } from './errors';

/**
 * At most `perMinute` hits in any 60 seconds per key (a client address, a public link), in memory and bounded:
 * when more than `maxKeys` keys are remembered, the oldest are forgotten. A hit over the limit is a 429 with
 * Retry-After.
 */
export class RateLimit {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 100_000,
  ) {}

  /** Counts a hit for `key`; throws 429 when it is one too many (`what` says which limit, in the message). */
  hit(key: string, perMinute: number, what: string): void {
    if (perMinute <= 0) return;
    const now = this.now();
    const recent = (this.hits.get(key) ?? []).filter((t) => t > now - 60_000);
    if (recent.length >= perMinute) {
      const retryAfter = Math.max(1, Math.ceil(((recent[0] ?? now) + 60_000 - now) / 1000));
      throw new AppError(
        'too_many_requests',
        { message: `at most ${perMinute} ${what}`, retry_after: retryAfter },
        { headers: { 'Retry-After': String(retryAfter) } },
      );
    }
    recent.push(now);
    this.hits.delete(key);
    this.hits.set(key, recent);
    if (this.hits.size > this.maxKeys) {
      const oldest = this.hits.keys().next().value;
      if (oldest !== undefined) this.hits.delete(oldest);
    }
  }
}
