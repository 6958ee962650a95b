/** The OpenAPI side of public links (docs/links.md): their schemas and path parameters. */
import { LINK_SCHEMA } from '../links/link-schema';
import { toOpenApiSchema } from './openapi-schemas';

type Obj = Record<string, unknown>;

const ref = (name: string): Obj => ({ $ref: `#/components/schemas/${name}` });
const TIME = { type: 'string', format: 'date-time' };
const ID = { type: 'string', pattern: '^[0-9a-f]{32}$' };

const link: Obj = {
  type: 'object',
  required: [
    'id',
    'clicktocall_id',
    'state',
    'created',
    'expires_at',
    'calls',
    'calls_per_minute',
    'origins',
  ],
  properties: {
    id: ID,
    clicktocall_id: ID,
    state: { enum: ['active', 'expired', 'revoked', 'used_up'] },
    created: TIME,
    expires_at: TIME,
    max_calls: { type: 'integer', minimum: 1 },
    calls: { type: 'integer', minimum: 0, description: 'Connects accepted through the link' },
    calls_per_minute: { type: 'integer', minimum: 1, maximum: 600 },
    origins: { type: 'array', items: { type: 'string' } },
    contact: { type: 'string' },
    contact_prefixes: { type: 'array', items: { type: 'string' } },
    revoked_at: TIME,
  },
};

const publicStatus: Obj = {
  type: 'object',
  required: ['status', 'phase', 'final'],
  properties: {
    status: { type: 'string', description: "The call's status (as in its history record)" },
    phase: {
      enum: ['connecting', 'calling_you', 'connected', 'ended', 'busy', 'no_answer', 'failed'],
      description: 'Where the call is for the visitor (the contact), whichever party rings first',
    },
    final: { type: 'boolean' },
    created: TIME,
    answered_at: TIME,
    ended_at: TIME,
  },
};

/** components.schemas of links. */
export function linkSchemas(): Record<string, unknown> {
  return {
    LinkRequest: {
      type: 'object',
      required: ['data'],
      properties: { data: toOpenApiSchema(LINK_SCHEMA) },
    },
    Link: link,
    LinkCreated: {
      allOf: [
        ref('Link'),
        {
          type: 'object',
          required: ['token', 'snippet'],
          properties: {
            token: { type: 'string', description: 'The link token: shown once, in this answer only' },
            snippet: { type: 'string', description: 'HTML to paste into a page of one of the origins' },
          },
        },
      ],
    },
    PublicLink: {
      type: 'object',
      required: ['allowed', 'contact_fixed', 'expires_at'],
      properties: {
        allowed: { type: 'boolean', description: "Whether the asking page's origin may use the link" },
        contact_fixed: { type: 'boolean', description: 'The link calls one number: no number to enter' },
        contact_prefixes: { type: 'array', items: { type: 'string' } },
        expires_at: TIME,
      },
    },
    LinkConnectRequest: {
      type: 'object',
      properties: {
        data: { type: 'object', properties: { contact: { type: 'string', maxLength: 64 } } },
      },
    },
    LinkConnected: {
      type: 'object',
      required: ['status_token', 'status'],
      properties: {
        status_token: { type: 'string', description: 'Reads this call, and nothing else, for 24 hours' },
        status: ref('PublicCallStatus'),
      },
    },
    PublicCallStatus: publicStatus,
  };
}

/** components.parameters of links. */
export const LINK_PARAMETERS: Record<string, Obj> = {
  LinkId: { name: 'link_id', in: 'path', required: true, schema: ID },
  LinkToken: {
    name: 'link_token',
    in: 'path',
    required: true,
    description: 'The token PUT …/links answered with',
    schema: { type: 'string' },
  },
  StatusToken: {
    name: 'status_token',
    in: 'path',
    required: true,
    description: 'The status token the connect answered with',
    schema: { type: 'string' },
  },
};
