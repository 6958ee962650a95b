import { expect } from 'chai';
import { hashSecret } from '../../src/ids';
import { harness, type Harness } from '../support/harness';

/**
 * The account service at its edges (the authorization module of the mutation runs): the bounds of names, realms,
 * contexts and secrets, the exact moment a token expires, the tree, and what bootstrap does twice.
 */
describe('accounts: the edges of names, secrets, expiry and the tree', () => {
  let h: Harness;
  beforeEach(() => {
    h = harness({ tokenTtlS: 60 });
  });
  afterEach(() => h.close());

  const refusal = async (promise: Promise<unknown>): Promise<{ status?: number; data?: unknown }> => {
    try {
      await promise;
    } catch (err) {
      return err as { status?: number; data?: unknown };
    }
    return expect.fail('expected a refusal');
  };

  it('when a name is 1 or 128 printable characters, then it is taken; empty, 129 or with a control character, then 400 on name', async () => {
    const { accounts } = h.services;
    for (const name of ['A', 'n'.repeat(128), 'Café Ω'])
      await accounts.createAccount({ name, realm: 'a.example' });
    for (const name of ['', 'n'.repeat(129), 'a\u0000b', 'a\nb', 'tab\there', 'del\u007f'])
      expect(
        (await refusal(accounts.createAccount({ name, realm: 'a.example' }))).status,
        JSON.stringify(name),
      ).to.equal(400);
  });

  it('when a realm is a host name, then it is taken; otherwise 400 on realm', async () => {
    const { accounts } = h.services;
    for (const realm of ['a', 'a.b', 'x-1.example.com', `${'a'.repeat(63)}.example`, 'A9.EXAMPLE'])
      await accounts.createAccount({ name: 'ok', realm });
    for (const realm of [
      '',
      '-a.example',
      'a-.example',
      'a..b',
      'a.example.',
      'a_b.example',
      'a b',
      `${'a.'.repeat(127)}ab`,
    ])
      expect((await refusal(accounts.createAccount({ name: 'x', realm }))).status, realm).to.equal(400);
  });

  it('when a context is 1–64 of the dialplan characters, then it is taken; otherwise 400 on context', async () => {
    const { accounts } = h.services;
    for (const context of ['c', 'from-c2c_1.+*#-', 'c'.repeat(64)])
      await accounts.createAccount({ name: 'ok', realm: 'a.example', context });
    for (const context of ['', 'c'.repeat(65), 'has space', 'semi;colon', 'a/b'])
      expect(
        (await refusal(accounts.createAccount({ name: 'x', realm: 'a.example', context }))).status,
        context,
      ).to.equal(400);
  });

  it('when a name, realm or context is refused, then the error names the field, the rule and why', async () => {
    const { accounts } = h.services;
    const cases: Array<[Record<string, string>, string, string]> = [
      [{ name: '' }, 'name', 'must be 1 to 128 printable characters'],
      [{ realm: 'a b' }, 'realm', 'must be a host name'],
      [{ context: 'a/b' }, 'context', 'must be 1 to 64 of [0-9A-Za-z_.+*#-]'],
    ];
    for (const [input, field, message] of cases) {
      const err = await refusal(accounts.createAccount({ name: 'ok', realm: 'a.example', ...input }));
      expect(err.data, field).to.deep.equal({ [field]: { invalid: { message } } });
    }
  });

  it('when the parent is unknown or not an id, then 404; a known parent makes a child inside its tree and not the reverse', async () => {
    const { accounts } = h.services;
    expect(
      (await refusal(accounts.createAccount({ name: 'x', realm: 'a.example', parentId: 'f'.repeat(32) })))
        .status,
    ).to.equal(404);
    expect(
      (await refusal(accounts.createAccount({ name: 'x', realm: 'a.example', parentId: 'nope' }))).status,
    ).to.equal(404);
    const parent = await accounts.createAccount({ name: 'p', realm: 'p.example' });
    const child = await accounts.createAccount({ name: 'c', realm: 'c.example', parentId: parent.id });
    expect((await accounts.getAccount(child.id))?.parent_id).to.equal(parent.id);
    expect((await accounts.authorize(parent.id, child.id)).id).to.equal(child.id);
    expect((await refusal(accounts.authorize(child.id, parent.id))).status).to.equal(403);
    expect((await refusal(accounts.authorize(parent.id, 'f'.repeat(32)))).status).to.equal(404);
  });

  it('when a token reaches its expiry to the millisecond, then it stops; a millisecond before, it works', async () => {
    const { accounts } = h.services;
    const created = await accounts.createAccount({ name: 'x', realm: 'a.example' });
    const { token, expiresAt } = await accounts.issueToken(created.api_key);
    expect(expiresAt.getTime() - h.clock.now.getTime()).to.equal(60_000);
    h.clock.now = new Date(expiresAt.getTime() - 1);
    expect(await accounts.authenticate(token)).to.equal(created.id);
    h.clock.now = new Date(expiresAt.getTime());
    expect((await refusal(accounts.authenticate(token))).status).to.equal(401);
  });

  it('when tokens expire, then the next issue removes them from the store', async () => {
    const { accounts } = h.services;
    const created = await accounts.createAccount({ name: 'x', realm: 'a.example' });
    const old = await accounts.issueToken(created.api_key);
    h.clock.now = new Date(old.expiresAt.getTime() + 1);
    expect(await h.store.auth.findToken(hashSecret(old.token))).to.not.equal(undefined);
    await accounts.issueToken(created.api_key);
    expect(await h.store.auth.findToken(hashSecret(old.token))).to.equal(undefined);
  });

  it('when an API key or token is empty, over 256 characters or not a string, then 401', async () => {
    const { accounts } = h.services;
    for (const key of ['', 'k'.repeat(257), 42, null, undefined, { key: 'x' }])
      expect((await refusal(accounts.issueToken(key))).status, JSON.stringify(key)).to.equal(401);
    for (const token of ['', 't'.repeat(257), 't'.repeat(256)])
      expect((await refusal(accounts.authenticate(token))).status).to.equal(401);
  });

  it('when a second API key is made, then both work until one is revoked; an unknown account gets none', async () => {
    const { accounts } = h.services;
    const created = await accounts.createAccount({ name: 'x', realm: 'a.example' });
    const second = await accounts.createApiKey(created.id);
    expect(second).to.match(/^[0-9a-f]{64}$/);
    expect((await accounts.issueToken(second)).accountId).to.equal(created.id);
    expect(await accounts.revokeApiKey(second)).to.equal(true);
    expect(await accounts.revokeApiKey(second)).to.equal(false);
    expect((await refusal(accounts.issueToken(second))).status).to.equal(401);
    expect((await accounts.issueToken(created.api_key)).accountId).to.equal(created.id);
    expect((await refusal(accounts.createApiKey('f'.repeat(32)))).status).to.equal(404);
  });

  it('when bootstrap runs on an empty store, then it makes one account; on a store with one, nothing', async () => {
    const { accounts } = h.services;
    const first = await accounts.bootstrap();
    expect(first).to.include({ name: 'Default account', realm: 'localhost' });
    expect(await accounts.bootstrap()).to.equal(undefined);
    expect((await accounts.listAccounts()).map((a) => a.id)).to.deep.equal([first!.id]);
    expect(await accounts.listAccounts()).to.satisfy((list: object[]) =>
      list.every((a) => !('created_at' in a)),
    );
    expect(await accounts.getAccount('not-an-id')).to.equal(undefined);
  });
});
