/**
 * The API's route table: every endpoint, declared once (endpoints/*.ts). From it come the Express routes, the
 * verbs allowed on each path (405 and Allow), the route label of the request metrics, and the OpenAPI document.
 */
import { Router } from 'express';
import { requireAccount } from './auth';
import { expressPath, pathPattern, type ApiDeps, type Endpoint, type Method } from './endpoint';
import { AUTH_ENDPOINTS } from './endpoints/auth';
import { CALL_ENDPOINTS } from './endpoints/calls';
import { CLICKTOCALL_ENDPOINTS } from './endpoints/clicktocall';
import { LINK_ENDPOINTS } from './endpoints/links';
import { OPS_ENDPOINTS } from './endpoints/ops';
import { linkPreflight, PUBLIC_LINK_ENDPOINTS } from './endpoints/public-links';
import { WEBHOOK_ENDPOINTS } from './endpoints/webhooks';
import { WIDGET_ENDPOINTS } from './endpoints/widget';

export const ENDPOINTS: readonly Endpoint[] = [
  ...AUTH_ENDPOINTS,
  ...CLICKTOCALL_ENDPOINTS,
  ...CALL_ENDPOINTS,
  ...LINK_ENDPOINTS,
  ...PUBLIC_LINK_ENDPOINTS,
  ...WIDGET_ENDPOINTS,
  ...WEBHOOK_ENDPOINTS,
  ...OPS_ENDPOINTS,
];

/** Every path the API serves and the verbs allowed on it, in the table's order. HEAD goes where GET goes. */
export const ROUTE_METHODS: ReadonlyArray<{
  pattern: RegExp;
  path: string;
  methods: readonly Method[];
  /** The path's CORS is its own (public links). */
  ownCors: boolean;
}> = (() => {
  const byPath = new Map<string, Method[]>();
  for (const e of ENDPOINTS) {
    const methods = byPath.get(e.path) ?? [];
    if (methods.includes(e.method)) throw new Error(`route table: ${e.method} ${e.path} declared twice`);
    byPath.set(e.path, [...methods, e.method]);
  }
  const ownCors = new Set(ENDPOINTS.filter((e) => e.cors === 'link').map((e) => e.path));
  return [...byPath].map(([path, methods]) => ({
    pattern: pathPattern(path),
    path,
    methods,
    ownCors: ownCors.has(path),
  }));
})();

/** The template of the path a request is for (e.g. a metrics label), or undefined. */
export const routeTemplateOf = (path: string): string | undefined =>
  ROUTE_METHODS.find((r) => r.pattern.test(path))?.path;

/** The Express routes of the table, each handler given `deps`. */
export function apiRouter(deps: ApiDeps): Router {
  const router = Router();
  const account = requireAccount(deps.accounts);
  const preflights = new Set<string>();
  for (const e of ENDPOINTS) {
    const route = router.route(expressPath(e.path));
    if (e.cors === 'link' && !preflights.has(e.path)) {
      preflights.add(e.path);
      route.options((req, res) => linkPreflight(deps, req, res));
    }
    const verb = e.method.toLowerCase() as 'get' | 'put' | 'post' | 'patch' | 'delete';
    if (e.access === 'account') route[verb](account, (req, res) => e.handler(deps, req, res));
    else route[verb]((req, res) => e.handler(deps, req, res));
  }
  return router;
}
