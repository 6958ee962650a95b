/**
 * The store's ports: what the services need of storage, as asynchronous repositories. An adapter implements them
 * (SQLite, `src/store/sqlite/`, the embedded default; PostgreSQL, `src/store/pg/`, for several instances over one
 * database); nothing outside an adapter knows which database it is.
 *
 * Contract every adapter keeps:
 * - Writes made one after the other are applied in that order (the call tracker issues a call's updates without
 *   waiting for each; they must land in order). A read sees the writes made before it by the same store.
 * - A write the caller was told succeeded is durable once its promise resolved, except history updates and the
 *   records of delivery attempts, which may be grouped and committed together a moment later (a failed group commit
 *   is logged and counted by the adapter; a lost attempt record means the event is sent again).
 * - A unit of work keeps all its writes or none, and no write from outside it lands in its transaction.
 * - Inside a unit of work, `history.recentConnects` followed by `history.insert` is exact: no other unit (of this
 *   store, or of another store over the same database) counts the same configuration's connects in between.
 *   `links.claimCall` takes a call in one conditional write.
 * - `outbox.due` hands an event to one store at a time (a store and the claims of its delivery worker).
 * - A store locked by another writer for longer than the adapter waits rejects with {@link StoreBusyError}.
 *
 * What each adapter adds:
 * - SQLite: one connection. Units of work run one after the other; writes from outside wait for the open unit to
 *   end. History updates and delivery attempts of one synchronous run share one commit, and their promises resolve
 *   before it (a failed group commit is only logged and counted). Another process's write lock past the busy
 *   timeout (1 s) is StoreBusyError. Exactness across processes comes from the database's single writer.
 * - PostgreSQL: a pool. Units of work run in parallel, each a transaction on its own connection (READ COMMITTED);
 *   a statement that fails inside a unit rolls the whole unit back, even when the unit caught the error. Writes from
 *   outside a unit are queued and committed in batches on one connection at a time, in the order they were made;
 *   every write's promise (grouped or not) settles after its batch committed, and rejects when that commit failed
 *   (logged and counted too). The throttle's count takes a transaction advisory lock on the configuration; `due`
 *   claims the events it returns for two minutes (released by `attempted`; the store's own claims come back to it).
 *   Lock and serialization timeouts, and no free connection within 5 s, are StoreBusyError.
 */
import type {
  Account,
  ClickToCallLink,
  ClickToCallRecord,
  HistoryDoc,
  HistoryRecord,
  StatusCallback,
  StoredAccount,
} from '../domain';

/** The store is locked by another writer (another process, a long transaction): try again shortly. */
export class StoreBusyError extends Error {
  constructor(options?: { cause?: unknown }) {
    super('the store is busy', options);
    this.name = 'StoreBusyError';
  }
}

/** Accounts and the reseller tree. */
export type AccountRepository = {
  insert(account: Account, createdAt: string): Promise<void>;
  get(id: string): Promise<StoredAccount | undefined>;
  /** Every account, oldest first. */
  list(): Promise<StoredAccount[]>;
  count(): Promise<number>;
  /** True when `id` is `ancestorId` or lies below it in the reseller tree. */
  isWithin(id: string, ancestorId: string): Promise<boolean>;
};

/** API keys and tokens, by the SHA-256 hashes of their secrets. */
export type AuthRepository = {
  insertKey(accountId: string, keyHash: string, createdAt: string): Promise<void>;
  /** A key that is not revoked: its own id (tokens name it) and its account. */
  findKey(keyHash: string): Promise<{ id: number; account_id: string } | undefined>;
  /** True when a key was revoked now (false: unknown or already revoked). */
  revokeKey(keyHash: string, at: string): Promise<boolean>;
  insertToken(row: {
    token_hash: string;
    account_id: string;
    api_key_id: number;
    expires_at: number;
    created_at: string;
  }): Promise<void>;
  /** A token, whether its key was revoked, and when it expires (Unix ms). */
  findToken(
    tokenHash: string,
  ): Promise<{ account_id: string; expires_at: number; revoked: boolean } | undefined>;
  /** Deletes the tokens that expired before `nowMs`; returns how many. */
  purgeExpired(nowMs: number): Promise<number>;
};

/**
 * A page of an account's live configurations in creation order: newest first from `startSeq` down, or with
 * `ascending` oldest first from `startSeq` up. Unfiltered: the services filter (src/clicktocall/filters.ts).
 */
export type ClickToCallQuery = {
  accountId: string;
  /** Records from this seq on, itself included (the decoded start_key); undefined = from the first. */
  startSeq?: number;
  ascending?: boolean;
  /** How many records at most; undefined = all. */
  limit?: number;
};

/** Click-to-call configurations. Deleted ones stay, marked by deleted_at. */
export type ClickToCallRepository = {
  insert(row: { id: string; account_id: string; doc: object; revision: string; now: string }): Promise<void>;
  /** The configuration of this account, deleted or not. */
  get(id: string, accountId: string): Promise<ClickToCallRecord | undefined>;
  /** Replaces the document if the revision is still `expected`; false when it moved on (or was deleted). */
  update(id: string, expected: string, doc: object, revision: string, now: string): Promise<boolean>;
  /** Marks it deleted if the revision is still `expected`; false otherwise. */
  softDelete(id: string, expected: string, revision: string, now: string): Promise<boolean>;
  /** Live configurations of the account, newest first (or oldest first). */
  list(q: ClickToCallQuery): Promise<ClickToCallRecord[]>;
};

/**
 * A page of a configuration's calls: newest first by (created_ms, seq), or with `ascending` oldest first (so calls
 * of the same millisecond come in the opposite order too). Unfiltered but for the creation window.
 */
export type HistoryQuery = {
  accountId: string;
  clicktocallId: string;
  /** Records at or after this one in the order of the list (the decoded start_key). */
  start?: { createdMs: number; seq: number };
  ascending?: boolean;
  /** Unix ms, inclusive. */
  fromMs?: number;
  /** Unix ms, inclusive. */
  toMs?: number;
  limit?: number;
};

/** A record as a list reads it: with the time of its last change (Unix ms), for the `modified_` filters. */
export type HistoryListRow = HistoryRecord & { updated_ms: number };

/** A new history record, inserted by the connect that placed the call. */
export type NewHistoryRecord = {
  account_id: string;
  clicktocall_id: string;
  created_ms: number;
  final: boolean;
  doc: HistoryDoc;
  state?: unknown;
  status_callback?: StatusCallback;
};

/** Call history: one record per accepted connect. */
export type HistoryRepository = {
  /** Inserts the record, and the status events it causes into the outbox, in one transaction. */
  insert(record: NewHistoryRecord, events?: NewWebhookEvent[]): Promise<void>;
  /** How many connects of this configuration were recorded after `sinceMs`, and the oldest of them. */
  recentConnects(clicktocallId: string, sinceMs: number): Promise<{ count: number; oldestMs?: number }>;
  /** Whether a record has this call id. */
  exists(callId: string): Promise<boolean>;
  byCallId(callId: string): Promise<HistoryRecord | undefined>;
  /** The record with this public id. */
  byId(id: string): Promise<HistoryRecord | undefined>;
  /**
   * The tracker's update of a call's record, and the status events it causes into the outbox, in one transaction
   * (which may be committed with others a moment later: see the contract).
   */
  update(
    doc: HistoryDoc,
    state: unknown,
    final: boolean,
    nowMs: number,
    events?: NewWebhookEvent[],
  ): Promise<void>;
  /**
   * Records whose call is not over yet, oldest first (by `seq`), after `afterSeq` (0: from the first), at most
   * `limit`. Read page by page (`forEachOpenRecord`), so that many open calls never make one long read.
   */
  openPage(afterSeq: number, limit: number): Promise<HistoryRecord[]>;
  /** Records of one configuration, newest first (or oldest first). */
  list(q: HistoryQuery): Promise<HistoryListRow[]>;
};

/** A call's status event for its callback (docs/webhooks.md), as the outbox takes it. */
export type NewWebhookEvent = {
  event_id: string;
  account_id: string;
  clicktocall_id: string;
  call_id: string;
  /** `call.<status>` */
  type: string;
  occurred_ms: number;
  url: string;
  method: 'POST' | 'PUT';
  /** The call's history record as it read at this change. */
  record: HistoryDoc;
};

export type DeliveryState = 'pending' | 'delivered' | 'failed';

/** An event in the outbox and how its delivery went. */
export type WebhookDelivery = NewWebhookEvent & {
  /** Orders the outbox (pages). */
  seq: number;
  /** 1, 2, 3… per call, given by the outbox in the order the events were written. */
  sequence: number;
  state: DeliveryState;
  attempts: number;
  next_attempt_ms: number | null;
  last_attempt_ms: number | null;
  last_status: number | null;
  last_error: string | null;
  delivered_ms: number | null;
};

/** A due event, and whether its receiver stopped the subscription (410 Gone). */
export type DueDelivery = WebhookDelivery & { destination: string; stopped: boolean };

/** The outcome of one delivery attempt, as the outbox keeps it. */
export type AttemptOutcome = {
  atMs: number;
  state: DeliveryState;
  /** While still pending: when to try again. */
  nextAttemptMs?: number;
  status?: number;
  error?: string;
};

/** An account's deliveries, newest first, from `start` (a seq) down. */
export type DeliveryQuery = {
  accountId: string;
  callId?: string;
  state?: DeliveryState;
  start?: number;
  limit?: number;
};

/** The webhook outbox: events waiting for delivery, and what became of them. */
export type WebhookOutboxRepository = {
  /**
   * Pending events due at `nowMs`, soonest due first, at most `limit`: of each call only its earliest pending
   * event (a call's events go in order), none to the destinations `skip` names (busy or paused).
   */
  due(nowMs: number, limit: number, skip: readonly string[]): Promise<DueDelivery[]>;
  /** When the next pending event falls due (undefined: none pending). */
  nextDueMs(): Promise<number | undefined>;
  /** Records an attempt; counts it. */
  attempted(eventId: string, outcome: AttemptOutcome): Promise<void>;
  /** The receiver at `url` answered 410 Gone: it gets nothing more from the account until named again. */
  stop(accountId: string, url: string, atMs: number): Promise<void>;
  /** The account names the receiver again (a saved configuration, a connect, a redelivery). */
  unstop(accountId: string, url: string): Promise<void>;
  get(accountId: string, eventId: string): Promise<WebhookDelivery | undefined>;
  list(q: DeliveryQuery): Promise<WebhookDelivery[]>;
  /** Makes the event pending again, due at `nowMs`, its attempts counted from zero. */
  redeliver(accountId: string, eventId: string, nowMs: number): Promise<WebhookDelivery | undefined>;
  /** How many events are pending and when the oldest of them occurred. */
  pending(): Promise<{ count: number; oldestMs?: number }>;
};

/** The secret an account's events are signed with; during a rotation, the previous one until it expires. */
export type WebhookSecrets = {
  secret: string;
  created_ms: number;
  previous?: { secret: string; until_ms: number };
};

export type WebhookSecretRepository = {
  get(accountId: string): Promise<WebhookSecrets | undefined>;
  /** The account's secrets; `fresh` becomes its secret when it has none yet. */
  ensure(accountId: string, fresh: string, nowMs: number): Promise<WebhookSecrets>;
  /** `fresh` becomes the secret; the current one signs too until `previousUntilMs`. */
  rotate(accountId: string, fresh: string, nowMs: number, previousUntilMs: number): Promise<WebhookSecrets>;
};

/** What taking one call through a link came to. */
export type LinkClaim = 'ok' | 'used_up' | 'revoked' | 'expired' | 'unknown';

/** Public links to configurations. */
export type LinkRepository = {
  insert(link: ClickToCallLink): Promise<void>;
  /** A link of the account, revoked or not. */
  get(accountId: string, id: string): Promise<ClickToCallLink | undefined>;
  /** A link by its id alone (the public side: its token names it). */
  byId(id: string): Promise<ClickToCallLink | undefined>;
  /** A configuration's links, newest first, from `start` (a seq) down. */
  list(q: {
    accountId: string;
    clicktocallId: string;
    start?: number;
    limit?: number;
  }): Promise<Array<ClickToCallLink & { seq: number }>>;
  /** Revokes it now; false when unknown or already revoked. */
  revoke(accountId: string, id: string, atMs: number): Promise<boolean>;
  /** Counts one more call through the link if it is live and under its limit (in the caller's unit of work). */
  claimCall(id: string, nowMs: number): Promise<LinkClaim>;
};

/** Keys the service signs its own tokens with, by name: made on first use, the same for every process. */
export type ServiceKeyRepository = {
  ensure(name: string, fresh: string, nowMs: number): Promise<string>;
};

export type Repositories = {
  accounts: AccountRepository;
  auth: AuthRepository;
  clicktocalls: ClickToCallRepository;
  history: HistoryRepository;
  outbox: WebhookOutboxRepository;
  webhookSecrets: WebhookSecretRepository;
  links: LinkRepository;
  serviceKeys: ServiceKeyRepository;
};

/** The store: the repositories, units of work over them, and what operations need of it. */
export type Store = Repositories & {
  /**
   * Runs `work` as one unit: all its writes are kept or none (when it throws). Units of work are isolated from each
   * other (one after the other in SQLite, in parallel transactions in PostgreSQL: see the contract above), and no
   * other write lands in the middle of one. `work` must use the repositories it is given.
   */
  unitOfWork<T>(work: (tx: Repositories) => Promise<T>): Promise<T>;
  /** Whether the store takes a write now (tried and undone, waiting a few tens of milliseconds at most). */
  writable(): Promise<boolean>;
  /** Commits what is pending and closes. */
  close(): Promise<void>;
};

/** What an adapter reports (optional): the latency of each write, and commits that failed. */
export type StoreMetrics = {
  storeWrite<T>(operation: string, write: () => T): T;
  storeCommitFailed(): void;
  /**
   * The latency of an asynchronous write (the PostgreSQL adapter's), in seconds: `storeWrite` times a synchronous
   * call only. Without it that adapter reports no write latency.
   */
  storeWriteObserved?(operation: string, seconds: number): void;
};
