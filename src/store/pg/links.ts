import type { ClickToCallLink } from '../../domain';
import type { LinkClaim } from '../ports';
import { LINK_COLUMNS, linkOf, type LinkRow } from '../rows';
import type { Sql } from './database';

const COLUMNS = `seq, ${LINK_COLUMNS}`;

/** Public links (PostgreSQL; the store wraps it). */
export class PgLinks {
  constructor(private readonly sql: Sql) {}

  async insert(link: ClickToCallLink): Promise<void> {
    await this.sql.query(
      `INSERT INTO clicktocall_links (id, account_id, clicktocall_id, created_ms, expires_ms, max_calls, calls_per_minute,
         origins, contact, contact_prefixes)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        link.id,
        link.account_id,
        link.clicktocall_id,
        link.created_ms,
        link.expires_ms,
        link.max_calls ?? null,
        link.calls_per_minute,
        JSON.stringify(link.origins),
        link.contact ?? null,
        link.contact_prefixes === undefined ? null : JSON.stringify(link.contact_prefixes),
      ],
    );
  }

  async get(accountId: string, id: string): Promise<ClickToCallLink | undefined> {
    const found = await this.sql.query<LinkRow>(
      `SELECT ${COLUMNS} FROM clicktocall_links WHERE account_id = $1 AND id = $2`,
      [accountId, id],
    );
    return found.rows[0] && linkOf(found.rows[0]);
  }

  async byId(id: string): Promise<ClickToCallLink | undefined> {
    const found = await this.sql.query<LinkRow>(`SELECT ${COLUMNS} FROM clicktocall_links WHERE id = $1`, [
      id,
    ]);
    return found.rows[0] && linkOf(found.rows[0]);
  }

  async list(q: {
    accountId: string;
    clicktocallId: string;
    start?: number;
    limit?: number;
  }): Promise<Array<ClickToCallLink & { seq: number }>> {
    const found = await this.sql.query<LinkRow>(
      `SELECT ${COLUMNS} FROM clicktocall_links
       WHERE account_id = $1 AND clicktocall_id = $2 AND seq <= $3 ORDER BY seq DESC LIMIT $4`,
      [q.accountId, q.clicktocallId, q.start ?? Number.MAX_SAFE_INTEGER, q.limit ?? null],
    );
    return found.rows.map(linkOf);
  }

  async revoke(accountId: string, id: string, atMs: number): Promise<boolean> {
    const done = await this.sql.query(
      'UPDATE clicktocall_links SET revoked_ms = $1 WHERE account_id = $2 AND id = $3 AND revoked_ms IS NULL',
      [atMs, accountId, id],
    );
    return done.rowCount === 1;
  }

  async claimCall(id: string, nowMs: number): Promise<LinkClaim> {
    // One conditional statement: a concurrent connect (in any instance) waits for the row and sees the new count.
    const done = await this.sql.query(
      `UPDATE clicktocall_links SET calls = calls + 1
       WHERE id = $1 AND revoked_ms IS NULL AND expires_ms > $2 AND (max_calls IS NULL OR calls < max_calls)`,
      [id, nowMs],
    );
    if (done.rowCount === 1) return 'ok';
    const row = await this.byId(id);
    if (!row) return 'unknown';
    if (row.revoked_ms !== undefined) return 'revoked';
    if (row.expires_ms <= nowMs) return 'expired';
    return 'used_up';
  }
}

/** Keys the service signs its own tokens with (PostgreSQL; the store wraps it). */
export class PgServiceKeys {
  constructor(private readonly sql: Sql) {}

  async ensure(name: string, fresh: string, nowMs: number): Promise<string> {
    await this.sql.query(
      'INSERT INTO service_keys (name, key, created_ms) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING',
      [name, fresh, nowMs],
    );
    const found = await this.sql.query<{ key: string }>('SELECT key FROM service_keys WHERE name = $1', [
      name,
    ]);
    return found.rows[0]!.key;
  }
}
