/** Load generation: autocannon (closed loop, N connections) and a fixed-rate open-loop driver. */
import http from 'node:http';
import autocannon from 'autocannon';

export type LoadResult = {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
  /** Every 2xx answer's latency in ms (to merge runs made side by side). */
  latencies: number[];
};

/** The q-quantile (0..1) of numbers, nearest rank. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i] as number;
}

export type CannonOptions = {
  url: string;
  connections: number;
  durationS: number;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Several requests played in turn on every connection (autocannon's `requests`). */
  requests?: Array<{ method?: string; path?: string; headers?: Record<string, string>; body?: string }>;
};

/**
 * Runs autocannon and reports req/s with p50/p99 latency in ms (from each response's own timing, so below
 * the histogram's 1 ms resolution). Only 2xx answers count as requests done.
 */
export function cannon(o: CannonOptions): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const latencies: number[] = [];
    const instance = autocannon(
      {
        url: o.url,
        connections: o.connections,
        duration: o.durationS,
        pipelining: 1,
        timeout: 10,
        ...(o.method !== undefined && { method: o.method }),
        ...(o.headers !== undefined && { headers: o.headers }),
        ...(o.body !== undefined && { body: o.body }),
        ...(o.requests !== undefined && { requests: o.requests }),
      },
      (err, result) => {
        if (err) {
          reject(err);
          return;
        }
        resolve({
          rps: result['2xx'] / result.duration,
          p50: quantile(latencies, 0.5),
          p99: quantile(latencies, 0.99),
          requests: result['2xx'],
          non2xx: result.non2xx,
          errors: result.errors + result.timeouts,
          latencies,
        });
      },
    );
    instance.on('response', (_client, status, _bytes, ms) => {
      if (status >= 200 && status < 300) latencies.push(ms);
    });
  });
}

/**
 * Fixed-rate open loop: `rate` requests per second, evenly spaced, for `durationS`, whatever the answers'
 * timing (no coordinated omission). Calls `onSent` with the request's send time (process.hrtime) and
 * `onAnswer` with its body.
 */
export async function openLoop(o: {
  url: string;
  rate: number;
  durationS: number;
  headers: Record<string, string>;
  onAnswer: (sentNs: bigint, status: number, body: string) => void;
}): Promise<{ sent: number; answered: number; failed: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const total = Math.round(o.rate * o.durationS);
  const intervalMs = 1000 / o.rate;
  const start = performance.now();
  let sent = 0;
  let answered = 0;
  let failed = 0;
  const inflight: Array<Promise<void>> = [];
  const fire = (): Promise<void> =>
    new Promise((resolve) => {
      const req = http.request(o.url, { agent, headers: o.headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          answered += 1;
          o.onAnswer(sentNs, res.statusCode ?? 0, body);
          resolve();
        });
      });
      req.on('error', () => {
        failed += 1;
        resolve();
      });
      const sentNs = process.hrtime.bigint();
      req.end();
    });
  while (sent < total) {
    const due = start + sent * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, Math.floor(wait)));
    else if (wait > 0) await new Promise((resolve) => setImmediate(resolve));
    while (sent < total && start + sent * intervalMs <= performance.now()) {
      inflight.push(fire());
      sent += 1;
    }
  }
  await Promise.all(inflight);
  agent.destroy();
  return { sent, answered, failed };
}
