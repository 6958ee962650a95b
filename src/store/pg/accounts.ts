import type { Account, StoredAccount } from '../../domain';
import type { Sql } from './database';

type AccountRow = Omit<Account, 'allow_sip_uri'> & { allow_sip_uri: boolean; created_at: string };

const COLUMNS = 'id, name, realm, parent_id, context, allow_sip_uri, created_at';

/** Accounts and the reseller tree (PostgreSQL; the store wraps it). */
export class PgAccounts {
  constructor(private readonly sql: Sql) {}

  async insert(account: Account, createdAt: string): Promise<void> {
    await this.sql.query(
      `INSERT INTO accounts (id, name, realm, parent_id, context, allow_sip_uri, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        account.id,
        account.name,
        account.realm,
        account.parent_id,
        account.context,
        account.allow_sip_uri === true,
        createdAt,
      ],
    );
  }

  async get(id: string): Promise<StoredAccount | undefined> {
    return (await this.sql.query<AccountRow>(`SELECT ${COLUMNS} FROM accounts WHERE id = $1`, [id])).rows[0];
  }

  async list(): Promise<StoredAccount[]> {
    return (await this.sql.query<AccountRow>(`SELECT ${COLUMNS} FROM accounts ORDER BY seq`)).rows;
  }

  async count(): Promise<number> {
    return (await this.sql.query<{ n: number }>('SELECT count(*) AS n FROM accounts')).rows[0]?.n ?? 0;
  }

  async isWithin(id: string, ancestorId: string): Promise<boolean> {
    // The account and every ancestor above it; bounded against a corrupted cycle.
    const rows = await this.sql.query<{ id: string }>(
      `WITH RECURSIVE up(id, parent_id, depth) AS (
         SELECT id, parent_id, 0 FROM accounts WHERE id = $1
         UNION ALL
         SELECT a.id, a.parent_id, up.depth + 1 FROM accounts a JOIN up ON a.id = up.parent_id WHERE up.depth < 64
       ) SELECT id FROM up`,
      [id],
    );
    return rows.rows.some((row) => row.id === ancestorId);
  }
}
