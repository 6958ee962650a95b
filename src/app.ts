import express, { type Express } from 'express';
import helmet from 'helmet';
import type { AccountService } from './accounts/account-service';
import type { ClickToCallService } from './clicktocall/clicktocall-service';
import type { ConnectService } from './clicktocall/connect-service';
import type { HistoryService } from './clicktocall/history-service';
import { AppError } from './errors';
import { AnonymousLimit } from './http/anonymous-limit';
import { bodyReader } from './http/body';
import type { HealthProbe, MetricsEndpoint } from './http/endpoint';
import type { EnvelopeMeta } from './http/envelope';
import { createErrorHandler, loggedPath } from './http/error-handler';
import { methodGuard } from './http/methods';
import { buildOpenApiDocument } from './http/openapi';
import { requestContext } from './http/request-context';
import { httpMetrics } from './http/request-metrics';
import { apiRouter } from './http/route-table';
import type { LinkService } from './links/link-service';
import type { Logger } from './logger';
import type { WebhookService } from './webhooks/webhook-service';

export type AppDeps = {
  /** Who may set the client address through X-Forwarded-For (Express's `trust proxy`); default none. */
  trustProxy?: false | string[];
  /** Anonymous connects per client address per minute; default 10, 0 = no limit. */
  anonConnectsPerMinute?: number;
  accounts: AccountService;
  clicktocall: ClickToCallService;
  connect: ConnectService;
  history: HistoryService;
  webhooks: WebhookService;
  links: LinkService;
  logger: Logger;
  meta: EnvelopeMeta;
  /** Prometheus metrics (`GET /metrics`, HTTP series); without them `/metrics` is 404. */
  metrics?: MetricsEndpoint;
  /** The service's address as browsers reach it; default the address each request came to. */
  publicUrl?: string;
  /** When set, `GET /metrics` requires `Authorization: Bearer <metricsToken>`. */
  metricsToken?: string;
  /** `GET /health`'s probe; without one it reports the process only. */
  health?: HealthProbe;
  /** Told of every request as it arrives (the webhook worker yields while requests are being served). */
  onRequest?: () => void;
};

/** The HTTP application. No listen(), no environment, no globals: tests drive it with supertest. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy ?? false);
  app.use(helmet());
  app.set('etag', false);
  app.set('query parser', 'simple');
  const onRequest = deps.onRequest;
  if (onRequest)
    app.use((_req, _res, next) => {
      onRequest();
      next();
    });
  if (deps.metrics) app.use(httpMetrics(deps.metrics));
  app.use(requestContext(deps.logger));
  app.use(methodGuard());
  app.use(bodyReader());
  app.use(
    apiRouter({
      meta: deps.meta,
      accounts: deps.accounts,
      clicktocall: deps.clicktocall,
      connect: deps.connect,
      history: deps.history,
      webhooks: deps.webhooks,
      links: deps.links,
      anonymous: new AnonymousLimit(deps.anonConnectsPerMinute ?? 10),
      openapi: JSON.stringify(buildOpenApiDocument({ version: deps.meta.version })),
      ...(deps.metrics && { metrics: deps.metrics }),
      ...(deps.metricsToken !== undefined && { metricsToken: deps.metricsToken }),
      ...(deps.publicUrl !== undefined && { publicUrl: deps.publicUrl }),
      ...(deps.health && { health: deps.health }),
    }),
  );
  app.use((req) => {
    throw new AppError('not_found', { message: `no endpoint at ${loggedPath(req.path).slice(0, 200)}` });
  });
  app.use(createErrorHandler(deps.meta, deps.logger));
  return app;
}
