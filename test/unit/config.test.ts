import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../src/config';

/** An environment file's `KEY=value` lines (comments and blanks skipped), as systemd reads them. */
const envFile = (file: string): Record<string, string> =>
  Object.fromEntries(
    fs
      .readFileSync(path.resolve(__dirname, '..', '..', '..', file), 'utf8')
      .split('\n')
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );

describe('loadConfig', () => {
  it('when nothing is set, then the embedded defaults of the README Configuration table', () => {
    expect(loadConfig({})).to.deep.equal({
      port: 8000,
      host: '127.0.0.1',
      dbPath: './data/clicktocall.db',
      switches: [{ name: 'default', host: '127.0.0.1', port: 8021, password: 'ClueCon', weight: 1 }],
      eslHost: '127.0.0.1',
      eslPort: 8021,
      eslPassword: 'ClueCon',
      dialplanContext: 'default',
      mediaLocation: '/var/lib/fs-clicktocall/media/{account_id}/{media_id}.wav',
      logLevel: 'info',
      tokenTtlS: 3600,
      trustProxy: false,
      anonConnectsPerMinute: 10,
      webhooks: { allowPrivateNetworks: false, timeoutMs: 10000, concurrency: 16, perDestination: 4 },
    });
  });

  it('when SWITCHES lists switches, then each is read with its defaults (port 8021, weight 1, ESL_PASSWORD)', () => {
    const c = loadConfig({
      ESL_PASSWORD: 'shared-secret',
      SWITCHES: JSON.stringify([
        { name: 'fs1', host: '10.0.0.11', weight: 3 },
        { name: 'fs2', host: '10.0.0.12', port: 8022, password: 'own-secret' },
      ]),
    });
    expect(c.switches).to.deep.equal([
      { name: 'fs1', host: '10.0.0.11', port: 8021, password: 'shared-secret', weight: 3 },
      { name: 'fs2', host: '10.0.0.12', port: 8022, password: 'own-secret', weight: 1 },
    ]);
  });

  it('when SWITCHES is not a valid list, then the problem is named without showing a password', () => {
    const bad = [
      ['not json', /SWITCHES must be a JSON list/],
      ['[]', /SWITCHES must NOT have fewer than 1 items/],
      [JSON.stringify([{ name: 'fs1' }]), /SWITCHES\/0 must have required property 'host'/],
      [JSON.stringify([{ name: 'a b', host: 'h' }]), /SWITCHES\/0\/name must match/],
      [JSON.stringify([{ name: 'a', host: 'h', weight: 0 }]), /SWITCHES\/0\/weight must be >= 1/],
      [
        JSON.stringify([{ name: 'a', host: 'h', password: 'has space-pw' }]),
        /SWITCHES\/0\/password must match/,
      ],
      [
        JSON.stringify([
          { name: 'a', host: 'h' },
          { name: 'a', host: 'i' },
        ]),
        /names two switches alike/,
      ],
    ] as const;
    for (const [value, message] of bad) {
      let error: unknown;
      try {
        loadConfig({ SWITCHES: value });
      } catch (e) {
        error = e;
      }
      expect(error, value).to.be.instanceOf(ConfigError);
      expect((error as Error).message, value)
        .to.match(message)
        .and.not.include('pw');
    }
  });

  it('the deploy examples are valid configurations: one switch with SQLite, and two instances with two switches', () => {
    const single = loadConfig(envFile('deploy/fs-clicktocall.env.example'));
    expect(single.databaseUrl).to.equal(undefined);
    expect(single.switches.map((s) => s.name)).to.deep.equal(['default']);
    const cluster = loadConfig(envFile('deploy/cluster/fs-clicktocall.env.example'));
    expect(cluster.databaseUrl).to.match(/^postgres:\/\//);
    expect(cluster.switches.map((s) => [s.name, s.weight])).to.deep.equal([
      ['fs1', 2],
      ['fs2', 1],
    ]);
  });

  it('when DATABASE_URL names PostgreSQL, then it is kept, and a problem with it never shows it', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://c2c:secret@db:5432/c2c' }).databaseUrl).to.equal(
      'postgres://c2c:secret@db:5432/c2c',
    );
    expect(() => loadConfig({ DATABASE_URL: 'mysql://u:secret@db/c2c' }))
      .to.throw(ConfigError, /DATABASE_URL must match/)
      .with.property('message')
      .that.does.not.include('secret');
  });

  it('when MEDIA_LOCATION is set, then it is used if it names {media_id} and fills into a path or URI', () => {
    expect(loadConfig({ MEDIA_LOCATION: 'http_cache://http://media.example/{account_id}/{media_id}.mp3' }))
      .to.have.property('mediaLocation')
      .that.equals('http_cache://http://media.example/{account_id}/{media_id}.mp3');
    for (const bad of [
      '/var/media/moh.wav',
      'relative/{media_id}.wav',
      '/m/{media_id}${x}',
      '/m/{other}/{media_id}',
    ])
      expect(() => loadConfig({ MEDIA_LOCATION: bad }), bad).to.throw(ConfigError, /MEDIA_LOCATION/);
  });

  it('when the webhook settings are set, then they are read and coerced', () => {
    const c = loadConfig({
      WEBHOOKS_ALLOW_PRIVATE_NETWORKS: 'true',
      WEBHOOKS_TIMEOUT_MS: '2500',
      WEBHOOKS_CONCURRENCY: '32',
      WEBHOOKS_PER_DESTINATION: '2',
    });
    expect(c.webhooks).to.deep.equal({
      allowPrivateNetworks: true,
      timeoutMs: 2500,
      concurrency: 32,
      perDestination: 2,
    });
    expect(() => loadConfig({ WEBHOOKS_ALLOW_PRIVATE_NETWORKS: 'maybe' })).to.throw(
      ConfigError,
      /WEBHOOKS_ALLOW_PRIVATE_NETWORKS/,
    );
  });

  it('when variables are set, then they are read and coerced; empty ones count as unset', () => {
    const c = loadConfig({
      PORT: '9000',
      ESL_PORT: '8022',
      LOG_LEVEL: 'debug',
      HOST: '',
      DIALPLAN_CONTEXT: 'c2c',
    });
    expect(c).to.include({
      port: 9000,
      eslPort: 8022,
      logLevel: 'debug',
      host: '127.0.0.1',
      dialplanContext: 'c2c',
    });
  });

  it('when several are invalid, then one error lists every problem', () => {
    try {
      loadConfig({ PORT: 'eighty', ESL_PORT: '70000', LOG_LEVEL: 'loud', DIALPLAN_CONTEXT: 'a b' });
      expect.fail('loadConfig accepted an invalid environment');
    } catch (e) {
      expect(e).to.be.instanceOf(ConfigError);
      const { problems } = e as ConfigError;
      expect(problems).to.have.length(4);
      for (const name of ['PORT', 'ESL_PORT', 'LOG_LEVEL', 'DIALPLAN_CONTEXT'])
        expect(problems.some((p) => p.startsWith(name))).to.equal(true, name);
    }
  });

  it('when the ESL password is invalid, then the message does not show it', () => {
    expect(() => loadConfig({ ESL_PASSWORD: 'has blank secret' }))
      .to.throw(ConfigError, /ESL_PASSWORD/)
      .with.property('message')
      .that.does.not.include('secret');
  });

  it('when TRUST_PROXY lists proxies, then they are the only ones trusted', () => {
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy).to.deep.equal([
      'loopback',
      '10.0.0.0/8',
    ]);
    expect(() => loadConfig({ TRUST_PROXY: 'evil;rm' })).to.throw(ConfigError, /TRUST_PROXY/);
  });

  it('the result is frozen', () => {
    expect(Object.isFrozen(loadConfig({}))).to.equal(true);
  });
});
