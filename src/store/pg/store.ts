/**
 * The PostgreSQL adapter of the store ports: node-postgres (`pg`) pool behind the asynchronous repositories, for
 * several service instances over one database.
 *
 * Connections and transactions:
 * - A unit of work is `BEGIN … COMMIT` on one client of the pool. Units run in parallel, isolated by PostgreSQL
 *   (READ COMMITTED). A statement that fails inside a unit ends it: the unit rolls back even when `work` caught the
 *   error (PostgreSQL aborts the transaction).
 * - Writes from outside a unit go through one queue, run in the order they were made on one client at a time: each
 *   batch (what was queued while the previous one ran) is one transaction, each write in it a savepoint, so that
 *   one failing write does not undo the others. A write's promise settles once its batch committed; when the commit
 *   fails every write of the batch rejects, and the failure is logged and counted (`storeCommitFailed`).
 * - Reads from outside a unit wait until the writes made before them settled (they see them, as a reader of the
 *   SQLite store sees its connection's writes), then run on any client of the pool.
 * - The throttle's count (`history.recentConnects` inside a unit) takes a transaction advisory lock on the
 *   configuration; `links.claimCall` is one conditional UPDATE; `outbox.due` claims what it returns (see
 *   ./webhooks.ts), so instances share one outbox.
 * Lock and serialization timeouts, and no free connection in time, become StoreBusyError.
 */
import crypto from 'node:crypto';
import type pg from 'pg';
import type { Logger } from '../../logger';
import type {
  AccountRepository,
  AuthRepository,
  ClickToCallRepository,
  HistoryRepository,
  LinkRepository,
  Repositories,
  ServiceKeyRepository,
  Store,
  StoreMetrics,
  WebhookOutboxRepository,
  WebhookSecretRepository,
} from '../ports';
import { PgAccounts } from './accounts';
import { PgAuth } from './auth';
import { PgClickToCalls } from './clicktocalls';
import { createPool, migratePg, translate, type Sql } from './database';
import { PgHistory } from './history';
import { PgLinks, PgServiceKeys } from './links';
import { PgOutbox, PgWebhookSecrets } from './webhooks';

export type PgStoreOptions = {
  /** `postgres://user:password@host:port/database` (never logged whole). */
  url: string;
  /** Where a failed commit of queued writes is reported. */
  logger?: Pick<Logger, 'error' | 'warn'>;
  metrics?: StoreMetrics;
  /** Connections of the pool (default 10). */
  poolSize?: number;
  /** The schema the store's tables live in (created when missing); default the database's search_path. */
  schema?: string;
  /** The migrations folder (default db/postgres). */
  migrationsDir?: string;
};

/** `writable()` answers within this. */
const WRITABLE_WITHIN_MS = 100;
/** Writes committed together at most. */
const MAX_BATCH = 500;

type Pg = {
  accounts: PgAccounts;
  auth: PgAuth;
  clicktocalls: PgClickToCalls;
  history: PgHistory;
  outbox: PgOutbox;
  webhookSecrets: PgWebhookSecrets;
  links: PgLinks;
  serviceKeys: PgServiceKeys;
};

/** The repositories over one connection (or the pool). */
function pgRepositories(sql: Sql, owner: string, inUnit: boolean): Pg {
  const outbox = new PgOutbox(sql, owner);
  return {
    accounts: new PgAccounts(sql),
    auth: new PgAuth(sql),
    clicktocalls: new PgClickToCalls(sql),
    history: new PgHistory(sql, (events) => outbox.enqueue(events), inUnit),
    outbox,
    webhookSecrets: new PgWebhookSecrets(sql),
    links: new PgLinks(sql),
    serviceKeys: new PgServiceKeys(sql),
  };
}

type Runner = {
  read<T>(fn: (r: Pg) => Promise<T>): Promise<T>;
  write<T>(operation: string | undefined, fn: (r: Pg) => Promise<T>): Promise<T>;
  /** A write that may be committed with others a moment later (history updates, delivery attempts). */
  grouped(operation: string, fn: (r: Pg) => Promise<void>): Promise<void>;
};

/** The repositories of the ports, each call going through `run`. */
function repositories(run: Runner): Repositories {
  const accounts: AccountRepository = {
    insert: (account, createdAt) => run.write(undefined, (r) => r.accounts.insert(account, createdAt)),
    get: (id) => run.read((r) => r.accounts.get(id)),
    list: () => run.read((r) => r.accounts.list()),
    count: () => run.read((r) => r.accounts.count()),
    isWithin: (id, ancestorId) => run.read((r) => r.accounts.isWithin(id, ancestorId)),
  };
  const auth: AuthRepository = {
    insertKey: (accountId, keyHash, createdAt) =>
      run.write(undefined, (r) => r.auth.insertKey(accountId, keyHash, createdAt)),
    findKey: (keyHash) => run.read((r) => r.auth.findKey(keyHash)),
    revokeKey: (keyHash, at) => run.write(undefined, (r) => r.auth.revokeKey(keyHash, at)),
    insertToken: (row) => run.write(undefined, (r) => r.auth.insertToken(row)),
    findToken: (tokenHash) => run.read((r) => r.auth.findToken(tokenHash)),
    purgeExpired: (nowMs) => run.write(undefined, (r) => r.auth.purgeExpired(nowMs)),
  };
  const clicktocalls: ClickToCallRepository = {
    insert: (row) => run.write('clicktocall_insert', (r) => r.clicktocalls.insert(row)),
    get: (id, accountId) => run.read((r) => r.clicktocalls.get(id, accountId)),
    update: (id, expected, doc, revision, now) =>
      run.write('clicktocall_update', (r) => r.clicktocalls.update(id, expected, doc, revision, now)),
    softDelete: (id, expected, revision, now) =>
      run.write('clicktocall_delete', (r) => r.clicktocalls.softDelete(id, expected, revision, now)),
    list: (q) => run.read((r) => r.clicktocalls.list(q)),
  };
  const history: HistoryRepository = {
    insert: (record, events) => run.write('history_insert', (r) => r.history.insert(record, events)),
    recentConnects: (clicktocallId, sinceMs) =>
      run.read((r) => r.history.recentConnects(clicktocallId, sinceMs)),
    exists: (callId) => run.read((r) => r.history.exists(callId)),
    byCallId: (callId) => run.read((r) => r.history.byCallId(callId)),
    byId: (id) => run.read((r) => r.history.byId(id)),
    update: (doc, state, final, nowMs, events) =>
      run.grouped('history_update', (r) => r.history.update(doc, state, final, nowMs, events)),
    openPage: (afterSeq, limit) => run.read((r) => r.history.openPage(afterSeq, limit)),
    list: (q) => run.read((r) => r.history.list(q)),
  };
  const outbox: WebhookOutboxRepository = {
    // A claim, not a queued write: one statement of its own, after the writes made before it.
    due: (nowMs, limit, skip) => run.read((r) => r.outbox.due(nowMs, limit, skip)),
    nextDueMs: () => run.read((r) => r.outbox.nextDueMs()),
    attempted: (eventId, outcome) =>
      run.grouped('webhook_attempt', (r) => r.outbox.attempted(eventId, outcome)),
    stop: (accountId, url, atMs) => run.write(undefined, (r) => r.outbox.stop(accountId, url, atMs)),
    unstop: (accountId, url) => run.write(undefined, (r) => r.outbox.unstop(accountId, url)),
    get: (accountId, eventId) => run.read((r) => r.outbox.get(accountId, eventId)),
    list: (q) => run.read((r) => r.outbox.list(q)),
    redeliver: (accountId, eventId, nowMs) =>
      run.write(undefined, (r) => r.outbox.redeliver(accountId, eventId, nowMs)),
    pending: () => run.read((r) => r.outbox.pending()),
  };
  const webhookSecrets: WebhookSecretRepository = {
    get: (accountId) => run.read((r) => r.webhookSecrets.get(accountId)),
    ensure: (accountId, fresh, nowMs) =>
      run.write(undefined, (r) => r.webhookSecrets.ensure(accountId, fresh, nowMs)),
    rotate: (accountId, fresh, nowMs, untilMs) =>
      run.write(undefined, (r) => r.webhookSecrets.rotate(accountId, fresh, nowMs, untilMs)),
  };
  const links: LinkRepository = {
    insert: (link) => run.write('link_insert', (r) => r.links.insert(link)),
    get: (accountId, id) => run.read((r) => r.links.get(accountId, id)),
    byId: (id) => run.read((r) => r.links.byId(id)),
    list: (q) => run.read((r) => r.links.list(q)),
    revoke: (accountId, id, atMs) => run.write('link_revoke', (r) => r.links.revoke(accountId, id, atMs)),
    claimCall: (id, nowMs) => run.write('link_claim', (r) => r.links.claimCall(id, nowMs)),
  };
  const serviceKeys: ServiceKeyRepository = {
    ensure: (name, fresh, nowMs) => run.write(undefined, (r) => r.serviceKeys.ensure(name, fresh, nowMs)),
  };
  return { accounts, auth, clicktocalls, history, outbox, webhookSecrets, links, serviceKeys };
}

/** Connects, applies the migrations (creating the schema when named) and returns the store over the pool. */
export async function openPgStore(options: PgStoreOptions): Promise<Store> {
  const pool = createPool(options);
  // An idle client whose connection broke: the pool drops it; the next checkout connects anew.
  pool.on('error', (err) =>
    options.logger?.warn('a PostgreSQL connection of the store failed', { error: err.message }),
  );
  try {
    await migratePg(pool, {
      ...(options.schema !== undefined && { schema: options.schema }),
      ...(options.migrationsDir !== undefined && { dir: options.migrationsDir }),
    });
  } catch (err) {
    await pool.end();
    throw translate(err);
  }
  return new PgStore(pool, options);
}

type Job = {
  operation: string | undefined;
  grouped: boolean;
  run: (r: Pg) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
};

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

class PgStore implements Store {
  readonly accounts: AccountRepository;
  readonly auth: AuthRepository;
  readonly clicktocalls: ClickToCallRepository;
  readonly history: HistoryRepository;
  readonly outbox: WebhookOutboxRepository;
  readonly webhookSecrets: WebhookSecretRepository;
  readonly links: LinkRepository;
  readonly serviceKeys: ServiceKeyRepository;
  /** Names this instance's claims on outbox events. */
  private readonly owner = crypto.randomUUID();
  private readonly poolRepos: Pg;
  private queue: Job[] = [];
  private flushing: Promise<void> | undefined;
  /** Queued writes not settled yet, and a promise that settles with the last of them. */
  private unsettled = 0;
  private lastWrite: Promise<void> = Promise.resolve();
  private readonly units = new Set<Promise<unknown>>();
  private closed = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly opts: PgStoreOptions,
  ) {
    this.poolRepos = pgRepositories(pool, this.owner, false);
    ({
      accounts: this.accounts,
      auth: this.auth,
      clicktocalls: this.clicktocalls,
      history: this.history,
      outbox: this.outbox,
      webhookSecrets: this.webhookSecrets,
      links: this.links,
      serviceKeys: this.serviceKeys,
    } = repositories({
      read: (fn) => this.read(fn),
      write: (operation, fn) => this.enqueue(operation, false, fn),
      grouped: (operation, fn) => this.enqueue(operation, true, fn),
    }));
  }

  unitOfWork<T>(work: (tx: Repositories) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the store is closed'));
    const unit = this.runUnit(work);
    const tracked = unit.catch(() => undefined);
    this.units.add(tracked);
    void tracked.then(() => this.units.delete(tracked));
    return unit;
  }

  async writable(): Promise<boolean> {
    if (this.closed) return false;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), WRITABLE_WITHIN_MS);
    });
    // Takes a transaction id (refused by a read-only server or a standby), then undoes it.
    const attempt = (async () => {
      const client = await this.pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        await client.query(`SET LOCAL statement_timeout = ${WRITABLE_WITHIN_MS - 20}`);
        await client.query('SELECT pg_current_xact_id()');
        await client.query('ROLLBACK');
        return true;
      } catch (err) {
        broken = err instanceof Error ? err : new Error(String(err));
        return false;
      } finally {
        client.release(broken);
      }
    })().catch(() => false);
    try {
      return await Promise.race([attempt, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.units]);
    while (this.flushing) await this.flushing;
    await this.pool.end();
  }

  private async runUnit<T>(work: (tx: Repositories) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw translate(err);
    }
    const inside = pgRepositories(client, this.owner, true);
    let failure: { error: unknown } | undefined;
    const run = async <R>(fn: (r: Pg) => Promise<R>): Promise<R> => {
      try {
        return await fn(inside);
      } catch (err) {
        failure ??= { error: err };
        throw translate(err);
      }
    };
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(
        repositories({ read: run, write: (_op, fn) => run(fn), grouped: (_op, fn) => run(fn) }),
      );
      // A statement failed and `work` went on: PostgreSQL aborted the transaction; none of it is kept.
      if (failure !== undefined) throw failure.error;
      const done = await client.query('COMMIT');
      if (done.command === 'ROLLBACK') throw new Error('the unit of work was rolled back by the server');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackErr) {
        broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
      }
      throw translate(err);
    } finally {
      client.release(broken);
    }
  }

  /** A read: once the writes made before it settled, on any client. */
  private async read<T>(fn: (r: Pg) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('the store is closed');
    if (this.unsettled > 0) await this.lastWrite;
    try {
      return await fn(this.poolRepos);
    } catch (err) {
      throw translate(err);
    }
  }

  private enqueue<T>(
    operation: string | undefined,
    grouped: boolean,
    run: (r: Pg) => Promise<T>,
  ): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the store is closed'));
    const written = new Promise<T>((resolve, reject) => {
      this.queue.push({
        operation,
        grouped,
        run,
        resolve: (value) => resolve(value as T),
        reject,
      });
    });
    this.unsettled += 1;
    this.lastWrite = written.then(
      () => void (this.unsettled -= 1),
      () => void (this.unsettled -= 1),
    );
    this.flushing ??= this.flush();
    return written;
  }

  /** Runs the queue batch by batch until it is empty. */
  private async flush(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const client = await this.pool.connect().catch((err: unknown) => err as Error);
        const batch = this.queue.splice(0, MAX_BATCH);
        if (client instanceof Error) {
          for (const job of batch) job.reject(translate(client));
          continue;
        }
        await this.runBatch(client, batch);
      }
    } finally {
      this.flushing = undefined;
    }
  }

  private async runBatch(client: pg.PoolClient, batch: Job[]): Promise<void> {
    const repos = pgRepositories(client, this.owner, false);
    const single = batch.length === 1;
    const outcomes: Outcome[] = [];
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      for (const job of batch) {
        if (!single) await client.query('SAVEPOINT write');
        try {
          const value = await this.timed(job.operation, () => job.run(repos));
          if (!single) await client.query('RELEASE SAVEPOINT write');
          outcomes.push({ ok: true, value });
        } catch (error) {
          if (!single) await client.query('ROLLBACK TO SAVEPOINT write');
          outcomes.push({ ok: false, error });
        }
      }
      if (single && outcomes[0]?.ok === false) await client.query('ROLLBACK');
      else {
        const done = await client.query('COMMIT');
        if (done.command === 'ROLLBACK') throw new Error('the transaction was rolled back by the server');
      }
    } catch (err) {
      broken = err instanceof Error ? err : new Error(String(err));
      this.opts.metrics?.storeCommitFailed();
      this.opts.logger?.error('store writes not committed: their transaction failed', {
        writes: batch.length,
        error: broken.message,
      });
      const error = translate(err);
      for (const job of batch) job.reject(error);
      return;
    } finally {
      client.release(broken);
    }
    batch.forEach((job, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) job.resolve(outcome.value);
      else job.reject(translate(outcome.error));
    });
  }

  private async timed<T>(operation: string | undefined, write: () => Promise<T>): Promise<T> {
    const metrics = this.opts.metrics;
    if (operation === undefined || metrics?.storeWriteObserved === undefined) return write();
    const start = process.hrtime.bigint();
    try {
      return await write();
    } finally {
      metrics.storeWriteObserved(operation, Number(process.hrtime.bigint() - start) / 1e9);
    }
  }
}
