import crypto from 'node:crypto';
import type { Account } from '../domain';
import { badIdentifier, fieldError, forbidden, invalidCredentials } from '../errors';
import { hashSecret, isId, newId } from '../ids';
import type { Store } from '../store/ports';

export type AccountServiceDeps = {
  store: Pick<Store, 'accounts' | 'auth' | 'unitOfWork'>;
  now: () => Date;
  tokenTtlS: number;
};

export type NewAccount = {
  name: string;
  realm: string;
  parentId?: string;
  context?: string;
  allowSipUri?: boolean;
};
export type CreatedAccount = { id: string; name: string; realm: string; api_key: string };

const REALM =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
const CONTEXT = /^[0-9A-Za-z_.+*#-]{1,64}$/;
const NAME = /^[^\u0000-\u001f\u007f]{1,128}$/;

/** A 256-bit random secret, hex: API keys and tokens. */
const newSecret = (): string => crypto.randomBytes(32).toString('hex');

/** Accounts, API keys, tokens and the reseller tree (docs/security.md). Secrets are stored hashed, shown once. */
export class AccountService {
  constructor(private readonly deps: AccountServiceDeps) {}

  async createAccount(input: NewAccount): Promise<CreatedAccount> {
    const { store } = this.deps;
    if (!NAME.test(input.name)) throw fieldError('name', 'invalid', 'must be 1 to 128 printable characters');
    if (!REALM.test(input.realm)) throw fieldError('realm', 'invalid', 'must be a host name');
    if (input.context !== undefined && !CONTEXT.test(input.context))
      throw fieldError('context', 'invalid', 'must be 1 to 64 of [0-9A-Za-z_.+*#-]');
    if (input.parentId !== undefined && !(isId(input.parentId) && (await store.accounts.get(input.parentId))))
      throw badIdentifier(input.parentId);
    const account: Account = {
      id: newId(),
      name: input.name,
      realm: input.realm,
      parent_id: input.parentId ?? null,
      context: input.context ?? null,
      allow_sip_uri: input.allowSipUri ?? false,
    };
    const apiKey = newSecret();
    const now = this.deps.now().toISOString();
    await store.unitOfWork(async (tx) => {
      await tx.accounts.insert(account, now);
      await tx.auth.insertKey(account.id, hashSecret(apiKey), now);
    });
    return { id: account.id, name: account.name, realm: account.realm, api_key: apiKey };
  }

  async listAccounts(): Promise<Account[]> {
    return (await this.deps.store.accounts.list()).map(({ created_at: _created, ...account }) => account);
  }

  async getAccount(id: string): Promise<Account | undefined> {
    if (!isId(id)) return undefined;
    const row = await this.deps.store.accounts.get(id);
    if (!row) return undefined;
    const { created_at: _created, ...account } = row;
    return account;
  }

  async createApiKey(accountId: string): Promise<string> {
    if (!(await this.getAccount(accountId))) throw badIdentifier(accountId);
    const apiKey = newSecret();
    await this.deps.store.auth.insertKey(accountId, hashSecret(apiKey), this.deps.now().toISOString());
    return apiKey;
  }

  /** Revokes a key; the tokens it issued stop working at once. */
  revokeApiKey(apiKey: string): Promise<boolean> {
    return this.deps.store.auth.revokeKey(hashSecret(apiKey), this.deps.now().toISOString());
  }

  /** On an empty database, creates the first account so the quick start works; otherwise undefined. */
  async bootstrap(): Promise<CreatedAccount | undefined> {
    if ((await this.deps.store.accounts.count()) > 0) return undefined;
    return this.createAccount({ name: 'Default account', realm: 'localhost' });
  }

  /** Kazoo's api_auth: exchanges an API key for a token that expires. */
  async issueToken(apiKey: unknown): Promise<{ token: string; accountId: string; expiresAt: Date }> {
    const { auth } = this.deps.store;
    if (typeof apiKey !== 'string' || apiKey.length === 0 || apiKey.length > 256) throw invalidCredentials();
    const key = await auth.findKey(hashSecret(apiKey));
    if (!key) throw invalidCredentials();
    const token = newSecret();
    const now = this.deps.now();
    const expiresAt = new Date(now.getTime() + this.deps.tokenTtlS * 1000);
    await auth.purgeExpired(now.getTime());
    await auth.insertToken({
      token_hash: hashSecret(token),
      account_id: key.account_id,
      api_key_id: key.id,
      expires_at: expiresAt.getTime(),
      created_at: now.toISOString(),
    });
    return { token, accountId: key.account_id, expiresAt };
  }

  /** The account a token opens; 401 for an unknown, expired or revoked token. */
  async authenticate(token: string): Promise<string> {
    if (token.length === 0 || token.length > 256) throw invalidCredentials();
    const row = await this.deps.store.auth.findToken(hashSecret(token));
    if (!row || row.revoked || row.expires_at <= this.deps.now().getTime()) throw invalidCredentials();
    return row.account_id;
  }

  /** Throws 404 for an unknown account and 403 for one outside the token account's tree. */
  async authorize(tokenAccountId: string, accountId: string): Promise<Account> {
    const account = await this.getAccount(accountId);
    if (!account) throw badIdentifier(accountId);
    if (!(await this.deps.store.accounts.isWithin(accountId, tokenAccountId))) throw forbidden();
    return account;
  }
}
