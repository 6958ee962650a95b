import { CALL_STATUSES } from '../calls/call-state';
import { CLICKTOCALL_SCHEMA } from '../clicktocall/clicktocall-schema';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../clicktocall/paging';
import { ERROR_CATALOGUE } from '../errors';

type Schema = Record<string, unknown>;

/**
 * What our custom ajv keywords mean, said in words: OpenAPI tools do not know them, so they are
 * translated into `description` (and `format`) rather than left as unknown `x-` keywords.
 */
const CUSTOM_KEYWORDS: Record<string, { note: string; format?: string }> = {
  'x-channel-value': {
    note: 'Passed to FreeSWITCH as a channel variable: no control characters, no "${", no unbalanced braces, no leading or trailing blank.',
  },
  'x-regex': {
    note: 'A regular expression in RE2 syntax (no look-arounds or backreferences).',
    format: 'regex',
  },
  'x-sip-header': {
    note: 'Not a header the SIP stack sets itself (Via, Call-ID, From, To, Contact, CSeq…).',
  },
  'x-callback-url': {
    note: 'An http or https URL without user name or password.',
    format: 'uri',
  },
  'x-origin': {
    note: 'A web origin as a browser sends it: scheme, host and port only (https://shop.example).',
  },
  'x-ringback': {
    note: 'A ringback FreeSWITCH can play: a tone %(on,off,freq), a tone_stream://, local_stream:// or http_cache:// URI, an absolute file path, or a known ringback name (us-ring, uk-ring…), bare or as ${us-ring}.',
  },
};

/** A copy of an ajv schema as an OpenAPI 3.1 (JSON Schema 2020-12) schema: no `$id`, no custom keywords. */
export function toOpenApiSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toOpenApiSchema);
  if (node === null || typeof node !== 'object') return node;
  const out: Schema = {};
  const notes: string[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (key === '$id') continue;
    const custom = CUSTOM_KEYWORDS[key];
    if (custom) {
      notes.push(custom.note);
      if (custom.format) out['format'] = custom.format;
      continue;
    }
    out[key] = toOpenApiSchema(value);
  }
  if (notes.length > 0)
    out['description'] = [out['description'], ...notes].filter((s) => typeof s === 'string').join(' ');
  return out;
}

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const ID = { type: 'string', pattern: '^[0-9a-f]{32}$' };
const TIME = { type: 'string', format: 'date-time' };
const CALL_ID = { type: 'string', pattern: '^c2c-[0-9a-f]{32}-[0-9a-f]{10}$' };

const configuration = toOpenApiSchema(CLICKTOCALL_SCHEMA) as Schema & { properties: Record<string, Schema> };

/** PATCH: any subset of the fields; `null` deletes a key. Not checked alone: the merged result is. */
const configurationPatch: Schema = {
  type: 'object',
  description:
    'A deep merge into the stored configuration: objects merge key by key, arrays are replaced, null deletes a key. The result is validated as a whole.',
  properties: Object.fromEntries(
    Object.entries(configuration.properties).map(([name, schema]) => [
      name,
      { anyOf: [schema, { type: 'null' }] },
    ]),
  ),
};

const leg: Schema = {
  type: 'object',
  properties: {
    uuid: { type: 'string' },
    loopback: {
      const: true,
      description: "The first party's loopback leg, standing in for it while no phone of it is reached",
    },
    destination: { type: 'string' },
    answered_at: TIME,
    ended_at: TIME,
    hangup_cause: { type: 'string' },
    sip_status: { type: 'string' },
  },
};

const historyRecord: Schema = {
  type: 'object',
  required: ['id', 'call_id', 'timestamp', 'contact', 'status', 'extension', 'dial_first', 'created'],
  properties: {
    id: ID,
    call_id: CALL_ID,
    timestamp: { type: 'integer', description: 'Gregorian seconds (Unix seconds + 62167219200)' },
    contact: { type: 'string' },
    result: {
      enum: ['success', 'error'],
      description:
        "Kazoo's: the first party's fate; absent until it is known (status says where the call is)",
    },
    cause: { type: 'string', description: 'The FreeSWITCH cause, when result is error' },
    status: { enum: [...CALL_STATUSES] },
    extension: { type: 'string' },
    dial_first: { enum: ['extension', 'contact'] },
    created: TIME,
    answered_at: TIME,
    bridged_at: TIME,
    ended_at: TIME,
    duration_s: { type: 'integer', minimum: 0 },
    talk_s: { type: 'integer', minimum: 0 },
    hangup_cause: { type: 'string' },
    hung_up_by: { enum: ['extension', 'contact'] },
    legs: { type: 'object', properties: { first: leg, second: leg } },
    custom_application_vars: { type: 'object', additionalProperties: { type: 'string' } },
    requested_by: { enum: ['token', 'anonymous', 'link'] },
    link_id: { ...ID, description: 'The public link the call came through (requested_by link)' },
    switch: {
      type: 'string',
      description: 'The name of the switch that carries the call (docs/switches.md)',
    },
  },
};

/** The originate of a non-blocking connect, in Kazoo's shape, with the call's id. */
const originate: Schema = {
  type: 'object',
  required: ['application_name', 'application_data', 'endpoints', 'outbound_call_id', 'call_id', 'timeout'],
  properties: {
    application_data: { type: 'object', properties: { route: { type: 'string' } } },
    application_name: { const: 'transfer' },
    continue_on_fail: { type: 'boolean' },
    custom_application_vars: { type: 'object', additionalProperties: { type: 'string' } },
    custom_channel_vars: { type: 'object' },
    dial_endpoint_method: { type: 'string' },
    endpoints: { type: 'array', items: { type: 'object' } },
    export_custom_channel_vars: { type: 'array', items: { type: 'string' } },
    ignore_early_media: { type: 'boolean' },
    loopback_bowout: { enum: ['true', 'false'] },
    outbound_call_id: CALL_ID,
    outbound_callee_id_name: { type: 'string' },
    outbound_callee_id_number: { type: 'string' },
    outbound_caller_id_name: { type: 'string' },
    outbound_caller_id_number: { type: 'string' },
    simplify_loopback: { type: 'string' },
    start_control_process: { type: 'string' },
    timeout: { type: 'integer' },
    call_id: { ...CALL_ID, description: "The call's id: its FreeSWITCH uuid and its history id" },
  },
};

const connectFields: Schema = {
  contact: {
    type: ['string', 'number'],
    maxLength: 64,
    description:
      'A phone number (normalized to E.164 where it is one), a short internal number, or sip:user@host for accounts allowed SIP URIs',
  },
  blocking: {
    type: ['boolean', 'string', 'integer'],
    description: 'true, "true", 1 or an empty value: wait for the first party\'s answer (200) instead of 202',
  },
};

/** The Kazoo envelope of a success; each answer narrows `data`. */
const successEnvelope: Schema = {
  type: 'object',
  required: ['data', 'node', 'request_id', 'status', 'timestamp', 'version'],
  properties: {
    auth_token: { type: 'string', description: 'The token the request carried (absent when none)' },
    data: {},
    node: { type: 'string' },
    request_id: { type: 'string' },
    revision: { type: 'string', description: "The document's revision (also the ETag header)" },
    status: { const: 'success' },
    timestamp: TIME,
    version: { type: 'string' },
    page_size: { type: 'integer', minimum: 0 },
    start_key: { type: 'string' },
    next_start_key: { type: 'string', description: 'Pass back as start_key for the next page' },
  },
};

/** The HTTP codes of the error catalogue, each with the messages it can carry. */
export function errorStatuses(): Map<number, string[]> {
  const byStatus = new Map<number, string[]>();
  for (const { status, message } of Object.values(ERROR_CATALOGUE))
    byStatus.set(status, [...(byStatus.get(status) ?? []), message]);
  return new Map([...byStatus].sort(([a], [b]) => a - b));
}

function errorEnvelope(status: number, messages: string[]): Schema {
  return {
    type: 'object',
    required: ['data', 'error', 'message', 'node', 'request_id', 'status', 'timestamp', 'version'],
    properties: {
      auth_token: { type: 'string' },
      data: { type: 'object', description: 'Details: per-field rules for validation errors, else a message' },
      error: { const: String(status) },
      message: messages.length === 1 ? { const: messages[0] } : { enum: messages },
      node: { type: 'string' },
      request_id: { type: 'string' },
      status: { const: 'error' },
      timestamp: TIME,
      version: { type: 'string' },
    },
  };
}

/** Every schema of components.schemas. */
export function componentSchemas(): Record<string, unknown> {
  const errors = Object.fromEntries(
    [...errorStatuses()].map(([status, messages]) => [`Error${status}`, errorEnvelope(status, messages)]),
  );
  return {
    Envelope: successEnvelope,
    ...errors,
    ClickToCallConfiguration: configuration,
    ClickToCallPatch: configurationPatch,
    ClickToCall: {
      allOf: [
        ref('ClickToCallConfiguration'),
        {
          type: 'object',
          required: ['id', 'name', 'extension', 'auth_required', 'custom_application_vars'],
          properties: {
            id: { ...ID, readOnly: true },
            _read_only: {
              type: 'object',
              readOnly: true,
              properties: { deleted: { type: 'boolean' } },
              description: 'Present on the answer to a delete',
            },
          },
        },
      ],
    },
    ClickToCallSummary: {
      type: 'object',
      required: ['id', 'name', 'extension'],
      properties: { id: ID, name: { type: 'string' }, extension: { type: 'string' } },
    },
    ApiAuthRequest: {
      type: 'object',
      required: ['data'],
      properties: {
        data: { type: 'object', required: ['api_key'], properties: { api_key: { type: 'string' } } },
      },
    },
    ApiAuthResult: {
      type: 'object',
      required: ['account_id', 'expires_at'],
      properties: { account_id: ID, expires_at: TIME },
    },
    ConnectRequest: {
      type: 'object',
      properties: {
        data: {
          type: 'object',
          properties: {
            ...connectFields,
            custom_application_vars: configuration.properties['custom_application_vars'],
            status_callback: {
              ...ref('StatusCallback'),
              description:
                "Where this call's status events go, in place of the configuration's; with a token only",
            },
          },
        },
      },
    },
    ConnectForm: { type: 'object', properties: connectFields },
    Originate: originate,
    HistoryRecord: historyRecord,
    HangupRequest: {
      type: 'object',
      required: ['data'],
      properties: {
        data: { type: 'object', required: ['action'], properties: { action: { const: 'hangup' } } },
      },
    },
    Health: {
      type: 'object',
      required: ['status', 'checks'],
      properties: {
        status: { enum: ['up', 'down'] },
        reason: { type: 'string' },
        checks: {
          type: 'object',
          properties: {
            process: { enum: ['up', 'down'] },
            database: { enum: ['up', 'down'] },
            switch: { enum: ['up', 'down'] },
          },
        },
        switches: {
          type: 'object',
          description: 'With several switches: each one by name (docs/switches.md)',
          additionalProperties: {
            type: 'object',
            properties: {
              up: { type: 'boolean' },
              load: { type: 'integer' },
              tracked: { type: 'boolean', description: 'This instance follows its calls' },
            },
          },
        },
      },
    },
  };
}

export const PAGE_SIZE_SCHEMA = {
  type: 'integer',
  minimum: 1,
  maximum: MAX_PAGE_SIZE,
  default: DEFAULT_PAGE_SIZE,
};
