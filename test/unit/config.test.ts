import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../src/config';

describe('loadConfig', () => {
  it('when nothing is set, then the embedded defaults of the README Configuration table', () => {
    expect(loadConfig({})).to.deep.equal({
      port: 8000,
      host: '127.0.0.1',
      dbPath: './data/clicktocall.db',
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
