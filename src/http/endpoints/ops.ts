import crypto from 'node:crypto';
import { AppError, ERROR_CATALOGUE } from '../../errors';
import type { Endpoint } from '../endpoint';
import { sendError, sendSuccess } from '../envelope';
import { NO_AUTH, schemaRef } from './docs';

const digest = (value: string): Buffer => crypto.createHash('sha256').update(value).digest();

/** Constant-time comparison of the request's bearer token with the configured one. */
function bearerMatches(header: string | undefined, expected: string): boolean {
  const m = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1] !== undefined && crypto.timingSafeEqual(digest(m[1]), digest(expected));
}

/** `GET /v2/openapi.json`, `GET /metrics` and `GET /health`: for tools, scrapers and load balancers. */
export const OPS_ENDPOINTS: Endpoint[] = [
  {
    method: 'GET',
    path: '/v2/openapi.json',
    summary: 'This document',
    tag: 'operations',
    answers: {
      200: {
        description: 'The OpenAPI 3.1 document',
        raw: { 'application/json': { schema: { type: 'object' } } },
      },
    },
    errors: [],
    security: NO_AUTH,
    access: 'open',
    handler({ openapi }, _req, res) {
      res.type('application/json').send(openapi);
    },
  },
  {
    method: 'GET',
    path: '/metrics',
    summary: 'Prometheus metrics',
    description: 'Requires Authorization: Bearer <METRICS_TOKEN> when METRICS_TOKEN is set.',
    tag: 'operations',
    answers: {
      200: {
        description: 'The Prometheus text exposition format',
        raw: { 'text/plain': { schema: { type: 'string' } } },
      },
    },
    errors: [401],
    security: [{ MetricsToken: [] }, {}],
    access: 'open',
    async handler({ metrics, metricsToken }, req, res) {
      if (metricsToken !== undefined && !bearerMatches(req.get('authorization'), metricsToken))
        throw new AppError(
          'invalid_credentials',
          { message: 'a valid bearer token is required' },
          { headers: { 'WWW-Authenticate': 'Bearer realm="metrics"' } },
        );
      if (!metrics) throw new AppError('not_found', { message: 'metrics are not enabled' });
      const { contentType, body } = await metrics.render();
      res.set('Cache-Control', 'no-store').type(contentType).send(body);
    },
  },
  {
    method: 'GET',
    path: '/health',
    summary: 'Health for load balancers and supervisors',
    description: 'Process up, database writable, switch link up. Answers at once.',
    tag: 'operations',
    answers: { 200: { description: 'Healthy', data: schemaRef('Health') } },
    errors: [503],
    security: NO_AUTH,
    access: 'open',
    async handler({ health, meta }, _req, res) {
      const report = health ? await health() : { ok: true, checks: { process: 'up' as const } };
      res.set('Cache-Control', 'no-store');
      if (report.ok) {
        sendSuccess(res, meta, 200, {
          status: 'up',
          checks: report.checks,
          ...(report.switches && { switches: report.switches }),
        });
        return;
      }
      // Answered here, not thrown: a load balancer polling a service whose switch is down is no error to log.
      sendError(res, meta, 503, ERROR_CATALOGUE.unhealthy.message, {
        status: 'down',
        reason: report.reason ?? 'unhealthy',
        checks: report.checks,
        ...(report.switches && { switches: report.switches }),
      });
    },
  },
];
