import { newId } from '../../src/ids';
import type { Store } from '../../src/store/ports';
import { openSqliteStore } from '../../src/store/sqlite/store';

export type StoreFixture = { store: Store; accountId: string; configId: string };

/** An in-memory store with one account and one click-to-call configuration, for the store's own tests. */
export function memoryStoreWithConfig(now = '2026-12-01T00:00:00.000Z'): Promise<StoreFixture> {
  return withConfig(openSqliteStore({ file: ':memory:' }), now);
}

/** One account and one click-to-call configuration in `store` (of any backend). */
export async function withConfig(store: Store, now = '2026-12-01T00:00:00.000Z'): Promise<StoreFixture> {
  const accountId = newId();
  const configId = newId();
  await store.accounts.insert(
    { id: accountId, name: 'A', realm: 'a.example', parent_id: null, context: null },
    now,
  );
  await store.clicktocalls.insert({ id: configId, account_id: accountId, doc: {}, revision: '1-a', now });
  return { store, accountId, configId };
}

/**
 * Stores a finished call of a configuration straight into history, as tests of history lists need them: its call id
 * is `c2c-<config>-<n as 10 hex>`, its record `{ id, call_id, status: 'completed', …fields }`. Returns the record.
 */
export async function insertFinishedCall(
  history: Store['history'],
  call: {
    accountId: string;
    configId: string;
    n: number;
    createdMs: number;
    fields?: Record<string, unknown>;
  },
): Promise<{ id: string; call_id: string; status: string } & Record<string, unknown>> {
  const doc = {
    id: newId(),
    call_id: `c2c-${call.configId}-${call.n.toString(16).padStart(10, '0')}`,
    status: 'completed',
    ...call.fields,
  };
  await history.insert({
    account_id: call.accountId,
    clicktocall_id: call.configId,
    created_ms: call.createdMs,
    final: true,
    doc,
  });
  return doc;
}
