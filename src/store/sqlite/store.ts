/**
 * The SQLite adapter of the store ports: better-sqlite3 (synchronous) behind the asynchronous repositories.
 *
 * Transactions on the one connection:
 * - A unit of work is `BEGIN IMMEDIATE … COMMIT` around its work. While one is open, writes from outside it wait
 *   (queued, then run in order when it ends): they must not land in its transaction, which may still roll back.
 *   Units of work run one after the other.
 * - History updates and the records of delivery attempts are group-committed: the writes of one synchronous run
 *   (every event of one socket read) share one transaction, committed in a microtask, instead of one commit each.
 *   A failed group commit is logged and counted (`storeCommitFailed`).
 * - Other writes commit at once (or join an open group commit).
 * SQLITE_BUSY / SQLITE_LOCKED (another process holds the write lock past busy_timeout) become StoreBusyError.
 */
import type { Logger } from '../../logger';
import {
  StoreBusyError,
  type AccountRepository,
  type AuthRepository,
  type ClickToCallRepository,
  type HistoryRepository,
  type Repositories,
  type Store,
  type StoreMetrics,
  type LinkRepository,
  type ServiceKeyRepository,
  type WebhookOutboxRepository,
  type WebhookSecretRepository,
} from '../ports';
import { SqliteAccounts } from './accounts';
import { SqliteAuth } from './auth';
import { SqliteClickToCalls } from './clicktocalls';
import { startCheckpointer, type Checkpointer } from './checkpointer';
import { openDatabase, type Db } from './database';
import { SqliteHistory } from './history';
import { SqliteLinks, SqliteServiceKeys } from './links';
import { SqliteOutbox, SqliteWebhookSecrets } from './webhooks';

export type SqliteStoreOptions = {
  /** The database file (created with its folder), or `:memory:`. */
  file: string;
  /** Where a failed group commit (and a stopped checkpoint thread) is reported. */
  logger?: Pick<Logger, 'error' | 'warn'>;
  metrics?: StoreMetrics;
  /** The migrations folder (default db/migrations). */
  migrationsDir?: string;
  /**
   * `thread` (default for a file): WAL checkpoints on a worker thread, off the event loop; `inline`: in the COMMIT
   * that fills the WAL, as SQLite does by default (a file shared with a process that checkpoints itself).
   */
  checkpoints?: 'thread' | 'inline';
};

const isBusy = (err: unknown): boolean => {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
};

const translate = (err: unknown): Error =>
  isBusy(err) ? new StoreBusyError({ cause: err }) : err instanceof Error ? err : new Error(String(err));

/** A synchronous call as a promise, with SQLite's busy errors translated. */
function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(translate(err));
  }
}

type Runner = {
  read<T>(fn: () => T): Promise<T>;
  write<T>(operation: string | undefined, fn: () => T): Promise<T>;
  /** A write that may share the group commit (history updates, delivery attempts). */
  grouped(operation: string, fn: () => void): Promise<void>;
};

type Sync = {
  accounts: SqliteAccounts;
  auth: SqliteAuth;
  clicktocalls: SqliteClickToCalls;
  history: SqliteHistory;
  outbox: SqliteOutbox;
  webhookSecrets: SqliteWebhookSecrets;
  links: SqliteLinks;
  serviceKeys: SqliteServiceKeys;
};

/** The repositories over the synchronous ones, each call going through `run`. */
function repositories(sync: Sync, run: Runner): Repositories {
  const { accounts: a, auth: k, clicktocalls: c, history: h, outbox: o, webhookSecrets: w } = sync;
  const { links: l, serviceKeys: sk } = sync;
  const accounts: AccountRepository = {
    insert: (account, createdAt) => run.write(undefined, () => a.insert(account, createdAt)),
    get: (id) => run.read(() => a.get(id)),
    list: () => run.read(() => a.list()),
    count: () => run.read(() => a.count()),
    isWithin: (id, ancestorId) => run.read(() => a.isWithin(id, ancestorId)),
  };
  const auth: AuthRepository = {
    insertKey: (accountId, keyHash, createdAt) =>
      run.write(undefined, () => k.insertKey(accountId, keyHash, createdAt)),
    findKey: (keyHash) => run.read(() => k.findKey(keyHash)),
    revokeKey: (keyHash, at) => run.write(undefined, () => k.revokeKey(keyHash, at)),
    insertToken: (row) => run.write(undefined, () => k.insertToken(row)),
    findToken: (tokenHash) => run.read(() => k.findToken(tokenHash)),
    purgeExpired: (nowMs) => run.write(undefined, () => k.purgeExpired(nowMs)),
  };
  const clicktocalls: ClickToCallRepository = {
    insert: (row) => run.write('clicktocall_insert', () => c.insert(row)),
    get: (id, accountId) => run.read(() => c.get(id, accountId)),
    update: (id, expected, doc, revision, now) =>
      run.write('clicktocall_update', () => c.update(id, expected, doc, revision, now)),
    softDelete: (id, expected, revision, now) =>
      run.write('clicktocall_delete', () => c.softDelete(id, expected, revision, now)),
    list: (q) => run.read(() => c.list(q)),
  };
  const history: HistoryRepository = {
    insert: (record, events) => run.write('history_insert', () => h.insert(record, events)),
    recentConnects: (clicktocallId, sinceMs) => run.read(() => h.recentConnects(clicktocallId, sinceMs)),
    exists: (callId) => run.read(() => h.exists(callId)),
    byCallId: (callId) => run.read(() => h.byCallId(callId)),
    byId: (id) => run.read(() => h.byId(id)),
    update: (doc, state, final, nowMs, events) =>
      run.grouped('history_update', () => h.update(doc, state, final, nowMs, events)),
    openPage: (afterSeq, limit) => run.read(() => h.openPage(afterSeq, limit)),
    list: (q) => run.read(() => h.list(q)),
  };
  const outbox: WebhookOutboxRepository = {
    due: (nowMs, limit, skip) => run.read(() => o.due(nowMs, limit, skip)),
    nextDueMs: () => run.read(() => o.nextDueMs()),
    attempted: (eventId, outcome) => run.grouped('webhook_attempt', () => o.attempted(eventId, outcome)),
    stop: (accountId, url, atMs) => run.write(undefined, () => o.stop(accountId, url, atMs)),
    unstop: (accountId, url) => run.write(undefined, () => o.unstop(accountId, url)),
    get: (accountId, eventId) => run.read(() => o.get(accountId, eventId)),
    list: (q) => run.read(() => o.list(q)),
    redeliver: (accountId, eventId, nowMs) =>
      run.write(undefined, () => o.redeliver(accountId, eventId, nowMs)),
    pending: () => run.read(() => o.pending()),
  };
  const webhookSecrets: WebhookSecretRepository = {
    get: (accountId) => run.read(() => w.get(accountId)),
    ensure: (accountId, fresh, nowMs) => run.write(undefined, () => w.ensure(accountId, fresh, nowMs)),
    rotate: (accountId, fresh, nowMs, untilMs) =>
      run.write(undefined, () => w.rotate(accountId, fresh, nowMs, untilMs)),
  };
  const links: LinkRepository = {
    insert: (link) => run.write('link_insert', () => l.insert(link)),
    get: (accountId, id) => run.read(() => l.get(accountId, id)),
    byId: (id) => run.read(() => l.byId(id)),
    list: (q) => run.read(() => l.list(q)),
    revoke: (accountId, id, atMs) => run.write('link_revoke', () => l.revoke(accountId, id, atMs)),
    claimCall: (id, nowMs) => run.write('link_claim', () => l.claimCall(id, nowMs)),
  };
  const serviceKeys: ServiceKeyRepository = {
    ensure: (name, fresh, nowMs) => run.write(undefined, () => sk.ensure(name, fresh, nowMs)),
  };
  return { accounts, auth, clicktocalls, history, outbox, webhookSecrets, links, serviceKeys };
}

/** Opens (and migrates) the database and returns the store over it. */
export function openSqliteStore(opts: SqliteStoreOptions): Store {
  const db = openDatabase(opts.file, opts.migrationsDir);
  const threaded = opts.file !== ':memory:' && (opts.checkpoints ?? 'thread') === 'thread';
  const checkpointer = threaded
    ? startCheckpointer(db, { ...(opts.logger && { logger: opts.logger }) })
    : undefined;
  return new SqliteStore(db, opts, checkpointer);
}

/** The store over a database opened by `openDatabase` (the store's own tests wrap the connection). */
export function sqliteStoreOver(
  db: Db,
  opts: Omit<SqliteStoreOptions, 'file' | 'migrationsDir'> = {},
): Store {
  return new SqliteStore(db, opts);
}

class SqliteStore implements Store {
  readonly accounts: AccountRepository;
  readonly auth: AuthRepository;
  readonly clicktocalls: ClickToCallRepository;
  readonly history: HistoryRepository;
  readonly outbox: WebhookOutboxRepository;
  readonly webhookSecrets: WebhookSecretRepository;
  readonly links: LinkRepository;
  readonly serviceKeys: ServiceKeyRepository;
  private readonly inside: Repositories;
  /** The open unit of work and the writes waiting for its end. */
  private unit: { waiting: Array<() => void> } | undefined;
  private units: Promise<unknown> = Promise.resolve();
  private groupOpen = false;

  constructor(
    private readonly db: Db,
    private readonly opts: Omit<SqliteStoreOptions, 'file' | 'migrationsDir'>,
    private readonly checkpointer?: Checkpointer,
  ) {
    const outbox = new SqliteOutbox(db);
    const sync: Sync = {
      accounts: new SqliteAccounts(db),
      auth: new SqliteAuth(db),
      clicktocalls: new SqliteClickToCalls(db),
      history: new SqliteHistory(db, (events) => outbox.enqueue(events)),
      outbox,
      webhookSecrets: new SqliteWebhookSecrets(db),
      links: new SqliteLinks(db),
      serviceKeys: new SqliteServiceKeys(db),
    };
    const outside = repositories(sync, {
      read: settle,
      write: (operation, fn) => this.whenNoUnit(() => this.timed(operation, fn)),
      grouped: (operation, fn) =>
        this.whenNoUnit(() => {
          this.joinGroupCommit();
          this.timed(operation, fn);
        }),
    });
    ({
      accounts: this.accounts,
      auth: this.auth,
      clicktocalls: this.clicktocalls,
      history: this.history,
      outbox: this.outbox,
      webhookSecrets: this.webhookSecrets,
      links: this.links,
      serviceKeys: this.serviceKeys,
    } = outside);
    this.inside = repositories(sync, {
      read: settle,
      write: (operation, fn) => settle(() => this.timed(operation, fn)),
      grouped: (operation, fn) => settle(() => this.timed(operation, fn)),
    });
  }

  unitOfWork<T>(work: (tx: Repositories) => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      this.commitGroup();
      const unit = { waiting: [] as Array<() => void> };
      this.unit = unit;
      try {
        this.db.exec('BEGIN IMMEDIATE');
        try {
          const result = await work(this.inside);
          this.db.exec('COMMIT');
          return result;
        } catch (err) {
          if (this.db.inTransaction) this.db.exec('ROLLBACK');
          throw err;
        }
      } catch (err) {
        throw translate(err);
      } finally {
        this.unit = undefined;
        for (const write of unit.waiting) write();
      }
    };
    const result = this.units.then(run, run);
    this.units = result.catch(() => undefined);
    return result;
  }

  async writable(): Promise<boolean> {
    const db = this.db;
    if (!db.open) return Promise.resolve(false);
    // This connection holds the write lock itself: it can write.
    if (this.unit !== undefined || db.inTransaction) return Promise.resolve(true);
    const busyTimeout = Number(db.pragma('busy_timeout', { simple: true }));
    try {
      db.pragma('busy_timeout = 50');
      db.exec('BEGIN IMMEDIATE');
      try {
        db.pragma(`user_version = ${Number(db.pragma('user_version', { simple: true }))}`);
      } finally {
        db.exec('ROLLBACK');
      }
      return Promise.resolve(true);
    } catch {
      return Promise.resolve(false);
    } finally {
      db.pragma(`busy_timeout = ${busyTimeout}`);
    }
  }

  async close(): Promise<void> {
    await this.units;
    this.commitGroup();
    await this.checkpointer?.stop();
    if (this.db.open) this.db.close();
  }

  /** Runs a write now, or, while a unit of work is open, once it ended (never inside its transaction). */
  private whenNoUnit<T>(fn: () => T): Promise<T> {
    const unit = this.unit;
    if (unit === undefined) return settle(fn);
    return new Promise<T>((resolve, reject) =>
      unit.waiting.push(() => void settle(fn).then(resolve, reject)),
    );
  }

  private timed<T>(operation: string | undefined, write: () => T): T {
    return operation !== undefined && this.opts.metrics
      ? this.opts.metrics.storeWrite(operation, write)
      : write();
  }

  /** Opens the group's transaction unless one is open; it is committed when this synchronous run ends. */
  private joinGroupCommit(): void {
    if (this.db.inTransaction) return;
    this.db.exec('BEGIN');
    this.groupOpen = true;
    queueMicrotask(() => this.commitGroup());
  }

  private commitGroup(): void {
    if (!this.groupOpen) return;
    this.groupOpen = false;
    if (!this.db.open || !this.db.inTransaction) return;
    try {
      this.db.exec('COMMIT');
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      this.opts.metrics?.storeCommitFailed();
      this.opts.logger?.error(
        'call history updates and delivery attempts not written: their group commit failed',
        {
          error: (err as Error).message,
        },
      );
    }
  }
}
