/**
 * Whether the process is busy serving requests: the event loop was more than `threshold` busy over the last window
 * and requests came in during it. The delivery worker yields while it is (docs/webhooks.md#delivery): a connect
 * matters now, an event a moment later. Its own work alone (a backlog after an outage) does not count as busy.
 */
import { performance, type EventLoopUtilization } from 'node:perf_hooks';

export type LoadGauge = { busy: () => boolean; request: () => void; stop: () => void };

export function eventLoopGauge(opts: { windowMs?: number; threshold?: number } = {}): LoadGauge {
  const threshold = opts.threshold ?? 0.85;
  let last: EventLoopUtilization = performance.eventLoopUtilization();
  let requests = 0;
  let busy = false;
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    busy = requests > 0 && performance.eventLoopUtilization(now, last).utilization > threshold;
    last = now;
    requests = 0;
  }, opts.windowMs ?? 100);
  timer.unref();
  return {
    busy: () => busy,
    request: () => {
      requests += 1;
    },
    stop: () => clearInterval(timer),
  };
}
