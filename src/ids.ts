import crypto from 'node:crypto';

/** A new public id: 32 lowercase hex characters, as Kazoo's. */
export const newId = (): string => crypto.randomBytes(16).toString('hex');

/** True for a well-formed public id. */
export const isId = (value: string): boolean => /^[0-9a-f]{32}$/.test(value);

/** SHA-256 hex of a secret (API keys and tokens are random and long, so a fast hash suffices). */
export const hashSecret = (secret: string): string =>
  crypto.createHash('sha256').update(secret).digest('hex');
