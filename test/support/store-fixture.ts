import { newId } from '../../src/ids';
import type { Store } from '../../src/store/ports';
import { openSqliteStore } from '../../src/store/sqlite/store';

export type StoreFixture = { store: Store; accountId: string; configId: string };

/** An in-memory store with one account and one click-to-call configuration, for the store's own tests. */
export async function memoryStoreWithConfig(now = '2026-12-01T00:00:00.000Z'): Promise<StoreFixture> {
  const store = openSqliteStore({ file: ':memory:' });
  const accountId = newId();
  const configId = newId();
  await store.accounts.insert(
    { id: accountId, name: 'A', realm: 'a.example', parent_id: null, context: null },
    now,
  );
  await store.clicktocalls.insert({ id: configId, account_id: accountId, doc: {}, revision: '1-a', now });
  return { store, accountId, configId };
}
