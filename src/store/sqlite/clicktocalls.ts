import type { Statement } from 'better-sqlite3';
import type { ClickToCallRecord } from '../../domain';
import type { ClickToCallQuery } from '../ports';
import type { Db } from './database';

type RawRow = Omit<ClickToCallRecord, 'doc'> & { doc: string };

const COLUMNS = 'rowid AS seq, id, account_id, doc, revision, created_at, updated_at, deleted_at';
const parse = (row: RawRow): ClickToCallRecord => ({
  ...row,
  doc: JSON.parse(row.doc) as Record<string, unknown>,
});

/** Click-to-call configurations; `seq` is the rowid (synchronous; the store wraps it). */
export class SqliteClickToCalls {
  private readonly insertStmt;
  private readonly getStmt;
  private readonly updateStmt;
  private readonly deleteStmt;
  private readonly listStmts = new Map<number, Statement<unknown[], RawRow>>();

  constructor(private readonly db: Db) {
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
    this.insertStmt.run({ ...row, doc: JSON.stringify(row.doc) });
  }

  get(id: string, accountId: string): ClickToCallRecord | undefined {
    const row = this.getStmt.get(id, accountId);
    return row && parse(row);
  }

  update(id: string, expected: string, doc: object, revision: string, now: string): boolean {
    return this.updateStmt.run({ id, expected, doc: JSON.stringify(doc), revision, now }).changes === 1;
  }

  softDelete(id: string, expected: string, revision: string, now: string): boolean {
    return this.deleteStmt.run({ id, expected, revision, now }).changes === 1;
  }

  list(q: ClickToCallQuery): ClickToCallRecord[] {
    const stmt = this.listStatement(q.filters.length);
    const params: Array<string | number> = [q.accountId, q.startSeq ?? Number.MAX_SAFE_INTEGER];
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
