import { ROUTE_METHODS } from './methods';
import { componentSchemas, errorStatuses, PAGE_SIZE_SCHEMA } from './openapi-schemas';

type Obj = Record<string, unknown>;

const schemaRef = (name: string): Obj => ({ $ref: `#/components/schemas/${name}` });
const paramRef = (name: string): Obj => ({ $ref: `#/components/parameters/${name}` });
const headerRef = (name: string): Obj => ({ $ref: `#/components/headers/${name}` });

/** Kazoo's success envelope whose `data` is `data`. */
const enveloped = (data: Obj): Obj => ({
  allOf: [schemaRef('Envelope'), { type: 'object', properties: { data } }],
});

type Answer = { description: string; data?: Obj; headers?: string[]; raw?: Obj };

function answer({ description, data, headers = [], raw }: Answer): Obj {
  return {
    description,
    headers: Object.fromEntries(['X-Request-ID', ...headers].map((h) => [h, headerRef(h)])),
    content: raw ?? { 'application/json': { schema: data === undefined ? {} : enveloped(data) } },
  };
}

const jsonBody = (schema: string, required = true): Obj => ({
  required,
  content: { 'application/json': { schema: schemaRef(schema) } },
});

type Operation = {
  summary: string;
  description?: string;
  tag: 'auth' | 'clicktocall' | 'calls' | 'operations';
  params?: string[];
  body?: Obj;
  answers: Record<number, Answer>;
  errors: number[];
  /** Default: a token (X-Auth-Token or bearer). */
  security?: Obj[];
};

const ACCOUNT = ['AccountId'];
const CONFIG = ['AccountId', 'ClickToCallId'];
const PAGING = ['PageSize', 'StartKey', 'Paginate'];
const AUTHZ = [401, 403, 404];
const BODY_ERRORS = [400, 413, 415];
const TOKEN_OR_ANONYMOUS = [{ AuthToken: [] }, { BearerToken: [] }, {}];

const connectAnswers: Record<number, Answer> = {
  202: { description: 'Non-blocking: the switch accepted the originate', data: schemaRef('Originate') },
  200: {
    description: "Blocking: the call's history record once the first party answered or failed",
    data: schemaRef('HistoryRecord'),
  },
};

const connectDescription =
  'Places the call: the first party rings; when it answers, the second party rings. Without a token only a configuration with auth_required false may be used. Throttled per configuration (429 with Retry-After).';

/** Every operation, by `VERB path` (the paths are ROUTE_METHODS's templates). */
const OPERATIONS: Record<string, Operation> = {
  'PUT /v2/api_auth': {
    summary: 'Exchange an API key for a token',
    tag: 'auth',
    body: jsonBody('ApiAuthRequest'),
    answers: {
      201: { description: "The token is the envelope's auth_token", data: schemaRef('ApiAuthResult') },
    },
    errors: [...BODY_ERRORS, 401],
    security: [],
  },
  'GET /v2/accounts/{account_id}/clicktocall': {
    summary: 'List click-to-call configurations (newest first)',
    tag: 'clicktocall',
    params: [...ACCOUNT, ...PAGING, 'Filters'],
    answers: {
      200: { description: 'A page', data: { type: 'array', items: schemaRef('ClickToCallSummary') } },
    },
    errors: [400, ...AUTHZ],
  },
  'PUT /v2/accounts/{account_id}/clicktocall': {
    summary: 'Create a click-to-call configuration',
    tag: 'clicktocall',
    params: ACCOUNT,
    body: jsonBody('ClickToCallRequest'),
    answers: {
      201: { description: 'Created', data: schemaRef('ClickToCall'), headers: ['Location', 'ETag'] },
    },
    errors: [...BODY_ERRORS, ...AUTHZ],
  },
  'GET /v2/accounts/{account_id}/clicktocall/{clicktocall_id}': {
    summary: 'Fetch a click-to-call configuration',
    tag: 'clicktocall',
    params: CONFIG,
    answers: { 200: { description: 'The configuration', data: schemaRef('ClickToCall'), headers: ['ETag'] } },
    errors: AUTHZ,
  },
  'POST /v2/accounts/{account_id}/clicktocall/{clicktocall_id}': {
    summary: 'Replace a click-to-call configuration',
    tag: 'clicktocall',
    params: [...CONFIG, 'IfMatch'],
    body: jsonBody('ClickToCallRequest'),
    answers: { 200: { description: 'The new version', data: schemaRef('ClickToCall'), headers: ['ETag'] } },
    errors: [...BODY_ERRORS, ...AUTHZ, 412],
  },
  'PATCH /v2/accounts/{account_id}/clicktocall/{clicktocall_id}': {
    summary: 'Patch a click-to-call configuration (deep merge)',
    tag: 'clicktocall',
    params: [...CONFIG, 'IfMatch'],
    body: jsonBody('ClickToCallPatchRequest'),
    answers: { 200: { description: 'The new version', data: schemaRef('ClickToCall'), headers: ['ETag'] } },
    errors: [...BODY_ERRORS, ...AUTHZ, 412],
  },
  'DELETE /v2/accounts/{account_id}/clicktocall/{clicktocall_id}': {
    summary: 'Delete a click-to-call configuration (its history stays)',
    tag: 'clicktocall',
    params: [...CONFIG, 'IfMatch'],
    answers: {
      200: { description: 'The deleted document, _read_only.deleted true', data: schemaRef('ClickToCall') },
    },
    errors: [...AUTHZ, 412],
  },
  'GET /v2/accounts/{account_id}/clicktocall/{clicktocall_id}/connect': {
    summary: 'Connect a contact to the configured extension',
    description: connectDescription,
    tag: 'calls',
    params: [...CONFIG, 'Contact', 'Blocking'],
    answers: connectAnswers,
    errors: [400, ...AUTHZ, 429, 503],
    security: TOKEN_OR_ANONYMOUS,
  },
  'POST /v2/accounts/{account_id}/clicktocall/{clicktocall_id}/connect': {
    summary: 'Connect a contact to the configured extension',
    description: `${connectDescription} The contact comes from the body's data, else the query string, else a form field.`,
    tag: 'calls',
    params: [...CONFIG, 'Contact', 'Blocking'],
    body: {
      required: false,
      content: {
        'application/json': { schema: schemaRef('ConnectRequest') },
        'application/x-www-form-urlencoded': { schema: schemaRef('ConnectForm') },
      },
    },
    answers: connectAnswers,
    errors: [...BODY_ERRORS, ...AUTHZ, 429, 503],
    security: TOKEN_OR_ANONYMOUS,
  },
  'GET /v2/accounts/{account_id}/clicktocall/{clicktocall_id}/history': {
    summary: "A configuration's calls (newest first)",
    tag: 'calls',
    params: [...CONFIG, ...PAGING, 'CreatedFrom', 'CreatedTo'],
    answers: { 200: { description: 'A page', data: { type: 'array', items: schemaRef('HistoryRecord') } } },
    errors: [400, ...AUTHZ],
  },
  'GET /v2/accounts/{account_id}/clicktocall/{clicktocall_id}/history/{call_id}': {
    summary: 'One call, for status polling',
    tag: 'calls',
    params: [...CONFIG, 'CallId'],
    answers: { 200: { description: 'The record', data: schemaRef('HistoryRecord') } },
    errors: AUTHZ,
  },
  'POST /v2/accounts/{account_id}/channels/{call_id}': {
    summary: 'Hang up a click-to-call call',
    tag: 'calls',
    params: [...ACCOUNT, 'CallId'],
    body: jsonBody('HangupRequest'),
    answers: {
      202: { description: 'Hang-up sent; the record ends canceled', data: schemaRef('HistoryRecord') },
    },
    errors: [...BODY_ERRORS, ...AUTHZ, 503],
  },
  'GET /v2/openapi.json': {
    summary: 'This document',
    tag: 'operations',
    answers: {
      200: {
        description: 'The OpenAPI 3.1 document',
        raw: { 'application/json': { schema: { type: 'object' } } },
      },
    },
    errors: [],
    security: [],
  },
  'GET /metrics': {
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
  },
  'GET /health': {
    summary: 'Health for load balancers and supervisors',
    description: 'Process up, database writable, switch link up. Answers at once.',
    tag: 'operations',
    answers: { 200: { description: 'Healthy', data: schemaRef('Health') } },
    errors: [503],
    security: [],
  },
};

const PARAMETERS: Record<string, Obj> = {
  AccountId: { name: 'account_id', in: 'path', required: true, schema: { type: 'string' } },
  ClickToCallId: { name: 'clicktocall_id', in: 'path', required: true, schema: { type: 'string' } },
  CallId: { name: 'call_id', in: 'path', required: true, schema: { type: 'string' } },
  PageSize: { name: 'page_size', in: 'query', schema: PAGE_SIZE_SCHEMA },
  StartKey: {
    name: 'start_key',
    in: 'query',
    description: 'The next_start_key of the previous page',
    schema: { type: 'string' },
  },
  Paginate: {
    name: 'paginate',
    in: 'query',
    description: 'false returns everything',
    schema: { type: 'string', enum: ['true', 'false'] },
  },
  Filters: {
    name: 'filters',
    in: 'query',
    style: 'form',
    explode: true,
    description:
      'filter_<field>=<value>: keep the configurations whose top-level field equals the value (filter_extension=2600)',
    schema: {
      type: 'object',
      propertyNames: { pattern: '^filter_[A-Za-z0-9_]+$' },
      additionalProperties: { type: 'string' },
    },
  },
  CreatedFrom: {
    name: 'created_from',
    in: 'query',
    description: 'Gregorian seconds, inclusive',
    schema: { type: 'integer', minimum: 0 },
  },
  CreatedTo: {
    name: 'created_to',
    in: 'query',
    description: 'Gregorian seconds, inclusive',
    schema: { type: 'integer', minimum: 0 },
  },
  Contact: {
    name: 'contact',
    in: 'query',
    description: 'The number to connect (write + as %2B)',
    schema: { type: 'string', maxLength: 64 },
  },
  Blocking: {
    name: 'blocking',
    in: 'query',
    description: 'true, 1 or a bare ?blocking: wait for the first party (200) instead of 202',
    schema: { type: 'string' },
  },
  IfMatch: {
    name: 'If-Match',
    in: 'header',
    description: 'The "revision" the change applies to; a stale one is 412',
    schema: { type: 'string' },
  },
};

const HEADERS: Record<string, Obj> = {
  'X-Request-ID': { description: 'The request id, also in the envelope', schema: { type: 'string' } },
  ETag: { description: "The document's revision, quoted", schema: { type: 'string' } },
  Location: { description: 'The created document', schema: { type: 'string' } },
  'Retry-After': { description: 'Seconds before another try may pass', schema: { type: 'integer' } },
  'WWW-Authenticate': { description: 'Bearer', schema: { type: 'string' } },
};

function errorResponses(): Record<string, Obj> {
  const extraHeaders: Record<number, string[]> = { 401: ['WWW-Authenticate'], 429: ['Retry-After'] };
  return Object.fromEntries(
    [...errorStatuses()].map(([status, messages]) => [
      `Error${status}`,
      answer({
        description: `Error: ${messages.join(', ')}`,
        headers: extraHeaders[status] ?? [],
        raw: { 'application/json': { schema: schemaRef(`Error${status}`) } },
      }),
    ]),
  );
}

/** Errors every operation may answer besides its own: a malformed request or an internal error. */
const ALWAYS = [405, 500];

function operationObject(key: string, op: Operation): Obj {
  const responses: Obj = {};
  for (const [status, a] of Object.entries(op.answers)) responses[status] = answer(a);
  const errors = [...new Set([...op.errors, ...ALWAYS])].sort((a, b) => a - b);
  for (const status of errors) responses[String(status)] = { $ref: `#/components/responses/Error${status}` };
  return {
    operationId: key
      .toLowerCase()
      .replace(/[{}]/g, '')
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_|_$/g, ''),
    summary: op.summary,
    ...(op.description !== undefined && { description: op.description }),
    tags: [op.tag],
    parameters: [...(op.params ?? []).map(paramRef), paramRef('XRequestId')],
    ...(op.body && { requestBody: op.body }),
    responses,
    ...(op.security && { security: op.security }),
  };
}

/**
 * The OpenAPI 3.1 document of the API, built from the route table (every path and verb) and the schema
 * the API validates configurations with. Throws when an operation is missing or left over, so the two
 * tables cannot drift apart.
 */
export function buildOpenApiDocument(opts: { version: string }): Obj {
  const paths: Record<string, Obj> = {};
  const seen = new Set<string>();
  for (const route of ROUTE_METHODS) {
    const item: Obj = {};
    for (const method of route.methods) {
      const key = `${method} ${route.path}`;
      const op = OPERATIONS[key];
      if (!op) throw new Error(`OpenAPI: no operation for ${key}`);
      seen.add(key);
      item[method.toLowerCase()] = operationObject(key, op);
    }
    paths[route.path] = item;
  }
  const extra = Object.keys(OPERATIONS).filter((key) => !seen.has(key));
  if (extra.length > 0) throw new Error(`OpenAPI: operations not in the route table: ${extra.join(', ')}`);

  const schemas = componentSchemas();
  return {
    openapi: '3.1.0',
    info: {
      title: 'fs-clicktocall',
      version: opts.version,
      description:
        "2600Hz Kazoo's clicktocall API in front of FreeSWITCH. Every JSON answer is Kazoo's envelope: status success with data, or status error with error (the HTTP code as a string), message and data.",
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/' }],
    tags: [
      { name: 'auth', description: 'Tokens' },
      { name: 'clicktocall', description: 'Click-to-call configurations' },
      { name: 'calls', description: 'Connects, call history and hang-up' },
      { name: 'operations', description: 'OpenAPI, metrics and health' },
    ],
    security: [{ AuthToken: [] }, { BearerToken: [] }],
    paths,
    components: {
      schemas: {
        ...schemas,
        ClickToCallRequest: {
          type: 'object',
          properties: { data: schemaRef('ClickToCallConfiguration') },
          required: ['data'],
        },
        ClickToCallPatchRequest: {
          type: 'object',
          properties: { data: schemaRef('ClickToCallPatch') },
          required: ['data'],
        },
      },
      parameters: {
        ...PARAMETERS,
        XRequestId: {
          name: 'X-Request-ID',
          in: 'header',
          description: 'Echoed (when it is 1 to 128 of A-Z a-z 0-9 . _ : -) as the envelope request_id',
          schema: { type: 'string' },
        },
      },
      headers: HEADERS,
      responses: errorResponses(),
      securitySchemes: {
        AuthToken: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Auth-Token',
          description: 'A token from PUT /v2/api_auth',
        },
        BearerToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'The same token as Authorization: Bearer',
        },
        MetricsToken: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN, for GET /metrics' },
      },
    },
  };
}
