import { expect } from 'chai';
import { eventLoopGauge } from '../../src/webhooks/load-gauge';
import { pollUntil } from '../support/poll';

/** Keeps the event loop about 98 % busy for `ms`, in slices, calling `each` between slices. */
async function spin(ms: number, each: () => void): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const slice = Date.now() + 45;
    while (Date.now() < slice) {
      // busy
    }
    each();
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

describe('webhooks: the load gauge', () => {
  it('when requests come in while the event loop is nearly full, then busy; once it is idle again, not busy', async () => {
    const gauge = eventLoopGauge({ windowMs: 50 });
    try {
      let seen = false;
      await spin(300, () => {
        gauge.request();
        seen ||= gauge.busy();
      });
      expect(seen).to.equal(true);
      // Idle again: the gauge must say so within a few of its 50 ms windows (waited for, with room for a loaded
      // machine, not slept for).
      await pollUntil('not busy once idle', () => !gauge.busy(), { timeoutMs: 5000 });
    } finally {
      gauge.stop();
    }
  });

  it('when the event loop is full but no request comes in (the worker’s own backlog), then not busy', async () => {
    const gauge = eventLoopGauge({ windowMs: 50 });
    try {
      let seen = false;
      await spin(300, () => {
        seen ||= gauge.busy();
      });
      expect(seen).to.equal(false);
    } finally {
      gauge.stop();
    }
  });
});
