/**
 * The OpenAPI side of status webhooks (docs/webhooks.md): the schemas of the callback, the event a receiver gets,
 * a delivery and the secret, and the document's top-level `webhooks` entry (what the service sends).
 */
import { STATUS_CALLBACK_SCHEMA } from '../clicktocall/clicktocall-schema';
import { EVENT_STATUSES } from '../webhooks/events';
import { toOpenApiSchema } from './openapi-schemas';

type Obj = Record<string, unknown>;

const ref = (name: string): Obj => ({ $ref: `#/components/schemas/${name}` });
const TIME = { type: 'string', format: 'date-time' };
const ID = { type: 'string', pattern: '^[0-9a-f]{32}$' };
const EVENT_ID = { type: 'string', pattern: '^evt_[0-9a-f]{32}$' };
const EVENT_TYPES = EVENT_STATUSES.map((s) => `call.${s}`);

const event: Obj = {
  type: 'object',
  required: ['type', 'timestamp', 'data'],
  description: 'One status change of a call, in the Standard Webhooks payload shape',
  properties: {
    type: { enum: EVENT_TYPES },
    timestamp: { ...TIME, description: 'When the status changed' },
    data: {
      type: 'object',
      required: ['event_id', 'call_id', 'account_id', 'clicktocall_id', 'sequence', 'status', 'record'],
      properties: {
        event_id: { ...EVENT_ID, description: 'Also the webhook-id header; the same on every attempt' },
        call_id: { type: 'string' },
        account_id: ID,
        clicktocall_id: ID,
        sequence: {
          type: 'integer',
          minimum: 1,
          description: '1, 2, 3… per call: a receiver keeps the highest it saw and drops older ones',
        },
        status: { enum: [...EVENT_STATUSES] },
        record: { ...ref('HistoryRecord'), description: "The call's history record at this change" },
      },
    },
  },
};

const delivery: Obj = {
  type: 'object',
  required: ['event_id', 'type', 'call_id', 'sequence', 'url', 'method', 'state', 'attempts', 'created'],
  properties: {
    event_id: EVENT_ID,
    type: { enum: EVENT_TYPES },
    call_id: { type: 'string' },
    clicktocall_id: ID,
    sequence: { type: 'integer', minimum: 1 },
    url: { type: 'string' },
    method: { enum: ['POST', 'PUT'] },
    state: { enum: ['pending', 'delivered', 'failed'] },
    attempts: { type: 'integer', minimum: 0 },
    created: TIME,
    next_attempt_at: { ...TIME, description: 'While pending' },
    last_attempt_at: TIME,
    last_status: { type: 'integer', description: "The receiver's HTTP status at the last attempt" },
    last_error: { type: 'string', description: 'Why the last attempt failed (the start of the answer)' },
    delivered_at: TIME,
    payload: { ...ref('WebhookEvent'), description: 'What the receiver gets (on GET of one event)' },
  },
};

/** components.schemas of webhooks. */
export function webhookSchemas(): Record<string, unknown> {
  return {
    StatusCallback: toOpenApiSchema(STATUS_CALLBACK_SCHEMA),
    WebhookEvent: event,
    WebhookDelivery: delivery,
    WebhookSecret: {
      type: 'object',
      required: ['secret', 'created'],
      properties: {
        secret: {
          type: 'string',
          pattern: '^whsec_',
          description: 'Standard Webhooks secret: whsec_ + base64',
        },
        created: TIME,
        previous_secret_expires: { ...TIME, description: 'Until then the previous secret signs too' },
      },
    },
    WebhookRotateRequest: {
      type: 'object',
      properties: {
        data: {
          type: 'object',
          properties: { window_s: { type: 'integer', minimum: 0, maximum: 604800, default: 86400 } },
        },
      },
    },
  };
}

const signatureHeader = (name: string, description: string): Obj => ({
  name,
  in: 'header',
  required: true,
  description,
  schema: { type: 'string' },
});

/** The document's `webhooks`: the request the service makes to a status callback. */
export function webhooksObject(): Obj {
  return {
    'call-status': {
      post: {
        summary: "A call's status changed (PUT when the callback's method says so)",
        description:
          'Retried on anything but 2xx for about a day (docs/webhooks.md#retries); 410 stops the subscription.',
        parameters: [
          signatureHeader('webhook-id', 'The event id, the same on every attempt'),
          signatureHeader('webhook-timestamp', 'Unix seconds of this attempt'),
          signatureHeader(
            'webhook-signature',
            'v1,<base64 HMAC-SHA256 of "id.timestamp.body"> (two, space-separated, during a secret rotation)',
          ),
        ],
        requestBody: { required: true, content: { 'application/json': { schema: ref('WebhookEvent') } } },
        responses: {
          '200': { description: 'Any 2xx: delivered' },
          '410': { description: 'Gone: no more events to this URL until it is named again' },
        },
      },
    },
  };
}
