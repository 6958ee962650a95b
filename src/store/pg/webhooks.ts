import type {
  AttemptOutcome,
  DeliveryQuery,
  DueDelivery,
  NewWebhookEvent,
  WebhookDelivery,
  WebhookSecrets,
} from '../ports';
import { SECRET_COLUMNS, destinationOf, pendingOf, secretsOf, type SecretRow } from '../rows';
import type { Sql } from './database';

type RawRow = Omit<WebhookDelivery, 'method'> & { method: string };
type RawDue = RawRow & { destination: string; stopped: boolean };

const COLUMNS = `seq, event_id, account_id, clicktocall_id, call_id, sequence, type, occurred_ms, url, method,
  record, state, attempts, next_attempt_ms, last_attempt_ms, last_status, last_error, delivered_ms`;

const parse = (row: RawRow): WebhookDelivery => ({ ...row, method: row.method === 'PUT' ? 'PUT' : 'POST' });

/**
 * How long an instance's claim on the events `due` handed it lasts: longer than the longest delivery timeout
 * (60 s), so that only the claim of an instance that died expires and lets another one send its events.
 */
export const CLAIM_MS = 120_000;

/**
 * The webhook outbox (PostgreSQL; the store wraps it). `owner` names the store instance: `due` claims the events
 * it returns for it, and hands them to no other instance until `attempted` released them or the claim expired.
 */
export class PgOutbox {
  constructor(
    private readonly sql: Sql,
    private readonly owner: string,
  ) {}

  async enqueue(events: readonly NewWebhookEvent[]): Promise<void> {
    for (const e of events)
      await this.sql.query(
        `INSERT INTO webhook_outbox (event_id, account_id, clicktocall_id, call_id, sequence, type, occurred_ms, url,
           destination, method, record, next_attempt_ms)
         SELECT $1::text, $2::text, $3::text, $4::text, coalesce(max(sequence), 0) + 1, $5::text, $6::bigint,
           $7::text, $8::text, $9::text, $10::json, $6::bigint
         FROM webhook_outbox WHERE call_id = $4::text`,
        [
          e.event_id,
          e.account_id,
          e.clicktocall_id,
          e.call_id,
          e.type,
          e.occurred_ms,
          e.url,
          destinationOf(e.url),
          e.method,
          JSON.stringify(e.record),
        ],
      );
  }

  /**
   * A call's events go in order: only a call's earliest pending event is due. The rows are locked (SKIP LOCKED:
   * rows another instance is claiming at this moment are left to it) and claimed in the same statement; rows
   * claimed by this instance come back (its worker keeps a buffer and skips what it has in flight).
   */
  async due(nowMs: number, limit: number, skip: readonly string[]): Promise<DueDelivery[]> {
    const found = await this.sql.query<RawDue>(
      `WITH picked AS (
         SELECT o.seq FROM webhook_outbox o
         WHERE o.state = 'pending' AND o.next_attempt_ms <= $1::bigint
           AND NOT (o.destination = ANY ($2::text[]))
           AND (o.claimed_by IS NULL OR o.claimed_by = $4::text OR o.claimed_until_ms <= $1::bigint)
           AND NOT EXISTS (SELECT 1 FROM webhook_outbox p
                           WHERE p.call_id = o.call_id AND p.state = 'pending' AND p.sequence < o.sequence)
         ORDER BY o.next_attempt_ms, o.destination, o.call_id, o.sequence
         LIMIT $3
         FOR UPDATE OF o SKIP LOCKED
       ), claimed AS (
         UPDATE webhook_outbox w SET claimed_by = $4::text, claimed_until_ms = $1::bigint + $5::bigint
         FROM picked WHERE w.seq = picked.seq
         RETURNING w.*
       )
       SELECT ${COLUMNS}, destination,
         EXISTS (SELECT 1 FROM webhook_stops s WHERE s.account_id = c.account_id AND s.url = c.url) AS stopped
       FROM claimed c
       ORDER BY next_attempt_ms, destination, call_id, sequence`,
      [nowMs, [...skip], limit, this.owner, CLAIM_MS],
    );
    return found.rows.map(({ destination, stopped, ...rest }) => ({ ...parse(rest), destination, stopped }));
  }

  async nextDueMs(): Promise<number | undefined> {
    const found = await this.sql.query<{ at: number | null }>(
      `SELECT min(next_attempt_ms) AS at FROM webhook_outbox WHERE state = 'pending'`,
    );
    return found.rows[0]?.at ?? undefined;
  }

  /** Records the attempt and releases the claim. */
  async attempted(eventId: string, o: AttemptOutcome): Promise<void> {
    await this.sql.query(
      `UPDATE webhook_outbox SET attempts = attempts + 1, state = $2, next_attempt_ms = $3, last_attempt_ms = $4,
         last_status = $5, last_error = $6, delivered_ms = CASE WHEN $2 = 'delivered' THEN $4 ELSE delivered_ms END,
         claimed_by = NULL, claimed_until_ms = NULL
       WHERE event_id = $1`,
      [
        eventId,
        o.state,
        o.state === 'pending' ? (o.nextAttemptMs ?? o.atMs) : null,
        o.atMs,
        o.status ?? null,
        o.error ?? null,
      ],
    );
  }

  /** The caller runs it in a transaction. */
  async stop(accountId: string, url: string, atMs: number): Promise<void> {
    await this.sql.query(
      `INSERT INTO webhook_stops (account_id, url, stopped_ms) VALUES ($1, $2, $3)
       ON CONFLICT (account_id, url) DO NOTHING`,
      [accountId, url, atMs],
    );
    await this.sql.query(
      `UPDATE webhook_outbox SET state = 'failed', next_attempt_ms = NULL,
         last_error = 'the receiver answered 410 Gone: subscription stopped', claimed_by = NULL, claimed_until_ms = NULL
       WHERE account_id = $1 AND url = $2 AND state = 'pending'`,
      [accountId, url],
    );
  }

  async unstop(accountId: string, url: string): Promise<void> {
    await this.sql.query('DELETE FROM webhook_stops WHERE account_id = $1 AND url = $2', [accountId, url]);
  }

  async get(accountId: string, eventId: string): Promise<WebhookDelivery | undefined> {
    const found = await this.sql.query<RawRow>(
      `SELECT ${COLUMNS} FROM webhook_outbox WHERE account_id = $1 AND event_id = $2`,
      [accountId, eventId],
    );
    return found.rows[0] && parse(found.rows[0]);
  }

  async list(q: DeliveryQuery): Promise<WebhookDelivery[]> {
    const found = await this.sql.query<RawRow>(
      `SELECT ${COLUMNS} FROM webhook_outbox
       WHERE account_id = $1 AND seq <= $2
         AND ($3::text IS NULL OR call_id = $3::text) AND ($4::text IS NULL OR state = $4::text)
       ORDER BY seq DESC LIMIT $5`,
      [q.accountId, q.start ?? Number.MAX_SAFE_INTEGER, q.callId ?? null, q.state ?? null, q.limit ?? null],
    );
    return found.rows.map(parse);
  }

  /** The caller runs it in a transaction. */
  async redeliver(accountId: string, eventId: string, nowMs: number): Promise<WebhookDelivery | undefined> {
    const found = await this.get(accountId, eventId);
    if (!found) return undefined;
    await this.unstop(accountId, found.url);
    await this.sql.query(
      `UPDATE webhook_outbox SET state = 'pending', attempts = 0, next_attempt_ms = $1, claimed_by = NULL,
         claimed_until_ms = NULL
       WHERE account_id = $2 AND event_id = $3`,
      [nowMs, accountId, eventId],
    );
    return this.get(accountId, eventId);
  }

  async pending(): Promise<{ count: number; oldestMs?: number }> {
    const found = await this.sql.query<{ n: number; oldest: number | null }>(
      `SELECT count(*) AS n, min(occurred_ms) AS oldest FROM webhook_outbox WHERE state = 'pending'`,
    );
    return pendingOf(found.rows[0]);
  }
}

/** The accounts' signing secrets (PostgreSQL; the store wraps it). */
export class PgWebhookSecrets {
  constructor(private readonly sql: Sql) {}

  async get(accountId: string): Promise<WebhookSecrets | undefined> {
    const found = await this.sql.query<SecretRow>(
      `SELECT ${SECRET_COLUMNS} FROM webhook_secrets WHERE account_id = $1`,
      [accountId],
    );
    const row = found.rows[0];
    return row && secretsOf(row);
  }

  private async insert(accountId: string, fresh: string, nowMs: number): Promise<boolean> {
    const done = await this.sql.query(
      `INSERT INTO webhook_secrets (account_id, secret, created_ms) VALUES ($1, $2, $3)
       ON CONFLICT (account_id) DO NOTHING`,
      [accountId, fresh, nowMs],
    );
    return done.rowCount === 1;
  }

  async ensure(accountId: string, fresh: string, nowMs: number): Promise<WebhookSecrets> {
    await this.insert(accountId, fresh, nowMs);
    return (await this.get(accountId))!;
  }

  async rotate(
    accountId: string,
    fresh: string,
    nowMs: number,
    previousUntilMs: number,
  ): Promise<WebhookSecrets> {
    if (await this.insert(accountId, fresh, nowMs)) return (await this.get(accountId))!;
    await this.sql.query(
      `UPDATE webhook_secrets SET previous_secret = secret, previous_until_ms = $4, secret = $2, created_ms = $3
       WHERE account_id = $1`,
      [accountId, fresh, nowMs, previousUntilMs],
    );
    return (await this.get(accountId))!;
  }
}
