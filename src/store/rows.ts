/**
 * What both store adapters (src/store/sqlite/, src/store/pg/) make of their rows once each has decoded its own
 * column types (SQLite returns JSON columns as text, PostgreSQL as values): one mapping to the ports' types.
 */
import type { ClickToCallLink } from '../domain';
import type { WebhookSecrets } from './ports';

/** A link's row with its JSON columns decoded. */
export type LinkRow = {
  seq: number;
  id: string;
  account_id: string;
  clicktocall_id: string;
  created_ms: number;
  expires_ms: number;
  max_calls: number | null;
  calls: number;
  calls_per_minute: number;
  origins: string[];
  contact: string | null;
  contact_prefixes: string[] | null;
  revoked_ms: number | null;
};

/** The link columns, `seq` first (`seq` is the adapter's own: a rowid, an identity column). */
export const LINK_COLUMNS = `id, account_id, clicktocall_id, created_ms, expires_ms, max_calls, calls, calls_per_minute,
  origins, contact, contact_prefixes, revoked_ms`;

export const linkOf = (r: LinkRow): ClickToCallLink & { seq: number } => ({
  seq: r.seq,
  id: r.id,
  account_id: r.account_id,
  clicktocall_id: r.clicktocall_id,
  created_ms: r.created_ms,
  expires_ms: r.expires_ms,
  ...(r.max_calls !== null && { max_calls: r.max_calls }),
  calls: r.calls,
  calls_per_minute: r.calls_per_minute,
  origins: r.origins,
  ...(r.contact !== null && { contact: r.contact }),
  ...(r.contact_prefixes !== null && { contact_prefixes: r.contact_prefixes }),
  ...(r.revoked_ms !== null && { revoked_ms: r.revoked_ms }),
});

export type SecretRow = {
  secret: string;
  created_ms: number;
  previous_secret: string | null;
  previous_until_ms: number | null;
};

export const SECRET_COLUMNS = 'secret, created_ms, previous_secret, previous_until_ms';

export const secretsOf = (row: SecretRow): WebhookSecrets => ({
  secret: row.secret,
  created_ms: row.created_ms,
  ...(row.previous_secret !== null &&
    row.previous_until_ms !== null && {
      previous: { secret: row.previous_secret, until_ms: row.previous_until_ms },
    }),
});

/** How many events are pending and when the oldest occurred, from `count(*) AS n, min(occurred_ms) AS oldest`. */
export const pendingOf = (row: { n: number; oldest: number | null } | undefined) => {
  const count = row?.n ?? 0;
  return row?.oldest == null ? { count } : { count, oldestMs: row.oldest };
};

/** `https://Host:443/x` → `https://host:443`: what concurrency is bounded by. */
export function destinationOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.hostname}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`;
  } catch {
    return url;
  }
}
