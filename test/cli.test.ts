import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { expect } from 'chai';
import { runCli } from '../src/cli';

describe('admin command line', () => {
  let dir: string;
  let env: Record<string, string>;
  const run = async (...argv: string[]) => {
    const out = { stdout: '', stderr: '' };
    const code = await runCli(argv, env, {
      stdout: (s) => (out.stdout += s),
      stderr: (s) => (out.stderr += s),
    });
    return { code, ...out };
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'c2c-cli-'));
    env = { DB_PATH: path.join(dir, 'c2c.db') };
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('accounts create prints one JSON object with id, name, realm and api_key', async () => {
    const r = await run('accounts', 'create', '--name', 'Acme', '--realm', 'acme.example.com');
    expect(r.code).to.equal(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).to.have.length(1);
    const acct = JSON.parse(lines[0] ?? '') as Record<string, string>;
    expect(acct).to.have.all.keys('id', 'name', 'realm', 'api_key');
    expect(acct).to.include({ name: 'Acme', realm: 'acme.example.com' });
    expect(acct['id']).to.match(/^[0-9a-f]{32}$/);
    expect(acct['api_key']).to.match(/^[0-9a-f]{64}$/);
  });

  it('accounts create with --parent and --context, and accounts list shows the tree', async () => {
    const parent = JSON.parse(
      (await run('accounts', 'create', '--name', 'Reseller', '--realm', 'r.example.com')).stdout,
    ) as { id: string };
    const child = await run(
      'accounts',
      'create',
      '--name',
      'Cust',
      '--realm',
      'c.example.com',
      '--parent',
      parent.id,
      '--context',
      'c2c',
    );
    expect(child.code).to.equal(0);
    const list = JSON.parse((await run('accounts', 'list')).stdout) as Array<Record<string, unknown>>;
    expect(list).to.have.length(2);
    expect(list[1]).to.include({ name: 'Cust', parent_id: parent.id, context: 'c2c' });
    expect(JSON.stringify(list)).to.not.include('api_key');
  });

  it('api-keys create prints a new key for the account; revoke turns it off', async () => {
    const acct = JSON.parse(
      (await run('accounts', 'create', '--name', 'A', '--realm', 'a.example.com')).stdout,
    ) as {
      id: string;
    };
    const r = await run('api-keys', 'create', '--account', acct.id);
    expect(r.code).to.equal(0);
    const { api_key } = JSON.parse(r.stdout) as { api_key: string };
    expect(api_key).to.match(/^[0-9a-f]{64}$/);
    expect(JSON.parse((await run('api-keys', 'revoke', '--key', api_key)).stdout)).to.deep.equal({
      revoked: true,
    });
    expect(JSON.parse((await run('api-keys', 'revoke', '--key', api_key)).stdout)).to.deep.equal({
      revoked: false,
    });
  });

  for (const [title, argv, code] of [
    ['a missing --realm', ['accounts', 'create', '--name', 'A'], 2],
    ['an unknown option', ['accounts', 'create', '--name', 'A', '--realm', 'a.b', '--color', 'red'], 2],
    ['an unknown command', ['accounts', 'destroy'], 2],
    [
      'an unknown parent',
      ['accounts', 'create', '--name', 'A', '--realm', 'a.b', '--parent', 'f'.repeat(32)],
      1,
    ],
    ['a bad realm', ['accounts', 'create', '--name', 'A', '--realm', 'not a realm'], 1],
    ['an unknown account for a key', ['api-keys', 'create', '--account', 'f'.repeat(32)], 1],
  ] as const) {
    it(`when given ${title}, then exit ${code}, nothing on stdout, a reason on stderr`, async () => {
      const r = await run(...argv);
      expect(r.code).to.equal(code);
      expect(r.stdout).to.equal('');
      expect(r.stderr).to.not.equal('');
    });
  }

  it('accounts create --allow-sip gives an account that may dial SIP URIs (the flag was parsed and then dropped)', async () => {
    expect(
      (await run('accounts', 'create', '--name', 'S', '--realm', 's.example.com', '--allow-sip')).code,
    ).to.equal(0);
    expect((await run('accounts', 'create', '--name', 'P', '--realm', 'p.example.com')).code).to.equal(0);
    const list = JSON.parse((await run('accounts', 'list')).stdout) as Array<Record<string, unknown>>;
    expect(list.map((a) => [a['name'], a['allow_sip_uri']])).to.deep.equal([
      ['S', true],
      ['P', false],
    ]);
  });

  it('runs as `npm run --silent cli -- …` does: one JSON line on stdout', () => {
    const out = execFileSync(
      process.execPath,
      [
        path.resolve(__dirname, '../src/cli.js'),
        'accounts',
        'create',
        '--name',
        'N',
        '--realm',
        'n.example.com',
      ],
      {
        env: { ...process.env, ...env },
        encoding: 'utf8',
      },
    );
    expect(Object.keys(JSON.parse(out) as object)).to.deep.equal(['id', 'name', 'realm', 'api_key']);
  });
});
