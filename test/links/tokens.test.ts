import crypto from 'node:crypto';
import { expect } from 'chai';
import {
  linkOfToken,
  signLinkToken,
  signStatusToken,
  verifyLinkToken,
  verifyStatusToken,
} from '../../src/links/tokens';

const KEY = new Uint8Array(crypto.randomBytes(32));
const OTHER_KEY = new Uint8Array(crypto.randomBytes(32));
const NOW = Date.parse('2026-12-05T12:00:00Z');
const LINK_ID = 'a'.repeat(32);
const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('public link tokens (docs/links.md#tokens)', () => {
  it('when a link token is fresh, then it names its link; at its expiry it is expired', async () => {
    const token = await signLinkToken(KEY, LINK_ID, NOW + 60_000);
    expect(await verifyLinkToken(KEY, token, NOW)).to.deep.equal({ ok: true, value: LINK_ID });
    expect(await verifyLinkToken(KEY, token, NOW + 60_000)).to.deep.equal({ ok: false, reason: 'expired' });
    expect(await linkOfToken(KEY, token)).to.equal(LINK_ID);
  });

  it('when a token is signed with another key, altered, unsigned (alg none) or of the other kind, then it is invalid', async () => {
    const foreign = await signLinkToken(OTHER_KEY, LINK_ID, NOW + 60_000);
    const status = await signStatusToken(KEY, 'b'.repeat(32), LINK_ID, NOW + 60_000);
    const good = await signLinkToken(KEY, LINK_ID, NOW + 60_000);
    const [header, , signature] = good.split('.');
    const altered = `${header!}.${b64({ sub: 'c'.repeat(32), aud: 'c2c-link', exp: NOW / 1000 + 60 })}.${signature!}`;
    const unsigned = `${b64({ alg: 'none' })}.${b64({ sub: LINK_ID, aud: 'c2c-link', exp: NOW / 1000 + 60 })}.`;
    // A token some other service signed with RS256 and its public key: not HS256, so never checked with our key.
    const otherAlg = `${b64({ alg: 'RS256' })}.${good.split('.')[1]!}.${signature!}`;
    for (const token of [foreign, status, altered, unsigned, otherAlg, '', 'x.y.z', `${good}x`]) {
      expect(await verifyLinkToken(KEY, token, NOW), token).to.deep.equal({ ok: false, reason: 'invalid' });
      expect(await linkOfToken(KEY, token), token).to.equal(undefined);
    }
    expect(await verifyStatusToken(KEY, good, NOW)).to.deep.equal({ ok: false, reason: 'invalid' });
  });

  it('when a status token is fresh, then it names one record and its link, and nothing after its time', async () => {
    const token = await signStatusToken(KEY, 'b'.repeat(32), LINK_ID, NOW + 1000);
    expect(await verifyStatusToken(KEY, token, NOW)).to.deep.equal({
      ok: true,
      value: { recordId: 'b'.repeat(32), linkId: LINK_ID },
    });
    expect(await verifyStatusToken(KEY, token, NOW + 1000)).to.deep.equal({ ok: false, reason: 'expired' });
    expect(await verifyStatusToken(OTHER_KEY, token, NOW)).to.deep.equal({ ok: false, reason: 'invalid' });
  });
});
