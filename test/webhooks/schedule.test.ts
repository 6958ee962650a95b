import { expect } from 'chai';
import {
  DEFAULT_SCHEDULE_MS,
  MAX_RETRY_AFTER_MS,
  retryDelay,
  scheduleSpanMs,
} from '../../src/webhooks/schedule';

const policy = { scheduleMs: DEFAULT_SCHEDULE_MS, jitter: 0.2 };

describe('webhooks: the retry schedule', () => {
  it('when run to its end, then 11 attempts over about a day (23.7 h without jitter, within ±20 %)', () => {
    expect(DEFAULT_SCHEDULE_MS).to.have.length(10);
    expect(scheduleSpanMs(DEFAULT_SCHEDULE_MS) / 3_600_000).to.be.closeTo(23.7, 0.05);
    for (const random of [0, 1]) {
      let total = 0;
      for (let attempts = 1; ; attempts++) {
        const delay = retryDelay(attempts, policy, () => random);
        if (delay === undefined) {
          expect(attempts).to.equal(11);
          break;
        }
        total += delay;
      }
      expect(total / scheduleSpanMs(DEFAULT_SCHEDULE_MS)).to.be.closeTo(random === 0 ? 0.8 : 1.2, 1e-9);
    }
  });

  it('when each delay is drawn, then it grows and stays within ±20 % of the step', () => {
    for (let attempts = 1; attempts <= 10; attempts++) {
      const step = DEFAULT_SCHEDULE_MS[attempts - 1]!;
      for (const random of [0, 0.5, 0.999]) {
        const delay = retryDelay(attempts, policy, () => random)!;
        expect(delay).to.be.within(step * 0.8, step * 1.2);
      }
    }
    expect(retryDelay(2, policy, () => 0.5)).to.be.greaterThan(retryDelay(1, policy, () => 0.5)!);
  });

  it('when the receiver asks with Retry-After, then never sooner than it asks (up to a day), never sooner than the schedule', () => {
    expect(retryDelay(1, policy, () => 0.5, 60_000)).to.equal(60_000);
    expect(retryDelay(1, policy, () => 0.5, 1000)).to.equal(5000);
    expect(retryDelay(1, policy, () => 0.5, 10 * MAX_RETRY_AFTER_MS)).to.equal(MAX_RETRY_AFTER_MS);
    expect(retryDelay(11, policy, () => 0.5, 60_000)).to.equal(undefined);
  });
});
