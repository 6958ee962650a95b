import type { HistoryDoc, HistoryRecord, StatusCallback } from '../../domain';
import type { HistoryListRow, HistoryQuery, NewHistoryRecord, NewWebhookEvent } from '../ports';
import { LOCK_THROTTLE, type Sql } from './database';

type RawRow = Omit<HistoryRecord, 'state' | 'status_callback'> & {
  /** As text: a JSON null the tracker wrote is not SQL NULL (no state). */
  state: string | null;
  status_callback: StatusCallback | null;
};

type ListRow = RawRow & { updated_ms: number };

const COLUMNS =
  'seq, account_id, clicktocall_id, created_ms, final, doc, state::text AS state, status_callback';
const parse = ({ status_callback, state, ...row }: RawRow): HistoryRecord => ({
  ...row,
  state: state === null ? undefined : (JSON.parse(state) as unknown),
  ...(status_callback !== null && { status_callback }),
});

/** JSON text for a json column; undefined is SQL NULL. */
const json = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value));

/** Writes status events into the outbox (on the same connection, within the caller's transaction). */
export type Enqueue = (events: readonly NewWebhookEvent[]) => Promise<void>;

/**
 * Call history: one row per accepted connect (PostgreSQL; the store wraps it). `inUnit`: the repository runs inside
 * a unit of work, where `recentConnects` takes the configuration's throttle lock until the unit ends.
 */
export class PgHistory {
  constructor(
    private readonly sql: Sql,
    private readonly enqueue: Enqueue,
    private readonly inUnit: boolean,
  ) {}

  /** The caller runs it in a transaction (a unit of work or a grouped write) when it has events. */
  async insert(row: NewHistoryRecord, events: readonly NewWebhookEvent[] = []): Promise<void> {
    await this.sql.query(
      `INSERT INTO call_history (id, call_id, account_id, clicktocall_id, created_ms, status, final, doc, state,
         status_callback, updated_ms)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $5)`,
      [
        row.doc.id,
        row.doc.call_id,
        row.account_id,
        row.clicktocall_id,
        row.created_ms,
        row.doc.status,
        row.final,
        JSON.stringify(row.doc),
        json(row.state),
        json(row.status_callback),
      ],
    );
    if (events.length > 0) await this.enqueue(events);
  }

  /**
   * Inside a unit of work, first takes a transaction advisory lock on the configuration (held until the unit
   * commits or rolls back): two units that count the same configuration's connects, in this process or another,
   * run one after the other, so a count and the insert that follows it are exact.
   */
  async recentConnects(
    clicktocallId: string,
    sinceMs: number,
  ): Promise<{ count: number; oldestMs?: number }> {
    if (this.inUnit)
      await this.sql.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_THROTTLE, clicktocallId]);
    const found = await this.sql.query<{ n: number; oldest: number | null }>(
      `SELECT count(*) AS n, min(created_ms) AS oldest FROM call_history
       WHERE clicktocall_id = $1 AND created_ms > $2`,
      [clicktocallId, sinceMs],
    );
    const row = found.rows[0];
    const count = row?.n ?? 0;
    return row?.oldest == null || count === 0 ? { count } : { count, oldestMs: row.oldest };
  }

  async exists(callId: string): Promise<boolean> {
    return (await this.sql.query('SELECT 1 FROM call_history WHERE call_id = $1', [callId])).rows.length > 0;
  }

  async byCallId(callId: string): Promise<HistoryRecord | undefined> {
    const found = await this.sql.query<RawRow>(`SELECT ${COLUMNS} FROM call_history WHERE call_id = $1`, [
      callId,
    ]);
    return found.rows[0] && parse(found.rows[0]);
  }

  async byId(id: string): Promise<HistoryRecord | undefined> {
    const found = await this.sql.query<RawRow>(`SELECT ${COLUMNS} FROM call_history WHERE id = $1`, [id]);
    return found.rows[0] && parse(found.rows[0]);
  }

  /** The caller runs it in a transaction when it has events. */
  async update(
    doc: HistoryDoc,
    state: unknown,
    final: boolean,
    nowMs: number,
    events: readonly NewWebhookEvent[] = [],
  ): Promise<void> {
    await this.sql.query(
      `UPDATE call_history SET doc = $2, state = $3, status = $4, final = $5, updated_ms = $6 WHERE call_id = $1`,
      [doc.call_id, JSON.stringify(doc), json(state), doc.status, final, nowMs],
    );
    if (events.length > 0) await this.enqueue(events);
  }

  async openPage(afterSeq: number, limit: number): Promise<HistoryRecord[]> {
    // The partial index call_history_open holds the open records in seq order: a page is a range of it.
    const found = await this.sql.query<RawRow>(
      `SELECT ${COLUMNS} FROM call_history WHERE NOT final AND seq > $1 ORDER BY seq LIMIT $2`,
      [afterSeq, limit],
    );
    return found.rows.map(parse);
  }

  async list(q: HistoryQuery): Promise<HistoryListRow[]> {
    const rows = q.ascending ? await this.listUp(q) : await this.listDown(q);
    return rows.map((row) => ({ ...parse(row), updated_ms: row.updated_ms }));
  }

  /**
   * Newest first by (created_ms, seq): a range of the (clicktocall_id, created_ms, seq) index from one upper bound,
   * the lower of the start key and the window's end, as the SQLite adapter does (src/store/sqlite/history.ts).
   */
  private async listDown(q: HistoryQuery): Promise<ListRow[]> {
    const end = { createdMs: q.toMs ?? Number.MAX_SAFE_INTEGER, seq: Number.MAX_SAFE_INTEGER };
    const upper = q.start !== undefined && q.start.createdMs <= end.createdMs ? q.start : end;
    const found = await this.sql.query<ListRow>(
      `SELECT ${COLUMNS}, updated_ms FROM call_history
       WHERE clicktocall_id = $1 AND account_id = $2 AND (created_ms, seq) <= ($3::bigint, $4::bigint)
         AND created_ms >= $5
       ORDER BY created_ms DESC, seq DESC LIMIT $6`,
      [q.clicktocallId, q.accountId, upper.createdMs, upper.seq, q.fromMs ?? 0, q.limit ?? null],
    );
    return found.rows;
  }

  /** Oldest first: the same index the other way, from the higher of the start key and the window's beginning. */
  private async listUp(q: HistoryQuery): Promise<ListRow[]> {
    const begin = { createdMs: q.fromMs ?? 0, seq: 0 };
    const lower = q.start !== undefined && q.start.createdMs >= begin.createdMs ? q.start : begin;
    const found = await this.sql.query<ListRow>(
      `SELECT ${COLUMNS}, updated_ms FROM call_history
       WHERE clicktocall_id = $1 AND account_id = $2 AND (created_ms, seq) >= ($3::bigint, $4::bigint)
         AND created_ms <= $5
       ORDER BY created_ms ASC, seq ASC LIMIT $6`,
      [
        q.clicktocallId,
        q.accountId,
        lower.createdMs,
        lower.seq,
        q.toMs ?? Number.MAX_SAFE_INTEGER,
        q.limit ?? null,
      ],
    );
    return found.rows;
  }
}
