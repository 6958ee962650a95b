import { expect } from 'chai';
import { insertFinishedCall } from '../support/store-fixture';
import { GREGORIAN_UNIX_OFFSET_S } from '../../src/calls/time';
import { newId } from '../../src/ids';
import { harness, type Harness } from '../support/harness';

/**
 * Kazoo's crossbar filters on both lists (README, List and History): each kind on the document as the API returns
 * it, dotted keys into nested objects, JSON lists and strings, negation, key presence, time bounds, and the bounds
 * on the filters themselves.
 */
const T = Date.parse('2026-11-01T00:00:00Z');
const HOUR = 3600_000;
const gregorian = (ms: number): string => String(Math.floor(ms / 1000) + GREGORIAN_UNIX_OFFSET_S);
type Query = Record<string, string>;

describe('crossbar filters: GET …/clicktocall', () => {
  let h: Harness;
  let acct: Awaited<ReturnType<Harness['account']>>;
  let base: string;
  const ids: Record<string, string> = {};

  /** Created an hour apart, a first; stored as they are, so each shape of value is there exactly. */
  const DOCS: Array<[string, Record<string, unknown>]> = [
    [
      'a',
      {
        name: 'Sales',
        extension: '2600',
        auth_required: false,
        timeout: 20,
        media: { ignore_early_media: false },
        whitelist: ['^\\+1'],
        custom_application_vars: { lead: '42' },
        note: 'vip',
      },
    ],
    [
      'b',
      {
        name: 'Support',
        extension: '2601',
        auth_required: true,
        timeout: 30,
        media: { ignore_early_media: true },
        whitelist: [],
        custom_application_vars: {},
        note: '',
      },
    ],
    [
      'c',
      {
        name: 'Sales',
        extension: '2602',
        auth_required: true,
        custom_application_vars: {},
        note: null,
        caller_id_number: '2602',
      },
    ],
    ['d', { name: 'Billing', extension: '2600', auth_required: true, custom_application_vars: {} }],
  ];

  beforeEach(async () => {
    h = harness();
    acct = await h.account();
    base = `/v2/accounts/${acct.id}/clicktocall`;
    for (const [i, [key, doc]] of DOCS.entries()) {
      const id = newId();
      ids[key] = id;
      await h.store.clicktocalls.insert({
        id,
        account_id: acct.id,
        doc,
        revision: '1-a',
        now: new Date(T + i * HOUR).toISOString(),
      });
    }
  });
  afterEach(() => h.close());

  const list = (query: Query) => h.http.get(base).query(query).set('X-Auth-Token', acct.token);
  /** The letters of the configurations listed, in the order listed. */
  async function listed(query: Query): Promise<string[]> {
    const res = await list(query);
    expect(res.status, `${JSON.stringify(query)}: ${JSON.stringify(res.body.data)}`).to.equal(200);
    return (res.body.data as Array<{ id: string }>).map(
      (d) => Object.keys(ids).find((k) => ids[k] === d.id) ?? d.id,
    );
  }
  async function expectListed(cases: Array<[Query, string[]]>): Promise<void> {
    for (const [query, expected] of cases)
      expect(await listed(query), JSON.stringify(query)).to.deep.equal(expected);
  }

  it('when filter_ names a dotted key, then the nested value is compared, booleans and numbers written out', async () => {
    await expectListed([
      [{ 'filter_media.ignore_early_media': 'false' }, ['a']],
      [{ 'filter_media.ignore_early_media': 'true' }, ['b']],
      [{ filter_auth_required: 'false' }, ['a']],
      [{ filter_timeout: '20' }, ['a']],
      [{ 'filter_custom_application_vars.lead': '42' }, ['a']],
      [{ filter_id: ids['b']! }, ['b']],
    ]);
  });

  it('when the value is a JSON list, then a member matches; its members are compared as strings, exactly', async () => {
    await expectListed([
      [{ filter_extension: '["2600","2601"]' }, ['d', 'b', 'a']],
      [{ filter_extension: '["2602"]' }, ['c']],
      [{ filter_extension: '[2600]' }, []],
      [{ filter_timeout: '["20","30"]' }, ['b', 'a']],
      [{ filter_extension: '[]' }, []],
    ]);
  });

  it('when the value is a JSON string, then it matches as the string it holds', async () => {
    await expectListed([
      [{ filter_name: '"Sales"' }, ['c', 'a']],
      [{ filter_name: 'Sales' }, ['c', 'a']],
      [{ filter_name: '"Sal"' }, []],
      [{ filter_name: 'sales' }, []],
    ]);
  });

  it('when filter_not_, then exactly the others, those without the key included', async () => {
    await expectListed([
      [{ filter_not_name: 'Sales' }, ['d', 'b']],
      [{ filter_not_extension: '["2600","2601"]' }, ['c']],
      [{ 'filter_not_media.ignore_early_media': 'false' }, ['d', 'c', 'b']],
      [{ filter_not_nobody_has_this: 'x' }, ['d', 'c', 'b', 'a']],
    ]);
  });

  it('when a key is missing, then it reads as ""; null as "null"; an object or array equals nothing', async () => {
    await expectListed([
      [{ filter_caller_id_number: '' }, ['d', 'b', 'a']],
      [{ filter_note: '' }, ['d', 'b']],
      [{ filter_note: 'null' }, ['c']],
      [{ filter_media: '{"ignore_early_media":false}' }, []],
      [{ filter_not_media: '{"ignore_early_media":false}' }, ['d', 'c', 'b', 'a']],
      [{ filter_whitelist: '[]' }, []],
      [{ filter_nobody_has_this: 'x' }, []],
    ]);
  });

  it('when has_key, key_missing or has_value, then present, absent, empty and null values are told apart', async () => {
    await expectListed([
      // note: a 'vip', b "", c null, d absent
      [{ has_key: 'note' }, ['c', 'b', 'a']],
      [{ key_missing: 'note' }, ['d']],
      [{ has_value: 'note' }, ['a']],
      // whitelist: a one pattern, b [], c and d absent; custom_application_vars: a one key, the others {}
      [{ has_key: 'whitelist' }, ['b', 'a']],
      [{ has_value: 'whitelist' }, ['a']],
      [{ has_value: 'custom_application_vars' }, ['a']],
      [{ has_key: 'custom_application_vars' }, ['d', 'c', 'b', 'a']],
      // false is a value; dotted keys reach into objects
      [{ has_key: 'media.ignore_early_media' }, ['b', 'a']],
      [{ has_value: 'media.ignore_early_media' }, ['b', 'a']],
      [{ key_missing: 'media.ignore_early_media' }, ['d', 'c']],
      [{ has_key: 'media.ignore_early_media.deeper' }, []],
    ]);
  });

  it('when a filter names a key of the stored row or of every object, then only the document as returned counts', async () => {
    await expectListed([
      [{ has_key: 'id' }, ['d', 'c', 'b', 'a']],
      [{ has_key: 'account_id' }, []],
      [{ has_key: 'created_at' }, []],
      [{ has_key: 'constructor' }, []],
      [{ has_key: '__proto__' }, []],
      [{ has_value: 'toString' }, []],
      [{ key_missing: 'constructor' }, ['d', 'c', 'b', 'a']],
      [{ filter_constructor: '' }, ['d', 'c', 'b', 'a']],
    ]);
  });

  it('when created_ and modified_ bounds are given (Gregorian seconds, inclusive), then the creation and the last change', async () => {
    const changed = { ...DOCS[1]![1], note: 'changed' };
    expect(
      await h.store.clicktocalls.update(
        ids['b']!,
        '1-a',
        changed,
        '2-b',
        new Date(T + 10 * HOUR).toISOString(),
      ),
    ).to.equal(true);
    await expectListed([
      [{ created_from: gregorian(T + HOUR), created_to: gregorian(T + 2 * HOUR) }, ['c', 'b']],
      [{ created_to: gregorian(T) }, ['a']],
      [{ created_to: gregorian(T - 1000) }, []],
      [{ created_from: gregorian(T + 3 * HOUR) }, ['d']],
      [{ created_from: gregorian(T + 3 * HOUR + 1000) }, []],
      // an inverted window on this list matches nothing (crossbar's filters do not refuse it)
      [{ created_from: gregorian(T + 2 * HOUR), created_to: gregorian(T + HOUR) }, []],
      [{ modified_from: gregorian(T + 10 * HOUR) }, ['b']],
      [{ modified_to: gregorian(T + 3 * HOUR) }, ['d', 'c', 'a']],
      [{ modified_from: gregorian(T + HOUR), modified_to: gregorian(T + 2 * HOUR) }, ['c']],
    ]);
  });

  it('when several filters are given, then all must match', async () => {
    await expectListed([
      [{ filter_name: 'Sales', has_value: 'note' }, ['a']],
      [{ filter_name: 'Sales', created_from: gregorian(T + HOUR) }, ['c']],
      [{ filter_extension: '2600', filter_not_auth_required: 'false' }, ['d']],
      [{ filter_name: 'Sales', filter_not_name: 'Sales' }, []],
    ]);
  });

  it('when the filters are at their bounds, then taken; past them, malformed or repeated, then 400 in the Kazoo shape', async () => {
    const twenty = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`filter_not_k${i}`, 'x']));
    expect(await listed(twenty)).to.have.length(4);
    expect(await listed({ [`filter_${'k'.repeat(256)}`]: 'v'.repeat(1024) })).to.deep.equal([]);
    expect(await listed({ has_key: 'k'.repeat(256) })).to.deep.equal([]);
    const refused: Array<[string, string, string]> = [
      [`${base}?${new URLSearchParams({ ...twenty, has_key: 'note' }).toString()}`, 'filters', 'maxItems'],
      [`${base}?filter_${'k'.repeat(257)}=v`, `filter_${'k'.repeat(57)}…`, 'maxLength'],
      [`${base}?filter_name=${'v'.repeat(1025)}`, 'filter_name', 'maxLength'],
      [`${base}?has_value=${'k'.repeat(257)}`, 'has_value', 'maxLength'],
      [`${base}?has_key=`, 'has_key', 'minLength'],
      [`${base}?filter_=x`, 'filter_', 'minLength'],
      [`${base}?filter_not_=x`, 'filter_not_', 'minLength'],
      [`${base}?filter_name=a&filter_name=b`, 'filter_name', 'type'],
      [`${base}?has_key=a&has_key=b`, 'has_key', 'type'],
      [`${base}?created_from=yesterday`, 'created_from', 'type'],
      [`${base}?modified_to=-1`, 'modified_to', 'type'],
      [`${base}?ascending=yes`, 'ascending', 'type'],
      [`${base}?ascending=true&descending=true`, 'ascending', 'invalid'],
    ];
    for (const [url, field, rule] of refused) {
      const res = await h.http.get(url).set('X-Auth-Token', acct.token);
      expect(res.status, url.slice(0, 120)).to.equal(400);
      expect(res.body).to.include({ status: 'error', error: '400', message: 'validation error' });
      const details = res.body.data as Record<string, Record<string, { message: string }>>;
      expect(details[field]?.[rule]?.message, `${url.slice(0, 120)}: ${JSON.stringify(details)}`).to.be.a(
        'string',
      );
    }
  });

  it('when ascending=true, then oldest first; descending=true or neither, newest first', async () => {
    await expectListed([
      [{ ascending: 'true' }, ['a', 'b', 'c', 'd']],
      [{ ascending: 'true', filter_name: 'Sales' }, ['a', 'c']],
      [{ descending: 'true' }, ['d', 'c', 'b', 'a']],
      [{ ascending: 'false' }, ['d', 'c', 'b', 'a']],
      [{}, ['d', 'c', 'b', 'a']],
    ]);
  });
});

describe('crossbar filters: GET …/clicktocall/{ID}/history', () => {
  let h: Harness;
  let acct: Awaited<ReturnType<Harness['account']>>;
  let url: string;
  const docs: Array<Record<string, unknown> & { id: string; call_id: string; status: string }> = [];

  /** r0..r3, an hour apart from T, r0 oldest. */
  const RECORDS: Array<Record<string, unknown>> = [
    {
      result: 'success',
      status: 'completed',
      legs: { first: { hangup_cause: 'NORMAL_CLEARING' } },
      custom_application_vars: { lead: '1' },
      talk_s: 5,
    },
    {
      result: 'error',
      cause: 'USER_BUSY',
      status: 'busy',
      legs: { first: { hangup_cause: 'USER_BUSY' } },
      custom_application_vars: {},
      talk_s: 0,
    },
    { status: 'originating', custom_application_vars: {}, link_id: '' },
    {
      result: 'error',
      cause: 'NO_ANSWER',
      status: 'no_answer',
      legs: { first: { hangup_cause: 'NO_ANSWER' } },
      custom_application_vars: {},
      hung_up_by: null,
    },
  ];

  beforeEach(async () => {
    h = harness();
    acct = await h.account();
    const configId = (await h.services.clicktocall.create(acct.id, { name: 'Sales', extension: '2600' })).doc
      .id;
    url = `/v2/accounts/${acct.id}/clicktocall/${configId}/history`;
    docs.length = 0;
    for (const [i, fields] of RECORDS.entries()) {
      const doc = await insertFinishedCall(h.store.history, {
        accountId: acct.id,
        configId,
        n: i,
        createdMs: T + i * HOUR,
        fields,
      });
      docs.push(doc);
    }
  });
  afterEach(() => h.close());

  /** The numbers of the records listed (r2 → 2), in the order listed. */
  async function listed(query: Query): Promise<number[]> {
    const res = await h.http.get(url).query(query).set('X-Auth-Token', acct.token);
    expect(res.status, `${JSON.stringify(query)}: ${JSON.stringify(res.body.data)}`).to.equal(200);
    return (res.body.data as Array<{ call_id: string }>).map((d) =>
      docs.findIndex((r) => r.call_id === d.call_id),
    );
  }
  async function expectListed(cases: Array<[Query, number[]]>): Promise<void> {
    for (const [query, expected] of cases)
      expect(await listed(query), JSON.stringify(query)).to.deep.equal(expected);
  }

  it('when filter_ and filter_not_ are given, then dotted keys, JSON lists and strings as on the configurations', async () => {
    await expectListed([
      [{ 'filter_legs.first.hangup_cause': 'USER_BUSY' }, [1]],
      [{ filter_cause: '["USER_BUSY","NO_ANSWER"]' }, [3, 1]],
      [{ filter_status: '"completed"' }, [0]],
      [{ filter_talk_s: '0' }, [1]],
      [{ filter_result: '' }, [2]],
      [{ filter_not_result: 'error' }, [2, 0]],
      [{ 'filter_not_legs.first.hangup_cause': '["USER_BUSY","NO_ANSWER"]' }, [2, 0]],
      [{ filter_nobody_has_this: 'x' }, []],
      [{ filter_not_nobody_has_this: 'x' }, [3, 2, 1, 0]],
    ]);
  });

  it('when has_key, key_missing or has_value, then on the record as returned: null, "" and {} told apart', async () => {
    await expectListed([
      [{ has_key: 'result' }, [3, 1, 0]],
      [{ key_missing: 'result' }, [2]],
      [{ has_key: 'hung_up_by' }, [3]],
      [{ has_value: 'hung_up_by' }, []],
      [{ has_key: 'link_id' }, [2]],
      [{ has_value: 'link_id' }, []],
      [{ has_value: 'custom_application_vars' }, [0]],
      [{ has_value: 'legs.first' }, [3, 1, 0]],
      [{ has_key: 'account_id' }, []],
      [{ has_key: 'clicktocall_id' }, []],
    ]);
  });

  it('when the creation window and filters are combined, then both hold', async () => {
    await expectListed([
      [
        { created_from: gregorian(T + HOUR), created_to: gregorian(T + 3 * HOUR), filter_result: 'error' },
        [3, 1],
      ],
      [{ created_to: gregorian(T + 2 * HOUR), has_key: 'result' }, [1, 0]],
      [{ created_from: gregorian(T + 3 * HOUR), filter_result: 'success' }, []],
    ]);
  });

  it('when modified_ bounds are given, then they read the last change of each record', async () => {
    await h.store.history.update({ ...docs[1]!, talk_s: 1 }, undefined, true, T + 10 * HOUR);
    await expectListed([
      [{ modified_from: gregorian(T + 10 * HOUR) }, [1]],
      [{ modified_to: gregorian(T + 5 * HOUR) }, [3, 2, 0]],
      [{ modified_from: gregorian(T), modified_to: gregorian(T) }, [0]],
    ]);
  });

  it('when ascending=true, then oldest first, with the filters too', async () => {
    await expectListed([
      [{ ascending: 'true' }, [0, 1, 2, 3]],
      [{ ascending: 'true', filter_result: 'error' }, [1, 3]],
      [{ descending: 'true' }, [3, 2, 1, 0]],
    ]);
  });
});
