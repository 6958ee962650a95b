import type {
  AttemptOutcome,
  DeliveryQuery,
  DueDelivery,
  NewWebhookEvent,
  WebhookDelivery,
  WebhookSecrets,
} from '../ports';
import { SECRET_COLUMNS, destinationOf, pendingOf, secretsOf, type SecretRow } from '../rows';
import type { Db } from './database';

type RawRow = Omit<WebhookDelivery, 'record' | 'method'> & { record: string; method: string };
type RawDue = RawRow & { destination: string; stopped: number };

const COLUMNS = `rowid AS seq, event_id, account_id, clicktocall_id, call_id, sequence, type, occurred_ms, url, method,
  record, state, attempts, next_attempt_ms, last_attempt_ms, last_status, last_error, delivered_ms`;

const parse = (row: RawRow): WebhookDelivery => ({
  ...row,
  method: row.method === 'PUT' ? 'PUT' : 'POST',
  record: JSON.parse(row.record) as WebhookDelivery['record'],
});

/** The webhook outbox (synchronous; the store wraps it). */
export class SqliteOutbox {
  private readonly insertStmt;
  private readonly dueStmt;
  private readonly nextDueStmt;
  private readonly attemptedStmt;
  private readonly stopStmt;
  private readonly failStoppedStmt;
  private readonly unstopStmt;
  private readonly getStmt;
  private readonly listStmt;
  private readonly redeliverStmt;
  private readonly pendingStmt;

  constructor(db: Db) {
    this.insertStmt = db.prepare(
      `INSERT INTO webhook_outbox (event_id, account_id, clicktocall_id, call_id, sequence, type, occurred_ms, url,
         destination, method, record, next_attempt_ms)
       SELECT @event_id, @account_id, @clicktocall_id, @call_id, coalesce(max(sequence), 0) + 1, @type,
         @occurred_ms, @url, @destination, @method, @record, @occurred_ms
       FROM webhook_outbox WHERE call_id = @call_id`,
    );
    // A call's events go in order: only a call's earliest pending event is due. The partial index on
    // next_attempt_ms serves the order, so a batch costs its own rows, not the whole backlog.
    this.dueStmt = db.prepare<[number, string, number], RawDue>(
      `SELECT ${COLUMNS}, destination,
         EXISTS (SELECT 1 FROM webhook_stops s WHERE s.account_id = o.account_id AND s.url = o.url) AS stopped
       FROM webhook_outbox o
       WHERE state = 'pending' AND next_attempt_ms <= ?
         AND destination NOT IN (SELECT value FROM json_each(?))
         AND NOT EXISTS (SELECT 1 FROM webhook_outbox p
                         WHERE p.call_id = o.call_id AND p.state = 'pending' AND p.sequence < o.sequence)
       ORDER BY next_attempt_ms LIMIT ?`,
    );
    this.nextDueStmt = db.prepare<[], { at: number | null }>(
      `SELECT min(next_attempt_ms) AS at FROM webhook_outbox WHERE state = 'pending'`,
    );
    this.attemptedStmt = db.prepare(
      `UPDATE webhook_outbox SET attempts = attempts + 1, state = @state, next_attempt_ms = @next,
         last_attempt_ms = @at, last_status = @status, last_error = @error,
         delivered_ms = CASE WHEN @state = 'delivered' THEN @at ELSE delivered_ms END
       WHERE event_id = @event_id`,
    );
    this.stopStmt = db.prepare(
      `INSERT INTO webhook_stops (account_id, url, stopped_ms) VALUES (?, ?, ?)
       ON CONFLICT (account_id, url) DO NOTHING`,
    );
    this.failStoppedStmt = db.prepare(
      `UPDATE webhook_outbox SET state = 'failed', next_attempt_ms = NULL,
         last_error = 'the receiver answered 410 Gone: subscription stopped'
       WHERE account_id = ? AND url = ? AND state = 'pending'`,
    );
    this.unstopStmt = db.prepare('DELETE FROM webhook_stops WHERE account_id = ? AND url = ?');
    this.getStmt = db.prepare<[string, string], RawRow>(
      `SELECT ${COLUMNS} FROM webhook_outbox WHERE account_id = ? AND event_id = ?`,
    );
    this.listStmt = db.prepare<
      { account_id: string; call_id: string | null; state: string | null; start: number; limit: number },
      RawRow
    >(
      `SELECT ${COLUMNS} FROM webhook_outbox
       WHERE account_id = @account_id AND rowid <= @start
         AND (@call_id IS NULL OR call_id = @call_id) AND (@state IS NULL OR state = @state)
       ORDER BY rowid DESC LIMIT @limit`,
    );
    this.redeliverStmt = db.prepare(
      `UPDATE webhook_outbox SET state = 'pending', attempts = 0, next_attempt_ms = ?
       WHERE account_id = ? AND event_id = ?`,
    );
    this.pendingStmt = db.prepare<[], { n: number; oldest: number | null }>(
      `SELECT count(*) AS n, min(occurred_ms) AS oldest FROM webhook_outbox WHERE state = 'pending'`,
    );
  }

  enqueue(events: readonly NewWebhookEvent[]): void {
    for (const e of events)
      this.insertStmt.run({
        ...e,
        destination: destinationOf(e.url),
        record: JSON.stringify(e.record),
      });
  }

  due(nowMs: number, limit: number, skip: readonly string[]): DueDelivery[] {
    return this.dueStmt.all(nowMs, JSON.stringify(skip), limit).map(({ destination, stopped, ...rest }) => ({
      ...parse(rest),
      destination,
      stopped: stopped === 1,
    }));
  }

  nextDueMs(): number | undefined {
    return this.nextDueStmt.get()?.at ?? undefined;
  }

  attempted(eventId: string, o: AttemptOutcome): void {
    this.attemptedStmt.run({
      event_id: eventId,
      state: o.state,
      next: o.state === 'pending' ? (o.nextAttemptMs ?? o.atMs) : null,
      at: o.atMs,
      status: o.status ?? null,
      error: o.error ?? null,
    });
  }

  stop(accountId: string, url: string, atMs: number): void {
    this.stopStmt.run(accountId, url, atMs);
    this.failStoppedStmt.run(accountId, url);
  }

  unstop(accountId: string, url: string): void {
    this.unstopStmt.run(accountId, url);
  }

  get(accountId: string, eventId: string): WebhookDelivery | undefined {
    const row = this.getStmt.get(accountId, eventId);
    return row && parse(row);
  }

  list(q: DeliveryQuery): WebhookDelivery[] {
    return this.listStmt
      .all({
        account_id: q.accountId,
        call_id: q.callId ?? null,
        state: q.state ?? null,
        start: q.start ?? Number.MAX_SAFE_INTEGER,
        limit: q.limit ?? -1,
      })
      .map(parse);
  }

  redeliver(accountId: string, eventId: string, nowMs: number): WebhookDelivery | undefined {
    const found = this.get(accountId, eventId);
    if (!found) return undefined;
    this.unstop(accountId, found.url);
    this.redeliverStmt.run(nowMs, accountId, eventId);
    return this.get(accountId, eventId);
  }

  pending(): { count: number; oldestMs?: number } {
    return pendingOf(this.pendingStmt.get());
  }
}

/** The accounts' signing secrets (synchronous; the store wraps it). */
export class SqliteWebhookSecrets {
  private readonly getStmt;
  private readonly insertStmt;
  private readonly rotateStmt;

  constructor(db: Db) {
    this.getStmt = db.prepare<[string], SecretRow>(
      `SELECT ${SECRET_COLUMNS} FROM webhook_secrets WHERE account_id = ?`,
    );
    this.insertStmt = db.prepare(
      `INSERT INTO webhook_secrets (account_id, secret, created_ms) VALUES (?, ?, ?)
       ON CONFLICT (account_id) DO NOTHING`,
    );
    this.rotateStmt = db.prepare(
      `UPDATE webhook_secrets SET previous_secret = secret, previous_until_ms = @until, secret = @fresh,
         created_ms = @now
       WHERE account_id = @account_id`,
    );
  }

  get(accountId: string): WebhookSecrets | undefined {
    const row = this.getStmt.get(accountId);
    return row && secretsOf(row);
  }

  ensure(accountId: string, fresh: string, nowMs: number): WebhookSecrets {
    this.insertStmt.run(accountId, fresh, nowMs);
    return this.get(accountId)!;
  }

  rotate(accountId: string, fresh: string, nowMs: number, previousUntilMs: number): WebhookSecrets {
    if (this.insertStmt.run(accountId, fresh, nowMs).changes === 1) return this.get(accountId)!;
    this.rotateStmt.run({ account_id: accountId, fresh, now: nowMs, until: previousUntilMs });
    return this.get(accountId)!;
  }
}
