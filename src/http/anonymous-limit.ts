import { AppError } from '../errors';

/**
 * A per-client-address limit on anonymous connects (a public "call me" button is a toll-fraud target):
 * at most `perMinute` in any 60 seconds from one address. In memory, bounded: when more than `maxClients`
 * addresses are remembered, the oldest are forgotten.
 */
export class AnonymousLimit {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
    private readonly maxClients = 100_000,
  ) {}

  /** Counts a connect from `address`; throws 429 with Retry-After when it is one too many. */
  hit(address: string): void {
    if (this.perMinute <= 0) return;
    const now = this.now();
    const recent = (this.hits.get(address) ?? []).filter((t) => t > now - 60_000);
    if (recent.length >= this.perMinute) {
      const retryAfter = Math.max(1, Math.ceil(((recent[0] ?? now) + 60_000 - now) / 1000));
      throw new AppError(
        'too_many_requests',
        {
          message: `at most ${this.perMinute} anonymous connects a minute from one address`,
          retry_after: retryAfter,
        },
        { headers: { 'Retry-After': String(retryAfter) } },
      );
    }
    recent.push(now);
    this.hits.delete(address);
    this.hits.set(address, recent);
    if (this.hits.size > this.maxClients) {
      const oldest = this.hits.keys().next().value;
      if (oldest !== undefined) this.hits.delete(oldest);
    }
  }
}
