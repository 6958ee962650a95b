import type { ClickToCallRecord } from '../../domain';
import type { ClickToCallQuery } from '../ports';
import type { Sql } from './database';

const COLUMNS = 'seq, id, account_id, doc, revision, created_at, updated_at, deleted_at';

/** Click-to-call configurations; `seq` orders them (PostgreSQL; the store wraps it). */
export class PgClickToCalls {
  constructor(private readonly sql: Sql) {}

  async insert(row: {
    id: string;
    account_id: string;
    doc: object;
    revision: string;
    now: string;
  }): Promise<void> {
    await this.sql.query(
      `INSERT INTO clicktocalls (id, account_id, doc, revision, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $5)`,
      [row.id, row.account_id, JSON.stringify(row.doc), row.revision, row.now],
    );
  }

  async get(id: string, accountId: string): Promise<ClickToCallRecord | undefined> {
    const found = await this.sql.query<ClickToCallRecord>(
      `SELECT ${COLUMNS} FROM clicktocalls WHERE id = $1 AND account_id = $2`,
      [id, accountId],
    );
    return found.rows[0];
  }

  async update(id: string, expected: string, doc: object, revision: string, now: string): Promise<boolean> {
    const done = await this.sql.query(
      `UPDATE clicktocalls SET doc = $3, revision = $4, updated_at = $5
       WHERE id = $1 AND revision = $2 AND deleted_at IS NULL`,
      [id, expected, JSON.stringify(doc), revision, now],
    );
    return done.rowCount === 1;
  }

  async softDelete(id: string, expected: string, revision: string, now: string): Promise<boolean> {
    const done = await this.sql.query(
      `UPDATE clicktocalls SET deleted_at = $4, revision = $3, updated_at = $4
       WHERE id = $1 AND revision = $2 AND deleted_at IS NULL`,
      [id, expected, revision, now],
    );
    return done.rowCount === 1;
  }

  async list(q: ClickToCallQuery): Promise<ClickToCallRecord[]> {
    // A range of the (account_id, seq) index, either way.
    const text = q.ascending
      ? `SELECT ${COLUMNS} FROM clicktocalls WHERE account_id = $1 AND deleted_at IS NULL AND seq >= $2
         ORDER BY seq ASC LIMIT $3`
      : `SELECT ${COLUMNS} FROM clicktocalls WHERE account_id = $1 AND deleted_at IS NULL AND seq <= $2
         ORDER BY seq DESC LIMIT $3`;
    const from = q.startSeq ?? (q.ascending ? 0 : Number.MAX_SAFE_INTEGER);
    return (await this.sql.query<ClickToCallRecord>(text, [q.accountId, from, q.limit ?? null])).rows;
  }
}
