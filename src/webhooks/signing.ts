/**
 * Signatures in the Standard Webhooks form (docs/webhooks.md#signature): `webhook-id`, `webhook-timestamp` and
 * `webhook-signature` (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`), made by the `standardwebhooks` package,
 * so a receiver verifies with the same library. During a rotation both secrets sign: the header holds two
 * signatures, and a receiver holding either secret verifies.
 */
import crypto from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { WebhookSecrets } from '../store/ports';

/** A new secret: `whsec_` and 32 random bytes in base64. */
export const newSecret = (): string => `whsec_${crypto.randomBytes(32).toString('base64')}`;

/** The headers of one delivery attempt: the same id on every attempt, the attempt's own time. */
export function signatureHeaders(
  secrets: WebhookSecrets,
  eventId: string,
  body: string,
  now: Date,
): Record<string, string> {
  const keys = [secrets.secret];
  if (secrets.previous && secrets.previous.until_ms > now.getTime()) keys.push(secrets.previous.secret);
  return {
    'webhook-id': eventId,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    'webhook-signature': keys.map((key) => new Webhook(key).sign(eventId, now, body)).join(' '),
  };
}
