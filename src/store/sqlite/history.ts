import type { HistoryDoc, HistoryRecord, StatusCallback } from '../../domain';
import type { HistoryListRow, HistoryQuery, NewHistoryRecord, NewWebhookEvent } from '../ports';
import type { Db } from './database';

type RawRow = Omit<HistoryRecord, 'doc' | 'state' | 'final' | 'status_callback'> & {
  doc: string;
  state: string | null;
  final: number;
  status_callback: string | null;
};

type ListRow = RawRow & { updated_ms: number };

const COLUMNS = 'rowid AS seq, account_id, clicktocall_id, created_ms, final, doc, state, status_callback';
const parse = ({ status_callback, ...row }: RawRow): HistoryRecord => ({
  ...row,
  final: row.final === 1,
  doc: JSON.parse(row.doc) as HistoryDoc,
  state: row.state === null ? undefined : (JSON.parse(row.state) as unknown),
  ...(status_callback !== null && { status_callback: JSON.parse(status_callback) as StatusCallback }),
});

/** Writes status events into the outbox (within the caller's transaction). */
export type Enqueue = (events: readonly NewWebhookEvent[]) => void;

/** Call history: one row per accepted connect; `seq` is the rowid (synchronous; the store wraps it). */
export class SqliteHistory {
  private readonly insertStmt;
  private readonly countSinceStmt;
  private readonly oldestSinceStmt;
  private readonly byCallIdStmt;
  private readonly byIdStmt;
  private readonly updateStmt;
  private readonly openStmt;
  private readonly listStmt;
  private readonly listUpStmt;
  private readonly existsStmt;

  /** Runs a write and its events as one transaction (a savepoint inside an open one). */
  private readonly atomically: (write: () => void) => void;

  constructor(
    db: Db,
    private readonly enqueue: Enqueue,
  ) {
    this.atomically = db.transaction((write: () => void) => write());
    this.insertStmt = db.prepare(
      `INSERT INTO call_history (id, call_id, account_id, clicktocall_id, created_ms, status, final, doc, state,
         status_callback, updated_ms)
       VALUES (@id, @call_id, @account_id, @clicktocall_id, @created_ms, @status, @final, @doc, @state,
         @status_callback, @created_ms)`,
    );
    this.countSinceStmt = db.prepare<[string, number], { n: number }>(
      'SELECT count(*) AS n FROM call_history WHERE clicktocall_id = ? AND created_ms > ?',
    );
    this.oldestSinceStmt = db.prepare<[string, number], { created_ms: number }>(
      'SELECT min(created_ms) AS created_ms FROM call_history WHERE clicktocall_id = ? AND created_ms > ?',
    );
    this.byCallIdStmt = db.prepare<[string], RawRow>(`SELECT ${COLUMNS} FROM call_history WHERE call_id = ?`);
    this.byIdStmt = db.prepare<[string], RawRow>(`SELECT ${COLUMNS} FROM call_history WHERE id = ?`);
    this.existsStmt = db.prepare<[string], { one: number }>(
      'SELECT 1 AS one FROM call_history WHERE call_id = ?',
    );
    this.updateStmt = db.prepare(
      `UPDATE call_history SET doc = @doc, state = @state, status = @status, final = @final, updated_ms = @updated_ms
       WHERE call_id = @call_id`,
    );
    // The partial index call_history_open holds the open records in rowid order: a page is a range of it.
    this.openStmt = db.prepare<[number, number], RawRow>(
      `SELECT ${COLUMNS} FROM call_history WHERE final = 0 AND rowid > ? ORDER BY rowid LIMIT ?`,
    );
    // Newest first by (created_ms, rowid): the (clicktocall_id, created_ms) index serves the first page,
    // a deep page (a keyset, not an offset) and a created_from/created_to window alike.
    this.listStmt = db.prepare<[string, string, number, number, number, number], ListRow>(
      `SELECT ${COLUMNS}, updated_ms FROM call_history
       WHERE clicktocall_id = ? AND account_id = ? AND (created_ms, rowid) <= (?, ?) AND created_ms >= ?
       ORDER BY created_ms DESC, rowid DESC LIMIT ?`,
    );
    // Oldest first: the same index the other way, bounded below by the key and above by the window.
    this.listUpStmt = db.prepare<[string, string, number, number, number, number], ListRow>(
      `SELECT ${COLUMNS}, updated_ms FROM call_history
       WHERE clicktocall_id = ? AND account_id = ? AND (created_ms, rowid) >= (?, ?) AND created_ms <= ?
       ORDER BY created_ms ASC, rowid ASC LIMIT ?`,
    );
  }

  insert(row: NewHistoryRecord, events: readonly NewWebhookEvent[] = []): void {
    if (events.length > 0) {
      this.atomically(() => {
        this.insert(row);
        this.enqueue(events);
      });
      return;
    }
    this.insertStmt.run({
      id: row.doc.id,
      call_id: row.doc.call_id,
      account_id: row.account_id,
      clicktocall_id: row.clicktocall_id,
      created_ms: row.created_ms,
      status: row.doc.status,
      final: row.final ? 1 : 0,
      doc: JSON.stringify(row.doc),
      state: row.state === undefined ? null : JSON.stringify(row.state),
      status_callback: row.status_callback === undefined ? null : JSON.stringify(row.status_callback),
    });
  }

  recentConnects(clicktocallId: string, sinceMs: number): { count: number; oldestMs?: number } {
    const count = this.countSinceStmt.get(clicktocallId, sinceMs)?.n ?? 0;
    const oldest = count > 0 ? this.oldestSinceStmt.get(clicktocallId, sinceMs)?.created_ms : undefined;
    return oldest === undefined ? { count } : { count, oldestMs: oldest };
  }

  exists(callId: string): boolean {
    return this.existsStmt.get(callId) !== undefined;
  }

  byCallId(callId: string): HistoryRecord | undefined {
    const row = this.byCallIdStmt.get(callId);
    return row && parse(row);
  }

  byId(id: string): HistoryRecord | undefined {
    const row = this.byIdStmt.get(id);
    return row && parse(row);
  }

  update(
    doc: HistoryDoc,
    state: unknown,
    final: boolean,
    nowMs: number,
    events: readonly NewWebhookEvent[] = [],
  ): void {
    if (events.length > 0) {
      this.atomically(() => {
        this.update(doc, state, final, nowMs);
        this.enqueue(events);
      });
      return;
    }
    this.updateStmt.run({
      call_id: doc.call_id,
      doc: JSON.stringify(doc),
      state: state === undefined ? null : JSON.stringify(state),
      status: doc.status,
      final: final ? 1 : 0,
      updated_ms: nowMs,
    });
  }

  openPage(afterSeq: number, limit: number): HistoryRecord[] {
    return this.openStmt.all(afterSeq, limit).map(parse);
  }

  list(q: HistoryQuery): HistoryListRow[] {
    const rows = q.ascending ? this.listUp(q) : this.listDown(q);
    return rows.map((row) => ({ ...parse(row), updated_ms: row.updated_ms }));
  }

  private listDown(q: HistoryQuery): ListRow[] {
    // One upper bound, the lower of the start key and the window's end: SQLite bounds an index range by
    // one upper term only, and a second one would be a filter over every newer row.
    const end = { createdMs: q.toMs ?? Number.MAX_SAFE_INTEGER, seq: Number.MAX_SAFE_INTEGER };
    const upper = q.start !== undefined && q.start.createdMs <= end.createdMs ? q.start : end;
    return this.listStmt.all(
      q.clicktocallId,
      q.accountId,
      upper.createdMs,
      upper.seq,
      q.fromMs ?? 0,
      q.limit ?? -1,
    );
  }

  private listUp(q: HistoryQuery): ListRow[] {
    // Likewise one lower bound: the higher of the start key and the window's beginning.
    const begin = { createdMs: q.fromMs ?? 0, seq: 0 };
    const lower = q.start !== undefined && q.start.createdMs >= begin.createdMs ? q.start : begin;
    return this.listUpStmt.all(
      q.clicktocallId,
      q.accountId,
      lower.createdMs,
      lower.seq,
      q.toMs ?? Number.MAX_SAFE_INTEGER,
      q.limit ?? -1,
    );
  }
}
