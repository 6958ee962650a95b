import type { Account, StoredAccount } from '../../domain';
import type { Db } from './database';

type AccountRow = Omit<Account, 'allow_sip_uri'> & { allow_sip_uri: number; created_at: string };

const toAccount = (row: AccountRow): StoredAccount => ({ ...row, allow_sip_uri: row.allow_sip_uri === 1 });

/** Accounts and the reseller tree (synchronous; the store wraps it). */
export class SqliteAccounts {
  private readonly insertStmt;
  private readonly getStmt;
  private readonly listStmt;
  private readonly countStmt;
  private readonly ancestryStmt;

  constructor(db: Db) {
    this.insertStmt = db.prepare(
      `INSERT INTO accounts (id, name, realm, parent_id, context, allow_sip_uri, created_at)
       VALUES (@id, @name, @realm, @parent_id, @context, @allow_sip_uri, @created_at)`,
    );
    this.getStmt = db.prepare<[string], AccountRow>(
      'SELECT id, name, realm, parent_id, context, allow_sip_uri, created_at FROM accounts WHERE id = ?',
    );
    this.listStmt = db.prepare<[], AccountRow>(
      'SELECT id, name, realm, parent_id, context, allow_sip_uri, created_at FROM accounts ORDER BY rowid',
    );
    this.countStmt = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM accounts');
    // The account and every ancestor above it, nearest first; bounded against a corrupted cycle.
    this.ancestryStmt = db.prepare<[string], { id: string }>(
      `WITH RECURSIVE up(id, parent_id, depth) AS (
         SELECT id, parent_id, 0 FROM accounts WHERE id = ?
         UNION ALL
         SELECT a.id, a.parent_id, up.depth + 1 FROM accounts a JOIN up ON a.id = up.parent_id WHERE up.depth < 64
       ) SELECT id FROM up ORDER BY depth`,
    );
  }

  insert(account: Account, createdAt: string): void {
    this.insertStmt.run({ ...account, allow_sip_uri: account.allow_sip_uri ? 1 : 0, created_at: createdAt });
  }

  get(id: string): StoredAccount | undefined {
    const row = this.getStmt.get(id);
    return row && toAccount(row);
  }

  list(): StoredAccount[] {
    return this.listStmt.all().map(toAccount);
  }

  count(): number {
    return this.countStmt.get()?.n ?? 0;
  }

  isWithin(id: string, ancestorId: string): boolean {
    return this.ancestryStmt.all(id).some((row) => row.id === ancestorId);
  }
}
