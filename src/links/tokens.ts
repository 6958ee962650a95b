/**
 * The public tokens (docs/links.md#tokens): JWS compact tokens (HS256, the `jose` package) signed with a key the
 * service keeps in its database. A link token names the link (a random id) and its expiry; a call-status token
 * names one call's history record. Neither says whose account, configuration or extension it is: a JWS payload is
 * readable by anyone. The signature turns away a forged or expired token before the database is asked; the
 * database then says whether the link was revoked or used up.
 */
import { SignJWT, compactVerify, decodeJwt, errors, jwtVerify, type JWTPayload } from 'jose';

const ALG = 'HS256';
const LINK = 'c2c-link';
const CALL_STATUS = 'c2c-call-status';

export type TokenVerdict<T> = { ok: true; value: T } | { ok: false; reason: 'invalid' | 'expired' };

const seconds = (ms: number): number => Math.floor(ms / 1000);

/** A token for `audience`, naming `subject`, with more claims, valid until `expiresMs`. */
function sign(
  key: Uint8Array,
  audience: string,
  subject: string,
  expiresMs: number,
  claims: Record<string, string> = {},
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: ALG })
    .setSubject(subject)
    .setAudience(audience)
    .setExpirationTime(seconds(expiresMs))
    .sign(key);
}

/** The payload of a token for `audience` whose signature holds and whose time is not past. */
async function verify<T>(
  key: Uint8Array,
  audience: string,
  token: string,
  nowMs: number,
  read: (payload: JWTPayload) => T | undefined,
): Promise<TokenVerdict<T>> {
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: [ALG],
      audience,
      currentDate: new Date(nowMs),
    });
    const value = read(payload);
    return value === undefined ? { ok: false, reason: 'invalid' } : { ok: true, value };
  } catch (err) {
    return { ok: false, reason: err instanceof errors.JWTExpired ? 'expired' : 'invalid' };
  }
}

export const signLinkToken = (key: Uint8Array, linkId: string, expiresMs: number): Promise<string> =>
  sign(key, LINK, linkId, expiresMs);

/** The link a token names, if its signature holds; `expired` once its time is past. */
export const verifyLinkToken = (
  key: Uint8Array,
  token: string,
  nowMs: number,
): Promise<TokenVerdict<string>> =>
  verify(key, LINK, token, nowMs, (p) => (typeof p.sub === 'string' ? p.sub : undefined));

/** The link a token names when its signature holds, whatever its time (a call placed before it expired). */
export async function linkOfToken(key: Uint8Array, token: string): Promise<string | undefined> {
  try {
    await compactVerify(token, key, { algorithms: [ALG] });
    const payload = decodeJwt(token);
    return payload.aud === LINK && typeof payload.sub === 'string' ? payload.sub : undefined;
  } catch {
    return undefined;
  }
}

export const signStatusToken = (
  key: Uint8Array,
  recordId: string,
  linkId: string,
  expiresMs: number,
): Promise<string> => sign(key, CALL_STATUS, recordId, expiresMs, { lnk: linkId });

/** The record and link a call-status token names, if it holds and is not past its time. */
export const verifyStatusToken = (
  key: Uint8Array,
  token: string,
  nowMs: number,
): Promise<TokenVerdict<{ recordId: string; linkId: string }>> =>
  verify(key, CALL_STATUS, token, nowMs, ({ sub, lnk }) =>
    typeof sub === 'string' && typeof lnk === 'string' ? { recordId: sub, linkId: lnk } : undefined,
  );
