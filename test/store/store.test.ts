/**
 * The SQLite adapter of the store ports (src/store/sqlite/store.ts): units of work, the group commit of history
 * updates, and a store locked by another process. The store's own tests: the only tests that may speak SQL.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import type { HistoryDoc } from '../../src/domain';
import { newId } from '../../src/ids';
import { StoreBusyError, type Store } from '../../src/store/ports';
import { openDatabase } from '../../src/store/sqlite/database';
import { openSqliteStore, sqliteStoreOver } from '../../src/store/sqlite/store';

const NOW = '2026-12-01T00:00:00.000Z';

/** An account and a configuration to hang history records on. */
async function fixtures(store: Store): Promise<{ accountId: string; configId: string }> {
  const accountId = newId();
  const configId = newId();
  await store.accounts.insert(
    { id: accountId, name: 'A', realm: 'a.example.com', parent_id: null, context: null },
    NOW,
  );
  await store.clicktocalls.insert({
    id: configId,
    account_id: accountId,
    doc: { name: 'S' },
    revision: '1-a',
    now: NOW,
  });
  return { accountId, configId };
}

const record = (configId: string, n: number, status = 'originating'): HistoryDoc => ({
  id: newId(),
  call_id: `c2c-${configId}-${n.toString(16).padStart(10, '0')}`,
  status,
});

describe('store: the SQLite adapter', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'c2c-store-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe('units of work', () => {
    it('when two units are started together, then the second begins after the first committed', async () => {
      const store = openSqliteStore({ file: ':memory:' });
      const { accountId, configId } = await fixtures(store);
      const order: string[] = [];
      const unit = (n: number) =>
        store.unitOfWork(async (tx) => {
          order.push(`begin ${n}`);
          await tx.history.insert({
            account_id: accountId,
            clicktocall_id: configId,
            created_ms: n,
            final: false,
            doc: record(configId, n),
          });
          await new Promise((resolve) => setImmediate(resolve));
          order.push(`end ${n}`);
        });
      await Promise.all([unit(1), unit(2)]);
      expect(order).to.deep.equal(['begin 1', 'end 1', 'begin 2', 'end 2']);
      expect(await store.history.openPage(0, 1000)).to.have.length(2);
      await store.close();
    });
  });

  describe('the group commit of history updates', () => {
    it('when its commit fails, then the logger and the metrics hear of it and the updates are rolled back', async () => {
      const db = openDatabase(':memory:');
      const exec = db.exec.bind(db);
      let failCommit = false;
      db.exec = (sql: string) => {
        if (sql === 'COMMIT' && failCommit) {
          failCommit = false;
          throw new Error('disk I/O error');
        }
        return exec(sql);
      };
      const errors: Array<[string, object | undefined]> = [];
      let failures = 0;
      const store = sqliteStoreOver(db, {
        logger: {
          error: (message: string, meta?: object) => errors.push([message, meta]),
          warn: (message: string, meta?: object) => errors.push([message, meta]),
        },
        metrics: { storeWrite: (_op, write) => write(), storeCommitFailed: () => (failures += 1) },
      });
      const { accountId, configId } = await fixtures(store);
      const docs = [record(configId, 1), record(configId, 2)];
      for (const doc of docs)
        await store.history.insert({
          account_id: accountId,
          clicktocall_id: configId,
          created_ms: 1,
          final: false,
          doc,
        });
      failCommit = true;
      await Promise.all(docs.map((doc) => store.history.update({ ...doc, status: 'ringing' }, {}, false, 2)));
      await new Promise((resolve) => setImmediate(resolve));
      expect(failures).to.equal(1);
      expect(errors).to.have.length(1);
      expect(errors[0]?.[0]).to.match(/group commit failed/);
      for (const doc of docs)
        expect((await store.history.byCallId(doc.call_id))?.doc.status).to.equal('originating');
      await store.close();
    });

    it('when updates come in one run, then they share one commit: another connection sees all of them or none', async () => {
      const file = path.join(dir, 'g.db');
      const store = openSqliteStore({ file });
      const { accountId, configId } = await fixtures(store);
      const docs = [record(configId, 1), record(configId, 2), record(configId, 3)];
      for (const doc of docs)
        await store.history.insert({
          account_id: accountId,
          clicktocall_id: configId,
          created_ms: 1,
          final: false,
          doc,
        });
      const reader = new Database(file, { readonly: true });
      const ringing = () =>
        (
          reader.prepare("SELECT count(*) AS n FROM call_history WHERE status = 'ringing'").get() as {
            n: number;
          }
        ).n;
      const writes = docs.map((doc) => store.history.update({ ...doc, status: 'ringing' }, {}, false, 2));
      expect(ringing(), 'not committed within the run').to.equal(0);
      await Promise.all(writes);
      await new Promise((resolve) => setImmediate(resolve));
      expect(ringing()).to.equal(3);
      reader.close();
      await store.close();
    });
  });

  describe('a store locked by another process', () => {
    it('when another connection holds the write lock, then writes reject with StoreBusyError, reads go on, writable() says no at once; once free, all is well', async function () {
      this.timeout(10_000);
      const file = path.join(dir, 'busy.db');
      const store = openSqliteStore({ file });
      const { accountId } = await fixtures(store);
      const other = new Database(file);
      other.exec('BEGIN IMMEDIATE');
      const started = Date.now();
      expect(await store.writable()).to.equal(false);
      // At once: writable() waits 50 ms for the lock, not the connection's 1000 ms busy_timeout
      // (src/store/sqlite/store.ts, src/store/sqlite/database.ts); the bound stays under the latter, with room for load.
      expect(Date.now() - started).to.be.below(900);
      const refused = await store.clicktocalls
        .insert({ id: newId(), account_id: accountId, doc: {}, revision: '1-c', now: NOW })
        .then(
          () => undefined,
          (err: unknown) => err,
        );
      expect(refused).to.be.instanceOf(StoreBusyError);
      expect(await store.clicktocalls.list({ accountId })).to.have.length(1);
      other.exec('ROLLBACK');
      other.close();
      expect(await store.writable()).to.equal(true);
      await store.clicktocalls.insert({
        id: newId(),
        account_id: accountId,
        doc: {},
        revision: '1-d',
        now: NOW,
      });
      await store.close();
    });
  });
});
