import type { ClickToCallLink } from '../../domain';
import type { LinkClaim } from '../ports';
import { LINK_COLUMNS, linkOf, type LinkRow } from '../rows';
import type { Db } from './database';

type RawRow = Omit<LinkRow, 'origins' | 'contact_prefixes'> & {
  origins: string;
  contact_prefixes: string | null;
};

const COLUMNS = `rowid AS seq, ${LINK_COLUMNS}`;

/** SQLite returns the JSON columns as text. */
const parse = (r: RawRow): ClickToCallLink & { seq: number } =>
  linkOf({
    ...r,
    origins: JSON.parse(r.origins) as string[],
    contact_prefixes: r.contact_prefixes === null ? null : (JSON.parse(r.contact_prefixes) as string[]),
  });

/** Public links (synchronous; the store wraps it). */
export class SqliteLinks {
  private readonly insertStmt;
  private readonly getStmt;
  private readonly byIdStmt;
  private readonly listStmt;
  private readonly revokeStmt;
  private readonly claimStmt;

  constructor(db: Db) {
    this.insertStmt = db.prepare(
      `INSERT INTO clicktocall_links (id, account_id, clicktocall_id, created_ms, expires_ms, max_calls, calls_per_minute,
         origins, contact, contact_prefixes)
       VALUES (@id, @account_id, @clicktocall_id, @created_ms, @expires_ms, @max_calls, @calls_per_minute,
         @origins, @contact, @contact_prefixes)`,
    );
    this.getStmt = db.prepare<[string, string], RawRow>(
      `SELECT ${COLUMNS} FROM clicktocall_links WHERE account_id = ? AND id = ?`,
    );
    this.byIdStmt = db.prepare<[string], RawRow>(`SELECT ${COLUMNS} FROM clicktocall_links WHERE id = ?`);
    this.listStmt = db.prepare<[string, string, number, number], RawRow>(
      `SELECT ${COLUMNS} FROM clicktocall_links
       WHERE account_id = ? AND clicktocall_id = ? AND rowid <= ? ORDER BY rowid DESC LIMIT ?`,
    );
    this.revokeStmt = db.prepare(
      'UPDATE clicktocall_links SET revoked_ms = ? WHERE account_id = ? AND id = ? AND revoked_ms IS NULL',
    );
    // One statement: a concurrent connect cannot take the last call too.
    this.claimStmt = db.prepare(
      `UPDATE clicktocall_links SET calls = calls + 1
       WHERE id = @id AND revoked_ms IS NULL AND expires_ms > @now AND (max_calls IS NULL OR calls < max_calls)`,
    );
  }

  insert(link: ClickToCallLink): void {
    this.insertStmt.run({
      id: link.id,
      account_id: link.account_id,
      clicktocall_id: link.clicktocall_id,
      created_ms: link.created_ms,
      expires_ms: link.expires_ms,
      max_calls: link.max_calls ?? null,
      calls_per_minute: link.calls_per_minute,
      origins: JSON.stringify(link.origins),
      contact: link.contact ?? null,
      contact_prefixes: link.contact_prefixes === undefined ? null : JSON.stringify(link.contact_prefixes),
    });
  }

  get(accountId: string, id: string): ClickToCallLink | undefined {
    const row = this.getStmt.get(accountId, id);
    return row && parse(row);
  }

  byId(id: string): ClickToCallLink | undefined {
    const row = this.byIdStmt.get(id);
    return row && parse(row);
  }

  list(q: { accountId: string; clicktocallId: string; start?: number; limit?: number }) {
    return this.listStmt
      .all(q.accountId, q.clicktocallId, q.start ?? Number.MAX_SAFE_INTEGER, q.limit ?? -1)
      .map(parse);
  }

  revoke(accountId: string, id: string, atMs: number): boolean {
    return this.revokeStmt.run(atMs, accountId, id).changes === 1;
  }

  claimCall(id: string, nowMs: number): LinkClaim {
    if (this.claimStmt.run({ id, now: nowMs }).changes === 1) return 'ok';
    const row = this.byIdStmt.get(id);
    if (!row) return 'unknown';
    if (row.revoked_ms !== null) return 'revoked';
    if (row.expires_ms <= nowMs) return 'expired';
    return 'used_up';
  }
}

/** Keys the service signs its own tokens with (synchronous; the store wraps it). */
export class SqliteServiceKeys {
  private readonly insertStmt;
  private readonly getStmt;

  constructor(db: Db) {
    this.insertStmt = db.prepare(
      'INSERT INTO service_keys (name, key, created_ms) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING',
    );
    this.getStmt = db.prepare<[string], { key: string }>('SELECT key FROM service_keys WHERE name = ?');
  }

  ensure(name: string, fresh: string, nowMs: number): string {
    this.insertStmt.run(name, fresh, nowMs);
    return this.getStmt.get(name)!.key;
  }
}
