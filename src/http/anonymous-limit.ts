import { RateLimit } from '../rate-limit';

/**
 * A per-client-address limit on anonymous connects and connects through public links (a public "call me" button
 * is a toll-fraud target): at most `perMinute` in any 60 seconds from one address.
 */
export class AnonymousLimit {
  private readonly limit: RateLimit;

  constructor(
    private readonly perMinute: number,
    now: () => number = Date.now,
    maxClients = 100_000,
  ) {
    this.limit = new RateLimit(now, maxClients);
  }

  /** Counts a connect from `address`; throws 429 with Retry-After when it is one too many. */
  hit(address: string): void {
    this.limit.hit(address, this.perMinute, 'anonymous connects a minute from one address');
  }
}
