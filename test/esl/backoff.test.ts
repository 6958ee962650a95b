import { expect } from 'chai';
import { backoffDelay, DEFAULT_BACKOFF } from '../../esl';

describe('esl backoff', () => {
  it('when there is no jitter, then it doubles from 250 ms and is capped at 10 s', () => {
    const opts = { ...DEFAULT_BACKOFF, jitter: 0 };
    expect([0, 1, 2, 3, 4, 5, 6, 10, 50].map((n) => backoffDelay(n, opts))).to.deep.equal([
      250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000,
    ]);
  });

  it('when jitter is ±20 %, then the delay stays within the band at both ends of the random range', () => {
    expect(backoffDelay(0, DEFAULT_BACKOFF, () => 0)).to.equal(200);
    expect(backoffDelay(0, DEFAULT_BACKOFF, () => 0.999999)).to.equal(300);
    expect(backoffDelay(20, DEFAULT_BACKOFF, () => 0)).to.equal(8000);
    expect(backoffDelay(20, DEFAULT_BACKOFF, () => 0.999999)).to.equal(12_000);
    for (let i = 0; i < 200; i++) expect(backoffDelay(3, DEFAULT_BACKOFF)).to.be.within(1600, 2400);
  });
});
