import { expect } from 'chai';
import { pollUntil } from '../support/poll';

/** The poll helper itself: a condition that never holds must fail the test that waits for it. */
describe('test support: pollUntil', () => {
  it('when an async check keeps resolving false, then it rejects after its deadline, naming what was awaited', async () => {
    let calls = 0;
    const started = Date.now();
    const error = await pollUntil(
      'the thing',
      async () => {
        calls += 1;
        await Promise.resolve();
        return false;
      },
      { timeoutMs: 200, intervalMs: 10 },
    ).then(
      () => undefined,
      (err: unknown) => err as Error,
    );
    expect(error?.message).to.equal('the thing: not met within 200 ms');
    expect(Date.now() - started).to.be.at.least(200);
    expect(calls).to.be.greaterThan(1);
  });

  it('when the check returns a function, then it is refused at once (its result cannot be judged)', async () => {
    const error = await pollUntil('a function', () => () => true, { timeoutMs: 1000 }).then(
      () => undefined,
      (err: unknown) => err as Error,
    );
    expect(error).to.be.instanceOf(TypeError);
    expect(error?.message).to.match(/the check returned a function/);
  });

  it('when the check throws until it holds, then it returns the first truthy value; a last error is reported on timeout', async () => {
    let n = 0;
    const value = await pollUntil(
      'the third try',
      () => {
        n += 1;
        if (n < 3) throw new Error(`not yet ${n}`);
        return { n };
      },
      { intervalMs: 1 },
    );
    expect(value).to.deep.equal({ n: 3 });
    const error = await pollUntil(
      'never',
      () => {
        throw new Error('still broken');
      },
      { timeoutMs: 50, intervalMs: 5 },
    ).then(
      () => undefined,
      (err: unknown) => err as Error,
    );
    expect(error?.message).to.equal('never: not met within 50 ms (last error: still broken)');
  });

  it('when the check resolves 0 or an empty string, then those are results (only undefined, false and null mean not yet)', async () => {
    expect(await pollUntil('zero', () => Promise.resolve(0))).to.equal(0);
    expect(await pollUntil('empty', () => '')).to.equal('');
  });
});
