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
  private readonly listDownStmt;
  private readonly listUpStmt;

  constructor(db: Db) {
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
    // A range of the (account_id, rowid) index, either way.
    this.listDownStmt = db.prepare<[string, number, number], RawRow>(
      `SELECT ${COLUMNS} FROM clicktocalls WHERE account_id = ? AND deleted_at IS NULL AND rowid <= ?
       ORDER BY rowid DESC LIMIT ?`,
    );
    this.listUpStmt = db.prepare<[string, number, number], RawRow>(
      `SELECT ${COLUMNS} FROM clicktocalls WHERE account_id = ? AND deleted_at IS NULL AND rowid >= ?
       ORDER BY rowid ASC LIMIT ?`,
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
    const [stmt, from] = q.ascending ? [this.listUpStmt, 0] : [this.listDownStmt, Number.MAX_SAFE_INTEGER];
    return stmt.all(q.accountId, q.startSeq ?? from, q.limit ?? -1).map(parse);
  }
}
