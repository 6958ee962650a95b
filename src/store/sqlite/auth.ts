import type { Db } from './database';

type TokenRow = { account_id: string; expires_at: number; revoked: number };

/** API keys and auth tokens; only their SHA-256 hashes are stored (synchronous; the store wraps it). */
export class SqliteAuth {
  private readonly insertKeyStmt;
  private readonly findKeyStmt;
  private readonly revokeKeyStmt;
  private readonly insertTokenStmt;
  private readonly findTokenStmt;
  private readonly purgeStmt;

  constructor(db: Db) {
    this.insertKeyStmt = db.prepare(
      'INSERT INTO api_keys (account_id, key_hash, created_at) VALUES (@account_id, @key_hash, @created_at)',
    );
    this.findKeyStmt = db.prepare<[string], { id: number; account_id: string }>(
      'SELECT rowid AS id, account_id FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL',
    );
    this.revokeKeyStmt = db.prepare(
      'UPDATE api_keys SET revoked_at = @at WHERE key_hash = @key_hash AND revoked_at IS NULL',
    );
    this.insertTokenStmt = db.prepare(
      `INSERT INTO auth_tokens (token_hash, account_id, api_key_id, expires_at, created_at)
       VALUES (@token_hash, @account_id, @api_key_id, @expires_at, @created_at)`,
    );
    // A token dies with the key it came from.
    this.findTokenStmt = db.prepare<[string], TokenRow>(
      `SELECT t.account_id, t.expires_at, (k.revoked_at IS NOT NULL) AS revoked
       FROM auth_tokens t JOIN api_keys k ON k.rowid = t.api_key_id WHERE t.token_hash = ?`,
    );
    this.purgeStmt = db.prepare('DELETE FROM auth_tokens WHERE expires_at < ?');
  }

  insertKey(accountId: string, keyHash: string, createdAt: string): void {
    this.insertKeyStmt.run({ account_id: accountId, key_hash: keyHash, created_at: createdAt });
  }

  findKey(keyHash: string): { id: number; account_id: string } | undefined {
    return this.findKeyStmt.get(keyHash);
  }

  revokeKey(keyHash: string, at: string): boolean {
    return this.revokeKeyStmt.run({ key_hash: keyHash, at }).changes > 0;
  }

  insertToken(row: {
    token_hash: string;
    account_id: string;
    api_key_id: number;
    expires_at: number;
    created_at: string;
  }): void {
    this.insertTokenStmt.run(row);
  }

  findToken(tokenHash: string): { account_id: string; expires_at: number; revoked: boolean } | undefined {
    const row = this.findTokenStmt.get(tokenHash);
    return row && { account_id: row.account_id, expires_at: row.expires_at, revoked: row.revoked === 1 };
  }

  purgeExpired(nowMs: number): number {
    return this.purgeStmt.run(nowMs).changes;
  }
}
