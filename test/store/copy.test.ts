/**
 * `cli copy-to-postgres` (src/store/copy.ts): a SQLite store with a row in every table, copied into an empty
 * PostgreSQL schema, reads the same through the repositories of the PostgreSQL store; new rows do not collide with
 * the copied seqs; a target that holds rows is refused; the URL's password is never printed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { runCli } from '../../src/cli';
import { newId } from '../../src/ids';
import type { Store } from '../../src/store/ports';
import { openSqliteStore } from '../../src/store/sqlite/store';
import { freshPgSchema, postgresMissing, testPostgresUrl, type PgSchema } from '../support/postgres';
import { withConfig, type StoreFixture } from '../support/store-fixture';

const NOW = '2026-12-01T00:00:00.000Z';

/** A row in every table of the store, some of each kind that reads differently (deleted, revoked, final…). */
async function fill(f: StoreFixture): Promise<{ keyHash: string; callIds: string[]; linkId: string }> {
  const { store, accountId, configId } = f;
  const child = newId();
  await store.accounts.insert(
    {
      id: child,
      name: 'Child',
      realm: 'c.example',
      parent_id: accountId,
      context: 'c2c',
      allow_sip_uri: true,
    },
    NOW,
  );
  await store.auth.insertKey(accountId, 'a'.repeat(64), NOW);
  await store.auth.insertKey(child, 'b'.repeat(64), NOW);
  await store.auth.revokeKey('b'.repeat(64), NOW);
  const key = (await store.auth.findKey('a'.repeat(64)))!;
  await store.auth.insertToken({
    token_hash: 'c'.repeat(64),
    account_id: accountId,
    api_key_id: key.id,
    expires_at: 9_000_000_000_000,
    created_at: NOW,
  });
  const gone = newId();
  await store.clicktocalls.insert({
    id: gone,
    account_id: accountId,
    doc: { z: 1, a: 2 },
    revision: '1-g',
    now: NOW,
  });
  await store.clicktocalls.softDelete(gone, '1-g', '2-g', NOW);
  await store.clicktocalls.update(configId, '1-a', { name: 'S', b: [1, 2], a: { y: 1, x: 2 } }, '2-a', NOW);
  const callIds: string[] = [];
  for (let n = 1; n <= 3; n += 1) {
    const doc = { id: newId(), call_id: `c2c-${configId}-${n}`, status: 'originating', z: n, a: 'x' };
    callIds.push(doc.call_id);
    await store.history.insert(
      {
        account_id: accountId,
        clicktocall_id: configId,
        created_ms: 1000 * n,
        final: false,
        doc,
        state: { legs: [n] },
        ...(n === 1 && {
          status_callback: { url: 'https://crm.example/h', method: 'PUT' as const, events: ['completed'] },
        }),
      },
      [
        {
          event_id: `evt_${newId()}`,
          account_id: accountId,
          clicktocall_id: configId,
          call_id: doc.call_id,
          type: 'call.originating',
          occurred_ms: 1000 * n,
          url: 'https://crm.example/h',
          method: 'PUT',
          record: doc,
        },
      ],
    );
  }
  await store.history.update(
    { id: newId(), call_id: callIds[0]!, status: 'completed' },
    { s: 1 },
    true,
    5000,
  );
  const [first] = await store.outbox.list({ accountId, callId: callIds[1]! });
  await store.outbox.attempted(first!.event_id, { atMs: 6000, state: 'delivered', status: 204 });
  await store.outbox.stop(accountId, 'https://gone.example/h', 7000);
  await store.webhookSecrets.rotate(accountId, 'whsec_new', 8000, 9000);
  await store.webhookSecrets.ensure(child, 'whsec_child', 8000);
  const linkId = newId();
  await store.links.insert({
    id: linkId,
    account_id: accountId,
    clicktocall_id: configId,
    created_ms: 1,
    expires_ms: 9_000_000_000_000,
    max_calls: 10,
    calls: 0,
    calls_per_minute: 5,
    origins: ['https://shop.example'],
    contact_prefixes: ['+33'],
  });
  await store.links.claimCall(linkId, 2);
  await store.serviceKeys.ensure('links', 'key-1', 1);
  return { keyHash: 'a'.repeat(64), callIds, linkId };
}

/** What the repositories read of the filled store. */
async function view(store: Store, f: StoreFixture, rows: Awaited<ReturnType<typeof fill>>): Promise<unknown> {
  const { accountId, configId } = f;
  return {
    accounts: await store.accounts.list(),
    key: await store.auth.findKey(rows.keyHash),
    revoked: await store.auth.findKey('b'.repeat(64)),
    token: await store.auth.findToken('c'.repeat(64)),
    configs: await store.clicktocalls.list({ accountId }),
    config: await store.clicktocalls.get(configId, accountId),
    history: await store.history.list({ accountId, clicktocallId: configId }),
    open: await store.history.openPage(0, 100),
    byCallId: await Promise.all(rows.callIds.map((id) => store.history.byCallId(id))),
    outbox: await store.outbox.list({ accountId }),
    pending: await store.outbox.pending(),
    due: (await store.outbox.due(10_000, 100, [])).map((d) => [d.event_id, d.stopped]),
    secrets: await store.webhookSecrets.get(accountId),
    links: await store.links.list({ accountId, clicktocallId: configId }),
    serviceKey: await store.serviceKeys.ensure('links', 'key-2', 2),
  };
}

describe('cli copy-to-postgres: a SQLite store into an empty PostgreSQL one', function () {
  let url: string;
  let dir: string;
  let schema: PgSchema;
  const run = async (...argv: string[]) => {
    const out = { stdout: '', stderr: '' };
    const code = await runCli(
      argv,
      {},
      { stdout: (s) => (out.stdout += s), stderr: (s) => (out.stderr += s) },
    );
    return { code, ...out };
  };

  before(async function () {
    const found = await testPostgresUrl();
    if (found === undefined) {
      console.log(`      (copy-to-postgres tests skipped: ${postgresMissing()})`);
      this.skip();
    }
    // A password the URL carries (the test cluster trusts every local connection and ignores it).
    const withPassword = new URL(found);
    if (withPassword.password === '') withPassword.password = 'not-to-be-printed';
    url = withPassword.toString();
  });
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'c2c-copy-'));
    schema = freshPgSchema(url);
  });
  afterEach(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await schema.drop();
  });

  it('when copied, then every table comes over, the repositories read the same, and new rows take new seqs', async () => {
    const file = path.join(dir, 'c2c.db');
    const f = await withConfig(openSqliteStore({ file }), NOW);
    const rows = await fill(f);
    const before = await view(f.store, f, rows);
    await f.store.close();

    const r = await run('copy-to-postgres', '--from', file, '--to', url, '--schema', schema.name);
    expect(r.stderr).to.equal('');
    expect(r.code).to.equal(0);
    const password = new URL(url).password;
    expect(r.stdout).to.not.include(password);
    expect(r.stdout.trim().split('\n')).to.have.length(1);
    const shown = new URL(url);
    shown.password = '';
    expect(JSON.parse(r.stdout)).to.deep.equal({
      to: shown.toString(),
      tables: {
        accounts: 2,
        api_keys: 2,
        auth_tokens: 1,
        clicktocalls: 2,
        call_history: 3,
        webhook_outbox: 3,
        webhook_secrets: 2,
        webhook_stops: 1,
        clicktocall_links: 1,
        service_keys: 1,
      },
    });

    const pg = await schema.open();
    try {
      const after = await view(pg, { ...f, store: pg }, rows);
      expect(after).to.deep.equal(before);
      // Documents come back as written, key order included (the API shows them).
      expect(JSON.stringify((await pg.clicktocalls.get(f.configId, f.accountId))?.doc)).to.equal(
        '{"name":"S","b":[1,2],"a":{"y":1,"x":2}}',
      );
      const seqs = (await pg.clicktocalls.list({ accountId: f.accountId, ascending: true })).map(
        (c) => c.seq,
      );
      const fresh = newId();
      await pg.clicktocalls.insert({
        id: fresh,
        account_id: f.accountId,
        doc: {},
        revision: '1-n',
        now: NOW,
      });
      expect((await pg.clicktocalls.get(fresh, f.accountId))?.seq).to.be.above(Math.max(...seqs));
      await pg.auth.insertKey(f.accountId, 'd'.repeat(64), NOW);
      expect((await pg.auth.findKey('d'.repeat(64)))?.id).to.equal(3);
    } finally {
      await pg.close();
    }
  });

  it('when the target holds rows, then the copy is refused with a reason and writes nothing; bad arguments exit 2', async () => {
    const file = path.join(dir, 'c2c.db');
    const f = await withConfig(openSqliteStore({ file }), NOW);
    await f.store.close();
    const target = await schema.open();
    await withConfig(target, NOW);
    await target.close();
    const r = await run('copy-to-postgres', '--from', file, '--to', url, '--schema', schema.name);
    expect(r.code).to.equal(1);
    expect(r.stdout).to.equal('');
    expect(r.stderr).to.match(/not empty: accounts \(1 rows\), clicktocalls \(1 rows\)/);
    expect(r.stderr).to.not.include(new URL(url).password);
    const unchanged = await schema.open();
    expect(await unchanged.accounts.count()).to.equal(1);
    await unchanged.close();
    expect((await run('copy-to-postgres', '--from', file)).code).to.equal(2);
    expect((await run('copy-to-postgres', '--from', path.join(dir, 'none.db'), '--to', url)).stderr).to.match(
      /no SQLite store at/,
    );
  });
});
