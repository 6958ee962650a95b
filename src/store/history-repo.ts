import type { StoreMetrics } from '../metrics';
import type { Db } from './sqlite';

/** A history record as the API shows it (PRODUCT §7); stored whole as JSON beside its indexed columns. */
export type HistoryDoc = Record<string, unknown> & { id: string; call_id: string; status: string };

export type HistoryRow = {
  rowid: number;
  account_id: string;
  clicktocall_id: string;
  created_ms: number;
  final: number;
  doc: HistoryDoc;
  /** The tracker's state (JSON), absent for rows written before tracking. */
  state: unknown;
};

type RawRow = Omit<HistoryRow, 'doc' | 'state'> & { doc: string; state: string | null };

export type HistoryQuery = {
  accountId: string;
  clicktocallId: string;
  /** Rows at or after this one in the order of the list (the decoded start_key): newest first. */
  start?: { createdMs: number; rowid: number };
  /** Unix ms, inclusive. */
  fromMs?: number;
  /** Unix ms, inclusive. */
  toMs?: number;
  limit?: number;
};

const COLUMNS = 'rowid, account_id, clicktocall_id, created_ms, final, doc, state';
const parse = (row: RawRow): HistoryRow => ({
  ...row,
  doc: JSON.parse(row.doc) as HistoryDoc,
  state: row.state === null ? undefined : (JSON.parse(row.state) as unknown),
});

/** Call history: one row per accepted connect. */
export class HistoryRepo {
  private readonly insertStmt;
  private readonly countSinceStmt;
  private readonly oldestSinceStmt;
  private readonly byCallIdStmt;
  private readonly updateStmt;
  private readonly openStmt;
  private readonly listStmt;
  private readonly existsStmt;
  private readonly db: Db;

  constructor(
    db: Db,
    private readonly metrics?: StoreMetrics,
  ) {
    this.db = db;
    this.insertStmt = db.prepare(
      `INSERT INTO call_history (id, call_id, account_id, clicktocall_id, created_ms, status, final, doc, state, updated_ms)
       VALUES (@id, @call_id, @account_id, @clicktocall_id, @created_ms, @status, @final, @doc, @state, @created_ms)`,
    );
    this.countSinceStmt = db.prepare<[string, number], { n: number }>(
      'SELECT count(*) AS n FROM call_history WHERE clicktocall_id = ? AND created_ms > ?',
    );
    this.oldestSinceStmt = db.prepare<[string, number], { created_ms: number }>(
      'SELECT min(created_ms) AS created_ms FROM call_history WHERE clicktocall_id = ? AND created_ms > ?',
    );
    this.byCallIdStmt = db.prepare<[string], RawRow>(`SELECT ${COLUMNS} FROM call_history WHERE call_id = ?`);
    this.existsStmt = db.prepare<[string], { one: number }>(
      'SELECT 1 AS one FROM call_history WHERE call_id = ?',
    );
    this.updateStmt = db.prepare(
      `UPDATE call_history SET doc = @doc, state = @state, status = @status, final = @final, updated_ms = @updated_ms
       WHERE call_id = @call_id`,
    );
    this.openStmt = db.prepare<[], RawRow>(
      `SELECT ${COLUMNS} FROM call_history WHERE final = 0 ORDER BY rowid`,
    );
    // Newest first by (created_ms, rowid): the (clicktocall_id, created_ms) index serves the first page,
    // a deep page (a keyset, not an offset) and a created_from/created_to window alike.
    this.listStmt = db.prepare<[string, string, number, number, number, number], RawRow>(
      `SELECT ${COLUMNS} FROM call_history
       WHERE clicktocall_id = ? AND account_id = ? AND (created_ms, rowid) <= (?, ?) AND created_ms >= ?
       ORDER BY created_ms DESC, rowid DESC LIMIT ?`,
    );
  }

  insert(row: {
    account_id: string;
    clicktocall_id: string;
    created_ms: number;
    final: boolean;
    doc: HistoryDoc;
    state?: unknown;
  }): void {
    const params = {
      id: row.doc.id,
      call_id: row.doc.call_id,
      account_id: row.account_id,
      clicktocall_id: row.clicktocall_id,
      created_ms: row.created_ms,
      status: row.doc.status,
      final: row.final ? 1 : 0,
      doc: JSON.stringify(row.doc),
      state: row.state === undefined ? null : JSON.stringify(row.state),
    };
    this.timed('history_insert', () => this.insertStmt.run(params));
  }

  /** How many connects of this configuration were recorded after `sinceMs`, and the oldest of them. */
  recentConnects(clicktocallId: string, sinceMs: number): { count: number; oldestMs?: number } {
    const count = this.countSinceStmt.get(clicktocallId, sinceMs)?.n ?? 0;
    const oldest = count > 0 ? this.oldestSinceStmt.get(clicktocallId, sinceMs)?.created_ms : undefined;
    return oldest === undefined ? { count } : { count, oldestMs: oldest };
  }

  /** Whether a record has this call id. */
  exists(callId: string): boolean {
    return this.existsStmt.get(callId) !== undefined;
  }

  byCallId(callId: string): HistoryRow | undefined {
    const row = this.byCallIdStmt.get(callId);
    return row && parse(row);
  }

  update(doc: HistoryDoc, state: unknown, final: boolean, nowMs: number): void {
    const params = {
      call_id: doc.call_id,
      doc: JSON.stringify(doc),
      state: state === undefined ? null : JSON.stringify(state),
      status: doc.status,
      final: final ? 1 : 0,
      updated_ms: nowMs,
    };
    this.joinGroupCommit();
    this.timed('history_update', () => this.updateStmt.run(params));
  }

  /**
   * Group commit: the tracker's updates of one synchronous run (every event of one socket read) share
   * one transaction, committed as soon as that run ends (a microtask), instead of one commit each. This
   * connection reads its own writes at once, as before; other connections see them a few microseconds
   * later. Inside a caller's transaction it does nothing.
   */
  private joinGroupCommit(): void {
    if (this.db.inTransaction) return;
    this.db.exec('BEGIN');
    queueMicrotask(() => {
      if (!this.db.open || !this.db.inTransaction) return;
      try {
        this.db.exec('COMMIT');
      } catch (err) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        process.emitWarning(`call history not written: ${(err as Error).message}`);
      }
    });
  }

  private timed<T>(operation: string, write: () => T): T {
    return this.metrics ? this.metrics.sqliteWrite(operation, write) : write();
  }

  /** Every record whose call is not over yet, oldest first. */
  open(): HistoryRow[] {
    return this.openStmt.all().map(parse);
  }

  /** Records of one configuration, newest first. */
  list(q: HistoryQuery): HistoryRow[] {
    // One upper bound, the lower of the start key and the window's end: SQLite bounds an index range by
    // one upper term only, and a second one would be a filter over every newer row.
    const end = { createdMs: q.toMs ?? Number.MAX_SAFE_INTEGER, rowid: Number.MAX_SAFE_INTEGER };
    const upper = q.start !== undefined && q.start.createdMs <= end.createdMs ? q.start : end;
    return this.listStmt
      .all(q.clicktocallId, q.accountId, upper.createdMs, upper.rowid, q.fromMs ?? 0, q.limit ?? -1)
      .map(parse);
  }
}
