import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../src/config';

describe('loadConfig: METRICS_TOKEN', () => {
  it('when unset or empty, then there is no metrics token', () => {
    expect(loadConfig({}).metricsToken).to.equal(undefined);
    expect(loadConfig({ METRICS_TOKEN: '' }).metricsToken).to.equal(undefined);
  });

  it('when set, then it is read as is', () => {
    expect(loadConfig({ METRICS_TOKEN: 'a'.repeat(16) }).metricsToken).to.equal('a'.repeat(16));
  });

  it('when invalid, then it is listed with every other problem, its value never shown', () => {
    for (const token of ['short-secret', 'has a blank in the secret', 'x'.repeat(257)]) {
      try {
        loadConfig({ METRICS_TOKEN: token, PORT: 'nope' });
        expect.fail('should have thrown');
      } catch (e) {
        const err = e as ConfigError;
        expect(err).to.be.instanceOf(ConfigError);
        expect(err.problems).to.have.length(2);
        expect(err.message)
          .to.match(/METRICS_TOKEN/)
          .and.match(/PORT/);
        expect(err.message).not.to.include(token);
      }
    }
  });
});

describe('loadConfig: PUBLIC_URL', () => {
  it('when unset, then the snippet uses the address each request came to; when set, it is read as is', () => {
    expect(loadConfig({}).publicUrl).to.equal(undefined);
    expect(loadConfig({ PUBLIC_URL: '' }).publicUrl).to.equal(undefined);
    expect(loadConfig({ PUBLIC_URL: 'https://c2c.example:8443' }).publicUrl).to.equal(
      'https://c2c.example:8443',
    );
  });

  it('when it is not a bare http(s) address, then the start is refused', () => {
    for (const url of [
      'ftp://c2c.example',
      'https://c2c.example/',
      'https://c2c.example/path',
      'c2c.example',
    ]) {
      expect(() => loadConfig({ PUBLIC_URL: url }), url)
        .to.throw(ConfigError)
        .with.property('message')
        .that.matches(/PUBLIC_URL/);
    }
  });
});
