import crypto from 'node:crypto';

const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let poolAt = 0;

/**
 * `bytes` random bytes (from the system's CSPRNG) as lowercase hex. Drawn from a pool refilled 4 KiB at a time: a
 * connect needs several ids, and the draws showed as about 2 % of a connect's CPU in a profile at 500 connects a
 * second. For ids only; secrets (API keys, tokens, signing keys) draw their own bytes.
 */
export function randomHex(bytes: number): string {
  if (poolAt + bytes > pool.length) {
    pool = crypto.randomFillSync(Buffer.allocUnsafe(Math.max(POOL_BYTES, bytes)));
    poolAt = 0;
  }
  const hex = pool.toString('hex', poolAt, poolAt + bytes);
  poolAt += bytes;
  return hex;
}

/** A new public id: 32 lowercase hex characters, as Kazoo's. */
export const newId = (): string => randomHex(16);

/** True for a well-formed public id. */
export const isId = (value: string): boolean => /^[0-9a-f]{32}$/.test(value);

/** SHA-256 hex of a secret (API keys and tokens are random and long, so a fast hash suffices). */
export const hashSecret = (secret: string): string =>
  crypto.createHash('sha256').update(secret).digest('hex');
