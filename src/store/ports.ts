/**
 * The store's ports: what the services need of storage, as asynchronous repositories. An adapter (SQLite today,
 * `src/store/sqlite/`) implements them; nothing outside an adapter knows which database it is.
 *
 * Contract every adapter keeps:
 * - Writes made one after the other are applied in that order (the call tracker issues a call's updates without
 *   waiting for each; they must land in order).
 * - A write the caller was told succeeded is durable once its promise resolved, except history updates, which may
 *   be grouped and committed together a moment later (a failed group commit is logged and counted by the adapter).
 * - A store locked by another writer for longer than the adapter waits rejects with {@link StoreBusyError}.
 */
import type { Account, ClickToCallRecord, HistoryDoc, HistoryRecord, StoredAccount } from '../domain';

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

/** A page of an account's configurations: newest first, from `startSeq` down. */
export type ClickToCallQuery = {
  accountId: string;
  /** Records with seq <= this (the decoded start_key); undefined = from the newest. */
  startSeq?: number;
  /** How many records at most; undefined = all. */
  limit?: number;
  /** Top-level field → value the field must equal (compared as text; booleans as true/false). */
  filters: Array<[string, string]>;
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
  /** Live configurations of the account, newest first. */
  list(q: ClickToCallQuery): Promise<ClickToCallRecord[]>;
};

/** A page of a configuration's calls: newest first by (created_ms, seq). */
export type HistoryQuery = {
  accountId: string;
  clicktocallId: string;
  /** Records at or after this one in the order of the list (the decoded start_key). */
  start?: { createdMs: number; seq: number };
  /** Unix ms, inclusive. */
  fromMs?: number;
  /** Unix ms, inclusive. */
  toMs?: number;
  limit?: number;
};

/** A new history record, inserted by the connect that placed the call. */
export type NewHistoryRecord = {
  account_id: string;
  clicktocall_id: string;
  created_ms: number;
  final: boolean;
  doc: HistoryDoc;
  state?: unknown;
};

/** Call history: one record per accepted connect. */
export type HistoryRepository = {
  insert(record: NewHistoryRecord): Promise<void>;
  /** How many connects of this configuration were recorded after `sinceMs`, and the oldest of them. */
  recentConnects(clicktocallId: string, sinceMs: number): Promise<{ count: number; oldestMs?: number }>;
  /** Whether a record has this call id. */
  exists(callId: string): Promise<boolean>;
  byCallId(callId: string): Promise<HistoryRecord | undefined>;
  /** The tracker's update of a call's record (may be committed with others a moment later: see the contract). */
  update(doc: HistoryDoc, state: unknown, final: boolean, nowMs: number): Promise<void>;
  /** Every record whose call is not over yet, oldest first. */
  open(): Promise<HistoryRecord[]>;
  /** Records of one configuration, newest first. */
  list(q: HistoryQuery): Promise<HistoryRecord[]>;
};

export type Repositories = {
  accounts: AccountRepository;
  auth: AuthRepository;
  clicktocalls: ClickToCallRepository;
  history: HistoryRepository;
};

/** The store: the repositories, units of work over them, and what operations need of it. */
export type Store = Repositories & {
  /**
   * Runs `work` as one unit: all its writes are kept or none (when it throws). Units of work do not interleave,
   * and no other write lands in the middle of one. `work` must use the repositories it is given.
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
};
