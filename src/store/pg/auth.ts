import type { Sql } from './database';

/** API keys and auth tokens; only their SHA-256 hashes are stored (PostgreSQL; the store wraps it). */
export class PgAuth {
  constructor(private readonly sql: Sql) {}

  async insertKey(accountId: string, keyHash: string, createdAt: string): Promise<void> {
    await this.sql.query('INSERT INTO api_keys (account_id, key_hash, created_at) VALUES ($1, $2, $3)', [
      accountId,
      keyHash,
      createdAt,
    ]);
  }

  async findKey(keyHash: string): Promise<{ id: number; account_id: string } | undefined> {
    const found = await this.sql.query<{ id: number; account_id: string }>(
      'SELECT seq AS id, account_id FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL',
      [keyHash],
    );
    return found.rows[0];
  }

  async revokeKey(keyHash: string, at: string): Promise<boolean> {
    const done = await this.sql.query(
      'UPDATE api_keys SET revoked_at = $2 WHERE key_hash = $1 AND revoked_at IS NULL',
      [keyHash, at],
    );
    return (done.rowCount ?? 0) > 0;
  }

  async insertToken(row: {
    token_hash: string;
    account_id: string;
    api_key_id: number;
    expires_at: number;
    created_at: string;
  }): Promise<void> {
    await this.sql.query(
      `INSERT INTO auth_tokens (token_hash, account_id, api_key_id, expires_at, created_at)
       VALUES ($1, $2, $3, $4, $5)`,
      [row.token_hash, row.account_id, row.api_key_id, row.expires_at, row.created_at],
    );
  }

  async findToken(
    tokenHash: string,
  ): Promise<{ account_id: string; expires_at: number; revoked: boolean } | undefined> {
    // A token dies with the key it came from.
    const found = await this.sql.query<{ account_id: string; expires_at: number; revoked: boolean }>(
      `SELECT t.account_id, t.expires_at, (k.revoked_at IS NOT NULL) AS revoked
       FROM auth_tokens t JOIN api_keys k ON k.seq = t.api_key_id WHERE t.token_hash = $1`,
      [tokenHash],
    );
    return found.rows[0];
  }

  async purgeExpired(nowMs: number): Promise<number> {
    return (await this.sql.query('DELETE FROM auth_tokens WHERE expires_at < $1', [nowMs])).rowCount ?? 0;
  }
}
