import type { Answer, Endpoint } from './endpoint';
import { ENDPOINTS } from './route-table';
import { NO_AUTH } from './endpoints/docs';
import { componentSchemas, errorStatuses, PAGE_SIZE_SCHEMA } from './openapi-schemas';
import { LINK_PARAMETERS, linkSchemas } from './openapi-links';
import { webhookSchemas, webhooksObject } from './openapi-webhooks';

type Obj = Record<string, unknown>;

const schemaRef = (name: string): Obj => ({ $ref: `#/components/schemas/${name}` });
const paramRef = (name: string): Obj => ({ $ref: `#/components/parameters/${name}` });
const headerRef = (name: string): Obj => ({ $ref: `#/components/headers/${name}` });

/** Kazoo's success envelope whose `data` is `data`. */
const enveloped = (data: Obj): Obj => ({
  allOf: [schemaRef('Envelope'), { type: 'object', properties: { data } }],
});

function answer({ description, data, headers = [], raw }: Answer): Obj {
  return {
    description,
    headers: Object.fromEntries(['X-Request-ID', ...headers].map((h) => [h, headerRef(h)])),
    content: raw ?? { 'application/json': { schema: data === undefined ? {} : enveloped(data) } },
  };
}

/** A query parameter of the document. */
const query = (name: string, description: string, schema: Obj): Obj => ({
  name,
  in: 'query',
  description,
  schema,
});

const TRUE_FALSE = { type: 'string', enum: ['true', 'false'] };
const GREGORIAN = { type: 'integer', minimum: 0 };
const DOTTED_KEY = { type: 'string', maxLength: 256 };

const PARAMETERS: Record<string, Obj> = {
  AccountId: { name: 'account_id', in: 'path', required: true, schema: { type: 'string' } },
  ClickToCallId: { name: 'clicktocall_id', in: 'path', required: true, schema: { type: 'string' } },
  CallId: { name: 'call_id', in: 'path', required: true, schema: { type: 'string' } },
  PageSize: { name: 'page_size', in: 'query', schema: PAGE_SIZE_SCHEMA },
  StartKey: query('start_key', 'The next_start_key of the previous page', { type: 'string' }),
  Paginate: query('paginate', 'false returns everything (no page_size, no next_start_key)', TRUE_FALSE),
  Ascending: query(
    'ascending',
    'true lists oldest first (start_key and next_start_key then run that way)',
    TRUE_FALSE,
  ),
  Descending: query('descending', 'true lists newest first, the default', TRUE_FALSE),
  Filters: {
    ...query(
      'filters',
      'Kazoo crossbar filters, all ANDed, on each document as it is returned. filter_<key>=<value>: the value at <key> (a dotted path into nested objects; true/false and numbers written out, missing as "") equals <value>, is a member of <value> as a JSON list, or equals <value> as a JSON string. filter_not_<key>=<value>: it does not. Keys up to 256 characters, values up to 1024, at most 20 filters; a key no document has is no error.',
      {
        type: 'object',
        propertyNames: { pattern: '^filter_.+$' },
        additionalProperties: { type: 'string', maxLength: 1024 },
      },
    ),
    style: 'form',
    explode: true,
  },
  HasKey: query(
    'has_key',
    'Only documents with this (dotted) key, whatever its value, null included',
    DOTTED_KEY,
  ),
  KeyMissing: query('key_missing', 'Only documents without this (dotted) key', DOTTED_KEY),
  HasValue: query(
    'has_value',
    'Only documents whose (dotted) key holds a value that is not empty ("", [], {} or null)',
    DOTTED_KEY,
  ),
  CreatedFrom: query(
    'created_from',
    'Created at or after: Gregorian seconds (Unix seconds + 62167219200), inclusive',
    GREGORIAN,
  ),
  CreatedTo: query('created_to', 'Created at or before: Gregorian seconds, inclusive', GREGORIAN),
  ModifiedFrom: query('modified_from', 'Last changed at or after: Gregorian seconds, inclusive', GREGORIAN),
  ModifiedTo: query('modified_to', 'Last changed at or before: Gregorian seconds, inclusive', GREGORIAN),
  Contact: query('contact', 'The number to connect (write + as %2B)', { type: 'string', maxLength: 64 }),
  Blocking: query('blocking', 'true, 1 or a bare ?blocking: wait for the first party (200) instead of 202', {
    type: 'string',
  }),
  AutoAnswer: query(
    'auto_answer',
    "Kazoo's: false stops the first party's phone from answering by itself (a token's connect asks for it by default; others never)",
    TRUE_FALSE,
  ),
  StatusCallback: query(
    'status_callback',
    "Where this call's status events go (an http or https URL), in place of the configuration's; with a token only",
    { type: 'string', maxLength: 2048 },
  ),
  StatusCallbackEvents: query(
    'status_callback_events',
    'With status_callback: the statuses that send an event, comma-separated (default the final ones)',
    { type: 'string' },
  ),
  StatusCallbackMethod: query('status_callback_method', 'With status_callback: POST (default) or PUT', {
    enum: ['POST', 'PUT'],
  }),
  EventId: { name: 'event_id', in: 'path', required: true, schema: { type: 'string' } },
  DeliveryCallId: query('call_id', "Only this call's events", { type: 'string' }),
  DeliveryState: query('state', 'Only events in this state', { enum: ['pending', 'delivered', 'failed'] }),
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

function operationObject(op: Endpoint): Obj {
  const key = `${op.method} ${op.path}`;
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

/** A public link path's CORS pre-flight: answered for the link's own origins only (docs/links.md#cors). */
function linkPreflightObject(path: string): Obj {
  return {
    operationId: `options_${path
      .replace(/[{}]/g, '')
      .replace(/[^a-z0-9]+/gi, '_')
      .replace(/^_|_$/g, '')}`.toLowerCase(),
    summary:
      "CORS pre-flight: the Access-Control-Allow-* headers are sent only when Origin is one of the link's",
    tags: ['links'],
    parameters: [
      paramRef('LinkToken'),
      ...(path.includes('{status_token}') ? [paramRef('StatusToken')] : []),
    ],
    responses: { 204: { description: 'Pre-flight answered (with or without the CORS headers)' } },
    security: NO_AUTH,
  };
}

/**
 * The OpenAPI 3.1 document of the API, built from the route table (every endpoint's declaration) and the schema
 * the API validates configurations with.
 */
export function buildOpenApiDocument(opts: { version: string }): Obj {
  const paths: Record<string, Obj> = {};
  for (const endpoint of ENDPOINTS) {
    const item = (paths[endpoint.path] ??= {});
    item[endpoint.method.toLowerCase()] = operationObject(endpoint);
    if (endpoint.cors === 'link') item['options'] = linkPreflightObject(endpoint.path);
  }

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
      { name: 'links', description: 'Public links for a website\'s "call me" button, and their public side' },
      { name: 'webhooks', description: 'Call status webhooks: the signing secret and the deliveries' },
      { name: 'operations', description: 'OpenAPI, metrics and health' },
    ],
    security: [{ AuthToken: [] }, { AuthTokenQuery: [] }, { BearerToken: [] }],
    paths,
    webhooks: webhooksObject(),
    components: {
      schemas: {
        ...schemas,
        ...webhookSchemas(),
        ...linkSchemas(),
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
        ...LINK_PARAMETERS,
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
        AuthTokenQuery: {
          type: 'apiKey',
          in: 'query',
          name: 'auth_token',
          description:
            'The same token as an auth_token query parameter (or a top-level auth_token body field), as crossbar reads it; never logged',
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
