import type { Statement } from 'better-sqlite3';
import type { StoreMetrics } from '../metrics';
import type { Db } from './sqlite';

export type ClickToCallRow = {
  rowid: number;
  id: string;
  account_id: string;
  doc: Record<string, unknown>;
  revision: string;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
};

type RawRow = Omit<ClickToCallRow, 'doc'> & { doc: string };

export type ListQuery = {
  accountId: string;
  /** Rows with rowid <= this (the decoded start_key); undefined = from the newest. */
  startRowid?: number;
  /** How many rows at most; undefined = all. */
  limit?: number;
  /** Top-level field → value the field must equal (compared as text; booleans as true/false). */
  filters: Array<[string, string]>;
};

const COLUMNS = 'rowid, id, account_id, doc, revision, created_at, updated_at, deleted_at';
const parse = (row: RawRow): ClickToCallRow => ({
  ...row,
  doc: JSON.parse(row.doc) as Record<string, unknown>,
});

/** Click-to-call configurations. Deleted ones stay, marked by deleted_at. */
export class ClickToCallRepo {
  private readonly insertStmt;
  private readonly getStmt;
  private readonly updateStmt;
  private readonly deleteStmt;
  private readonly listStmts = new Map<number, Statement<unknown[], RawRow>>();

  constructor(
    private readonly db: Db,
    private readonly metrics?: StoreMetrics,
  ) {
    this.insertStmt = db.prepare(
      `INSERT INTO clicktocalls (id, account_id, doc, revision, created_at, updated_at)
       VALUES (@id, @account_id, @doc, @revision, @now, @now)`,
    );
    this.getStmt = db.prepare<[string, string], RawRow>(
      `SELECT ${COLUMNS} FROM clicktocalls WHERE id = ? AND account_id = ?`,
    );
    this.updateStmt = db.prepare(
      `UPDATE clicktocalls SET doc = @doc, revision = @revision, updated_at = @now
       WHERE id = @id AND revision = @expected AND deleted_at IS NULL`,
    );
    this.deleteStmt = db.prepare(
      `UPDATE clicktocalls SET deleted_at = @now, revision = @revision, updated_at = @now
       WHERE id = @id AND revision = @expected AND deleted_at IS NULL`,
    );
  }

  insert(row: { id: string; account_id: string; doc: object; revision: string; now: string }): void {
    this.timed('clicktocall_insert', () => this.insertStmt.run({ ...row, doc: JSON.stringify(row.doc) }));
  }

  /** The row of this account, deleted or not. */
  get(id: string, accountId: string): ClickToCallRow | undefined {
    const row = this.getStmt.get(id, accountId);
    return row && parse(row);
  }

  /** Replaces the document if the revision is still `expected`; false when it moved on (or was deleted). */
  update(id: string, expected: string, doc: object, revision: string, now: string): boolean {
    const params = { id, expected, doc: JSON.stringify(doc), revision, now };
    return this.timed('clicktocall_update', () => this.updateStmt.run(params)).changes === 1;
  }

  softDelete(id: string, expected: string, revision: string, now: string): boolean {
    const params = { id, expected, revision, now };
    return this.timed('clicktocall_delete', () => this.deleteStmt.run(params)).changes === 1;
  }

  private timed<T>(operation: string, write: () => T): T {
    return this.metrics ? this.metrics.sqliteWrite(operation, write) : write();
  }

  /** Live rows of the account, newest first. */
  list(q: ListQuery): ClickToCallRow[] {
    const stmt = this.listStatement(q.filters.length);
    const params: Array<string | number> = [q.accountId, q.startRowid ?? Number.MAX_SAFE_INTEGER];
    for (const [field, value] of q.filters) params.push(`$."${field}"`, `$."${field}"`, value);
    params.push(q.limit ?? -1);
    return stmt.all(...params).map(parse);
  }

  private listStatement(filterCount: number): Statement<unknown[], RawRow> {
    let stmt = this.listStmts.get(filterCount);
    if (!stmt) {
      const filterSql = Array.from(
        { length: filterCount },
        () =>
          ` AND (CASE json_type(doc, ?) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false'
                 ELSE CAST(json_extract(doc, ?) AS TEXT) END) = ?`,
      ).join('');
      stmt = this.db.prepare<unknown[], RawRow>(
        `SELECT ${COLUMNS} FROM clicktocalls
         WHERE account_id = ? AND deleted_at IS NULL AND rowid <= ?${filterSql}
         ORDER BY rowid DESC LIMIT ?`,
      );
      this.listStmts.set(filterCount, stmt);
    }
    return stmt;
  }
}
