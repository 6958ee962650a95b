/**
 * One endpoint of the API, declared once: its method and path, what the OpenAPI document says of it (parameters,
 * body, answers, errors, security), who may call it, and its handler. The Express routes, the 405/Allow table and
 * the OpenAPI document are all derived from the table of these (route-table.ts).
 */
import type { Request, Response } from 'express';
import type { AccountService } from '../accounts/account-service';
import type { ClickToCallService } from '../clicktocall/clicktocall-service';
import type { ConnectService } from '../clicktocall/connect-service';
import type { HistoryService } from '../clicktocall/history-service';
import type { LinkService } from '../links/link-service';
import type { WebhookService } from '../webhooks/webhook-service';
import type { AnonymousLimit } from './anonymous-limit';
import type { EnvelopeMeta } from './envelope';

export type Method = 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

type Obj = Record<string, unknown>;

/** An answer of the operation: `data` is the envelope's data schema; `raw` replaces the whole content. */
export type Answer = { description: string; data?: Obj; headers?: string[]; raw?: Obj };

export type OperationDoc = {
  summary: string;
  description?: string;
  tag: 'auth' | 'clicktocall' | 'calls' | 'links' | 'webhooks' | 'operations';
  /** Names of components.parameters. */
  params?: string[];
  /** The requestBody object. */
  body?: Obj;
  answers: Record<number, Answer>;
  /** HTTP codes of the error envelopes it may answer (405 and 500 are added to all). */
  errors: number[];
  /** Default: a token (X-Auth-Token or bearer); [] for none. */
  security?: Obj[];
};

/** `GET /health`'s answer: the process, the database and the switch link. */
export type HealthReport = {
  ok: boolean;
  /** `process` always; `database` and `switch` when the probe knows them. */
  checks: Record<string, 'up' | 'down'>;
  /** Why the service is down, in a few fixed words (no internals). */
  reason?: string;
  /** With several switches: each one's state, load and whether this instance tracks it (docs/switches.md). */
  switches?: Record<string, { up: boolean; load: number; tracked: boolean }>;
};

/** Answers without waiting on the switch; the database check is bounded. */
export type HealthProbe = () => Promise<HealthReport>;

/** What the metrics endpoint and the request counter need (src/metrics.ts's Metrics). */
export type MetricsEndpoint = {
  render(): Promise<{ contentType: string; body: string }>;
  httpRequest(route: string, method: string, code: number, durationS: number): void;
};

/** What the handlers are given. */
export type ApiDeps = {
  meta: EnvelopeMeta;
  accounts: AccountService;
  clicktocall: ClickToCallService;
  connect: ConnectService;
  history: HistoryService;
  webhooks: WebhookService;
  links: LinkService;
  anonymous: AnonymousLimit;
  /** The OpenAPI document, as served. */
  openapi: string;
  metrics?: MetricsEndpoint;
  /** When set, `GET /metrics` requires `Authorization: Bearer <token>`. */
  metricsToken?: string;
  /** The service's address as browsers reach it (PUBLIC_URL), for a link's snippet. */
  publicUrl?: string;
  health?: HealthProbe;
};

export type Endpoint = OperationDoc & {
  method: Method;
  /** The OpenAPI path template, e.g. `/v2/accounts/{account_id}/clicktocall/{clicktocall_id}`. */
  path: string;
  /**
   * `account`: a valid token for the path's `{account_id}` (or an account above it) is checked before the
   * handler, which finds the account with `accountOf(res)`. `open`: the handler decides (no token, the metrics
   * token, or a token or none as connect takes).
   */
  access: 'account' | 'open';
  /**
   * `link`: CORS is the link's own (only its origins are answered, pre-flights included: docs/links.md#cors),
   * not the API's (any origin, tokens in headers).
   */
  cors?: 'link';
  handler: (deps: ApiDeps, req: Request, res: Response) => void | Promise<void>;
};

/** The Express path of a template: `{account_id}` → `:account_id`. */
export const expressPath = (template: string): string => template.replace(/\{([a-z_]+)\}/g, ':$1');

/** A pattern matching the template (any segment for a parameter, an optional trailing slash). */
export const pathPattern = (template: string): RegExp =>
  new RegExp(
    `^${template
      .split(/\{[a-z_]+\}/)
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('[^/]+')}${template.endsWith('.json') ? '' : '/?'}$`,
  );
