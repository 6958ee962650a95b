import { expect } from 'chai';
import type { Request } from 'express';
import { tokenOf } from '../../src/http/auth';
import { harness, type Harness } from '../support/harness';

/** A request carrying only these headers (names in any case, as Express's req.get reads them). */
const requestWith = (headers: Record<string, string>): Request =>
  ({
    get: (name: string) => Object.entries(headers).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1],
  }) as unknown as Request;

describe('the token of a request (X-Auth-Token, else Authorization: Bearer)', () => {
  it('when read, then X-Auth-Token wins, trimmed; Bearer in any case with one token; anything else none', () => {
    const cases: Array<[Record<string, string>, string | undefined]> = [
      [{ 'X-Auth-Token': 'abc' }, 'abc'],
      [{ 'X-Auth-Token': '  abc  ' }, 'abc'],
      [{ 'X-Auth-Token': '   ' }, undefined],
      [{ 'X-Auth-Token': '' }, undefined],
      [{ 'X-Auth-Token': 'abc', Authorization: 'Bearer xyz' }, 'abc'],
      [{ 'X-Auth-Token': '', Authorization: 'Bearer xyz' }, undefined],
      [{ Authorization: 'Bearer xyz' }, 'xyz'],
      [{ Authorization: 'bearer xyz' }, 'xyz'],
      [{ Authorization: 'BEARER   xyz  ' }, 'xyz'],
      [{ Authorization: 'Bearer' }, undefined],
      [{ Authorization: 'Bearer ' }, undefined],
      [{ Authorization: 'Bearer x y' }, undefined],
      [{ Authorization: 'Basic xyz' }, undefined],
      [{ Authorization: 'xBearer xyz' }, undefined],
      [{ Authorization: 'Bearerxyz' }, undefined],
      [{}, undefined],
    ];
    for (const [headers, expected] of cases)
      expect(tokenOf(requestWith(headers)), JSON.stringify(headers)).to.equal(expected);
  });

  describe('over HTTP', () => {
    let h: Harness;
    beforeEach(() => {
      h = harness();
    });
    afterEach(() => h.close());

    it('when a lower-case bearer carries a valid token, then the request is served; with trailing text, 401', async () => {
      const acct = await h.account();
      await h.http
        .get(`/v2/accounts/${acct.id}/clicktocall`)
        .set('Authorization', `bearer ${acct.token}`)
        .expect(200);
      await h.http
        .get(`/v2/accounts/${acct.id}/clicktocall`)
        .set('Authorization', `Bearer ${acct.token} extra`)
        .expect(401);
    });
  });
});
