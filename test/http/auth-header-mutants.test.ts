import { expect } from 'chai';
import type { Request } from 'express';
import { AppError } from '../../src/errors';
import { tokenOf } from '../../src/http/auth';
import { harness, type Harness } from '../support/harness';

/** A request carrying only these headers (names in any case, as Express's req.get reads them), query and body. */
const requestWith = (
  headers: Record<string, string>,
  query: Record<string, unknown> = {},
  body?: unknown,
): Request =>
  ({
    get: (name: string) => Object.entries(headers).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1],
    query,
    body,
  }) as unknown as Request;

describe('the token of a request (X-Auth-Token, else auth_token in the query or body, else Authorization: Bearer)', () => {
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

  it("when auth_token is in the query or the body, then it is read in crossbar's order: header, query, body, bearer", () => {
    const bearer = { Authorization: 'Bearer xyz' };
    const cases: Array<[Record<string, string>, Record<string, unknown>, unknown, string | undefined]> = [
      [{}, { auth_token: 'q' }, undefined, 'q'],
      [{}, { auth_token: '  q ' }, undefined, 'q'],
      [{}, {}, { auth_token: 'b' }, 'b'],
      [{}, { auth_token: 'q' }, { auth_token: 'b' }, 'q'],
      [{ 'X-Auth-Token': 'h' }, { auth_token: 'q' }, { auth_token: 'b' }, 'h'],
      [bearer, { auth_token: 'q' }, undefined, 'q'],
      [bearer, {}, { auth_token: 'b' }, 'b'],
      [bearer, { auth_token: '' }, { auth_token: '' }, 'xyz'],
      [{}, {}, { data: { auth_token: 'inside' } }, undefined],
      [{}, {}, ['auth_token'], undefined],
      [{}, {}, 'auth_token=b', undefined],
    ];
    for (const [headers, query, body, expected] of cases)
      expect(tokenOf(requestWith(headers, query, body)), JSON.stringify([headers, query, body])).to.equal(
        expected,
      );
  });

  it('when auth_token is not one string (repeated, a number, an object), then it is refused, never ignored', () => {
    for (const [query, body] of [
      [{ auth_token: ['a', 'b'] }, undefined],
      [{}, { auth_token: 42 }],
      [{}, { auth_token: { t: 'x' } }],
      [{}, { auth_token: null }],
    ] as Array<[Record<string, unknown>, unknown]>)
      expect(() => tokenOf(requestWith({}, query, body)), JSON.stringify([query, body]))
        .to.throw(AppError)
        .with.property('code', 'invalid_credentials');
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
