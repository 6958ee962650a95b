import crypto from 'node:crypto';
import { Router, type RequestHandler } from 'express';
import { AppError, ERROR_CATALOGUE } from '../errors';
import { sendError, sendSuccess, type EnvelopeMeta } from './envelope';
import { routeTemplateOf } from './methods';

export type HealthReport = {
  ok: boolean;
  /** `process` always; `database` and `switch` when the probe knows them. */
  checks: Record<string, 'up' | 'down'>;
  /** Why the service is down, in a few fixed words (no internals). */
  reason?: string;
};

/** Answers at once (never waits on the switch). */
export type HealthProbe = () => HealthReport;

/** What the routes need of the metrics (src/metrics.ts's Metrics). */
export type MetricsEndpoint = {
  render(): Promise<{ contentType: string; body: string }>;
  httpRequest(route: string, method: string, code: number, durationS: number): void;
};

export type OpsRouteDeps = {
  meta: EnvelopeMeta;
  openapi: object;
  metrics?: MetricsEndpoint;
  /** When set, `GET /metrics` requires `Authorization: Bearer <token>`. */
  metricsToken?: string;
  health?: HealthProbe;
};

const digest = (value: string): Buffer => crypto.createHash('sha256').update(value).digest();

/** Constant-time comparison of the request's bearer token with the configured one. */
function bearerMatches(header: string | undefined, expected: Buffer): boolean {
  const m = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1] !== undefined && crypto.timingSafeEqual(digest(m[1]), expected);
}

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

/** `GET /v2/openapi.json`, `GET /metrics` and `GET /health`: for tools, scrapers and load balancers. */
export function opsRoutes(deps: OpsRouteDeps): Router {
  const router = Router();
  const openapi = JSON.stringify(deps.openapi);
  const expectedToken = deps.metricsToken === undefined ? undefined : digest(deps.metricsToken);

  router.get('/v2/openapi.json', (_req, res) => {
    res.type('application/json').send(openapi);
  });

  router.get('/metrics', async (req, res) => {
    if (expectedToken && !bearerMatches(req.get('authorization'), expectedToken))
      throw new AppError(
        'invalid_credentials',
        { message: 'a valid bearer token is required' },
        { headers: { 'WWW-Authenticate': 'Bearer realm="metrics"' } },
      );
    if (!deps.metrics) throw new AppError('not_found', { message: 'metrics are not enabled' });
    const { contentType, body } = await deps.metrics.render();
    res.set('Cache-Control', 'no-store').type(contentType).send(body);
  });

  router.get('/health', (_req, res) => {
    const report = deps.health?.() ?? { ok: true, checks: { process: 'up' } };
    res.set('Cache-Control', 'no-store');
    if (report.ok) {
      sendSuccess(res, deps.meta, 200, { status: 'up', checks: report.checks });
      return;
    }
    // Answered here, not thrown: a load balancer polling a service whose switch is down is no error to log.
    sendError(res, deps.meta, 503, ERROR_CATALOGUE.unhealthy.message, {
      status: 'down',
      reason: report.reason ?? 'unhealthy',
      checks: report.checks,
    });
  });

  return router;
}
