import type { RequestHandler } from 'express';
import type { MetricsEndpoint } from './endpoint';
import { routeTemplateOf } from './route-table';

/** Counts every answer by route template (`unmatched` for unknown paths), method and code, with its latency. */
export function httpMetrics(metrics: MetricsEndpoint): RequestHandler {
  return (req, res, next) => {
    const start = process.hrtime.bigint();
    const route = routeTemplateOf(req.path) ?? 'unmatched';
    res.once('finish', () => {
      const durationS = Number(process.hrtime.bigint() - start) / 1e9;
      metrics.httpRequest(route, req.method, res.statusCode, durationS);
    });
    next();
  };
}
