import type { ErrorObject } from 'ajv';
import { expect } from 'chai';
import { accountFixture, connectFixture } from '../support/api-fixtures';
import { ROUTE_PATTERN } from '../../src/clicktocall/clicktocall-schema';
import { coerceLikeKazoo } from '../../src/clicktocall/kazoo-coercion';
import { kazooEntry } from '../../src/clicktocall/kazoo-errors';
import { originatesOf } from '../support/switch';

/**
 * Configuration validation as Kazoo's schema validation answers (README, Configuration fields and Errors): the same
 * coercions, the same accepted values, the same error entries `data.<path>.<rule>`, to the byte; plus our safety bounds.
 */

type Data = Record<string, unknown>;

const TYPE = (types: string, value?: unknown) => ({
  type: {
    message: `Value did not match type(s): ${types}`,
    target: types,
    ...(value !== undefined && { value }),
  },
});

const BYPASS_ENUM = [true, false, 'true', 'false', 'auto'];
const HOLD_MUSIC_PATTERN = '^(?:$|/|local_stream://|tone_stream://|http_cache://|[0-9a-f]{32}$)';
const MEDIA_ID = '0123456789abcdef0123456789abcdef';
const long = (n: number) => '1'.repeat(n);

/** [what, the fields sent besides a valid name and extension, the whole `data` of the 400]. */
const REFUSED: Array<[string, Data, Data]> = [
  // A number or a boolean where a string is wanted: never coerced.
  ['name a number', { name: 5 }, { name: TYPE('string', 5) }],
  ['extension a number', { extension: 2600 }, { extension: TYPE('string', 2600) }],
  [
    'caller_id_number a number',
    { caller_id_number: 15551234567 },
    { caller_id_number: TYPE('string', 15551234567) },
  ],
  ['presence_id a boolean', { presence_id: true }, { presence_id: TYPE('string', true) }],
  [
    'outbound_callee_id_name a boolean',
    { outbound_callee_id_name: false },
    { outbound_callee_id_name: TYPE('string', false) },
  ],
  [
    'outbound_callee_id_number a number',
    { outbound_callee_id_number: 42 },
    { outbound_callee_id_number: TYPE('string', 42) },
  ],
  ['ringback a number', { ringback: 5 }, { ringback: TYPE('string', 5) }],
  [
    'music_on_hold.media_id a number',
    { music_on_hold: { media_id: 5 } },
    { 'music_on_hold.media_id': TYPE('string', 5) },
  ],
  ['a whitelist entry a number', { whitelist: ['^1', 1] }, { 'whitelist.1': TYPE('string', 1) }],
  [
    'a custom_application_vars value a number',
    { custom_application_vars: { lead: 42 } },
    { 'custom_application_vars.lead': TYPE('string', 42) },
  ],
  [
    'a custom_sip_headers.in value a number',
    { custom_sip_headers: { in: { 'X-In': 1 } } },
    { 'custom_sip_headers.in.X-In': TYPE('string', 1) },
  ],
  [
    'a custom_sip_headers.out value a boolean',
    { custom_sip_headers: { out: { 'X-Out': true } } },
    { 'custom_sip_headers.out.X-Out': TYPE('string', true) },
  ],
  ['a name an object (no value echoed)', { name: { a: 1 } }, { name: TYPE('string') }],
  [
    'dial_first a number',
    { dial_first: 1 },
    {
      dial_first: {
        ...TYPE('string', 1),
        enum: {
          message: 'Value not found in enumerated list of values',
          target: ['extension', 'contact'],
          value: 1,
        },
      },
    },
  ],
  [
    'bypass_media a number',
    { bypass_media: 5 },
    {
      bypass_media: {
        ...TYPE('boolean, string', 5),
        enum: { message: 'Value not found in enumerated list of values', target: BYPASS_ENUM, value: 5 },
      },
    },
  ],
  // Booleans: only "true" and "false" are coerced.
  ['auth_required 1', { auth_required: 1 }, { auth_required: TYPE('boolean', 1) }],
  ['auth_required 0', { auth_required: 0 }, { auth_required: TYPE('boolean', 0) }],
  ['auth_required "1"', { auth_required: '1' }, { auth_required: TYPE('boolean', '1') }],
  ['auth_required "yes"', { auth_required: 'yes' }, { auth_required: TYPE('boolean', 'yes') }],
  ['auth_required "TRUE"', { auth_required: 'TRUE' }, { auth_required: TYPE('boolean', 'TRUE') }],
  [
    'media.ignore_early_media "perhaps"',
    { media: { ignore_early_media: 'perhaps' } },
    { 'media.ignore_early_media': TYPE('boolean', 'perhaps') },
  ],
  // Integers: a string of a number is coerced (rounded), nothing else.
  ['timeout true', { timeout: true }, { timeout: TYPE('integer', true) }],
  ['throttle false', { throttle: false }, { throttle: TYPE('integer', false) }],
  ['timeout "abc"', { timeout: 'abc' }, { timeout: TYPE('integer', 'abc') }],
  ['timeout ""', { timeout: '' }, { timeout: TYPE('integer', '') }],
  ['timeout " 45"', { timeout: ' 45' }, { timeout: TYPE('integer', ' 45') }],
  ['timeout "4."', { timeout: '4.' }, { timeout: TYPE('integer', '4.') }],
  ['timeout ".5"', { timeout: '.5' }, { timeout: TYPE('integer', '.5') }],
  ['timeout "1e3" (no point: not a decimal number)', { timeout: '1e3' }, { timeout: TYPE('integer', '1e3') }],
  ['timeout "0x10"', { timeout: '0x10' }, { timeout: TYPE('integer', '0x10') }],
  ['timeout "Infinity"', { timeout: 'Infinity' }, { timeout: TYPE('integer', 'Infinity') }],
  ['timeout "1.0e999" (too big to round)', { timeout: '1.0e999' }, { timeout: TYPE('integer', '1.0e999') }],
  ['timeout an object', { timeout: {} }, { timeout: TYPE('integer') }],
  ['timeout a list', { timeout: [45] }, { timeout: TYPE('integer') }],
  // Coerced, then out of bounds: the error carries the coerced value.
  [
    'timeout "0"',
    { timeout: '0' },
    { timeout: { minimum: { message: 'Value must be at least 1', target: 1, value: 0 } } },
  ],
  [
    'timeout "3600.5" (rounds to 3601)',
    { timeout: '3600.5' },
    { timeout: { maximum: { message: 'Value must be at most 3600', target: 3600, value: 3601 } } },
  ],
  [
    'throttle "-2.5" (rounds half away from zero, to -3)',
    { throttle: '-2.5' },
    { throttle: { minimum: { message: 'Value must be at least 0', target: 0, value: -3 } } },
  ],
  [
    'throttle -0.5 (rounds to -1)',
    { throttle: -0.5 },
    { throttle: { minimum: { message: 'Value must be at least 0', target: 0, value: -1 } } },
  ],
  // Every other rule in Kazoo's words.
  [
    'name empty',
    { name: '' },
    {
      name: {
        minLength: { message: 'String must be at least 1 characters', target: 1, cause: '', value: '' },
      },
    },
  ],
  ['name missing', { name: undefined }, { name: { required: { message: 'Field is required but missing' } } }],
  [
    'name and extension missing',
    { name: undefined, extension: undefined },
    {
      name: { required: { message: 'Field is required but missing' } },
      extension: { required: { message: 'Field is required but missing' } },
    },
  ],
  [
    'caller_id_number over 64',
    { caller_id_number: long(65) },
    {
      caller_id_number: {
        maxLength: {
          message: 'String must not be more than 64 characters',
          target: 64,
          cause: long(65),
          value: long(65),
        },
      },
    },
  ],
  [
    'dial_first "both"',
    { dial_first: 'both' },
    {
      dial_first: {
        enum: {
          message: 'Value not found in enumerated list of values',
          target: ['extension', 'contact'],
          value: 'both',
        },
      },
    },
  ],
  [
    'bypass_media "sometimes"',
    { bypass_media: 'sometimes' },
    {
      bypass_media: {
        enum: {
          message: 'Value not found in enumerated list of values',
          target: BYPASS_ENUM,
          value: 'sometimes',
        },
      },
    },
  ],
  [
    'extension with a blank',
    { extension: '26 00' },
    {
      extension: {
        pattern: {
          message: `Failed to match pattern '${ROUTE_PATTERN}'`,
          target: ROUTE_PATTERN,
          value: '26 00',
        },
      },
    },
  ],
  [
    'extension "undef"',
    { extension: 'undef' },
    {
      extension: {
        pattern: {
          message: `Failed to match pattern '${ROUTE_PATTERN}'`,
          target: ROUTE_PATTERN,
          value: 'undef',
        },
      },
    },
  ],
  [
    'a whitelist entry empty',
    { whitelist: [''] },
    {
      'whitelist.0': {
        minLength: { message: 'String must be at least 1 characters', target: 1, cause: '', value: '' },
      },
    },
  ],
  [
    'whitelist over 64 entries',
    { whitelist: Array.from({ length: 65 }, () => '1') },
    { whitelist: { maxItems: { message: 'The list is more than 64 items', target: 64 } } },
  ],
  [
    'status_callback.events empty',
    { status_callback: { url: 'https://crm.example/x', events: [] } },
    { 'status_callback.events': { minItems: { message: 'The list must have at least 1 items', target: 1 } } },
  ],
  [
    'status_callback.events twice the same',
    { status_callback: { url: 'https://crm.example/x', events: ['completed', 'completed'] } },
    { 'status_callback.events': { uniqueItems: { message: 'List of items is not unique' } } },
  ],
  [
    'status_callback with a key it does not define',
    { status_callback: { url: 'https://crm.example/x', secret: 's' } },
    {
      status_callback: {
        additionalProperties: {
          message: 'Strict checking of data is enabled; only include schema-defined properties',
          value: 'secret',
        },
      },
    },
  ],
  [
    'custom_application_vars over 64 keys',
    { custom_application_vars: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v'])) },
    {
      custom_application_vars: {
        maxProperties: { message: 'The object must have at most 64 keys', target: 64 },
      },
    },
  ],
  [
    'an unknown key over 1024',
    { crm_note: 'x'.repeat(1025) },
    {
      crm_note: {
        maxLength: {
          message: 'String must not be more than 1024 characters',
          target: 1024,
          cause: 'x'.repeat(1025),
          value: 'x'.repeat(1025),
        },
      },
    },
  ],
  // Keys: the key's own rule in Kazoo's words, under our invalid_key.
  [
    'a custom_application_vars key with a blank',
    { custom_application_vars: { 'lead id': 'x' } },
    {
      'custom_application_vars.lead id': {
        invalid_key: { message: "Failed to match pattern '^[A-Za-z0-9_.-]+$'" },
      },
    },
  ],
  [
    'a custom_application_vars key over 64',
    { custom_application_vars: { [`k${'.'.repeat(64)}`]: 'x' } },
    {
      [`custom_application_vars.k${'.'.repeat(64)}`]: {
        invalid_key: { message: 'String must not be more than 64 characters' },
      },
    },
  ],
  // Our safety bounds: kept.
  [
    'timeout 3601',
    { timeout: 3601 },
    { timeout: { maximum: { message: 'Value must be at most 3600', target: 3600, value: 3601 } } },
  ],
  [
    'throttle 100001',
    { throttle: 100001 },
    { throttle: { maximum: { message: 'Value must be at most 100000', target: 100000, value: 100001 } } },
  ],
  [
    'caller_id_number with ${',
    { caller_id_number: '${uuid}' },
    { caller_id_number: { invalid: { message: 'must not contain "${"', value: '${uuid}' } } },
  ],
  [
    'ringback a reference to a name the service does not know',
    { ringback: '${jingle-ring}' },
    { ringback: { invalid: { message: 'must not contain "${"', value: '${jingle-ring}' } } },
  ],
  [
    'a custom_application_vars value empty (FreeSWITCH would drop it)',
    { custom_application_vars: { lead: '' } },
    { 'custom_application_vars.lead': { invalid: { message: 'must not be empty', value: '' } } },
  ],
  [
    'a whitelist entry with a look-behind (not RE2)',
    { whitelist: ['(?<=1)2'] },
    {
      'whitelist.0': {
        regex: {
          message: 'must be a regular expression RE2 accepts (invalid named capture: `(?<=1)2`)',
          value: '(?<=1)2',
        },
      },
    },
  ],
  [
    'music_on_hold.media_id a media id in capitals',
    { music_on_hold: { media_id: MEDIA_ID.toUpperCase() } },
    {
      'music_on_hold.media_id': {
        pattern: {
          message: `Failed to match pattern '${HOLD_MUSIC_PATTERN}'`,
          target: HOLD_MUSIC_PATTERN,
          value: MEDIA_ID.toUpperCase(),
        },
      },
    },
  ],
  [
    'music_on_hold.media_id 31 hex digits',
    { music_on_hold: { media_id: MEDIA_ID.slice(1) } },
    {
      'music_on_hold.media_id': {
        pattern: {
          message: `Failed to match pattern '${HOLD_MUSIC_PATTERN}'`,
          target: HOLD_MUSIC_PATTERN,
          value: MEDIA_ID.slice(1),
        },
      },
    },
  ],
];

/** [what, the fields sent besides a valid name and extension, what the stored document then includes]. */
const ACCEPTED: Array<[string, Data, Data]> = [
  // Kazoo's coercions.
  ['timeout "45"', { timeout: '45' }, { timeout: 45 }],
  ['timeout "+20"', { timeout: '+20' }, { timeout: 20 }],
  ['timeout "4.5" (rounded)', { timeout: '4.5' }, { timeout: 5 }],
  ['timeout 4.5 (rounded)', { timeout: 4.5 }, { timeout: 5 }],
  ['timeout "2.5" (half away from zero)', { timeout: '2.5' }, { timeout: 3 }],
  ['timeout "4.4" (rounded down)', { timeout: '4.4' }, { timeout: 4 }],
  ['timeout "1.5e1"', { timeout: '1.5e1' }, { timeout: 15 }],
  ['throttle "3"', { throttle: '3' }, { throttle: 3 }],
  ['throttle 1.5', { throttle: 1.5 }, { throttle: 2 }],
  ['throttle "-0.4" (rounds to 0)', { throttle: '-0.4' }, { throttle: 0 }],
  ['auth_required "false"', { auth_required: 'false' }, { auth_required: false }],
  ['auth_required "true"', { auth_required: 'true' }, { auth_required: true }],
  [
    'media.ignore_early_media "false"',
    { media: { ignore_early_media: 'false' } },
    { media: { ignore_early_media: false } },
  ],
  // Empty strings, as web forms send them.
  ['extension ""', { extension: '' }, { extension: '' }],
  ['caller_id_number ""', { caller_id_number: '' }, { caller_id_number: '' }],
  ['outbound_callee_id_name ""', { outbound_callee_id_name: '' }, { outbound_callee_id_name: '' }],
  ['outbound_callee_id_number ""', { outbound_callee_id_number: '' }, { outbound_callee_id_number: '' }],
  ['presence_id ""', { presence_id: '' }, { presence_id: '' }],
  ['ringback ""', { ringback: '' }, { ringback: '' }],
  ['music_on_hold.media_id ""', { music_on_hold: { media_id: '' } }, { music_on_hold: { media_id: '' } }],
  // Kazoo's values.
  [
    'music_on_hold.media_id a media id',
    { music_on_hold: { media_id: MEDIA_ID } },
    { music_on_hold: { media_id: MEDIA_ID } },
  ],
  ['ringback ${us-ring}', { ringback: '${us-ring}' }, { ringback: '${us-ring}' }],
  ['ringback ${uk-ring}', { ringback: '${uk-ring}' }, { ringback: '${uk-ring}' }],
  [
    'dotted custom_application_vars names',
    { custom_application_vars: { 'lead.id': '42', [`k${'.'.repeat(63)}`]: 'x' } },
    { custom_application_vars: { 'lead.id': '42', [`k${'.'.repeat(63)}`]: 'x' } },
  ],
  [
    'flat custom_sip_headers of a string, a number and a boolean',
    { custom_sip_headers: { 'X-S': 's', 'X-N': 7, 'X-B': false } },
    { custom_sip_headers: { 'X-S': 's', 'X-N': 7, 'X-B': false } },
  ],
  ['bypass_media "auto"', { bypass_media: 'auto' }, { bypass_media: 'auto' }],
];

describe("configuration validation as Kazoo's", () => {
  const f = accountFixture();

  const body = (fields: Data) => {
    const data: Data = { name: 'Sales', extension: '2600', ...fields };
    for (const k of Object.keys(data)) if (data[k] === undefined) delete data[k];
    return { data };
  };
  const put = (fields: Data) => f.h.http.put(f.base).set('X-Auth-Token', f.acct.token).send(body(fields));
  const storedCount = async () => (await f.h.store.clicktocalls.list({ accountId: f.acct.id })).length;

  for (const [what, fields, data] of REFUSED) {
    it(`when ${what}, then 400 with exactly ${JSON.stringify(data).slice(0, 90)}`, async () => {
      const res = await put(fields).expect(400);
      expect(res.body).to.include({ status: 'error', error: '400', message: 'validation error' });
      expect(res.body.data).to.deep.equal(data);
      expect(await storedCount()).to.equal(0);
    });
  }

  for (const [what, fields, stored] of ACCEPTED) {
    it(`when ${what}, then 201 and stored as ${JSON.stringify(stored).slice(0, 70)}`, async () => {
      const res = await put(fields).expect(201);
      expect(res.body.data).to.deep.include(stored);
      const id = res.body.data.id as string;
      const fetched = await f.h.http.get(`${f.base}/${id}`).set('X-Auth-Token', f.acct.token).expect(200);
      expect(fetched.body.data).to.deep.include(stored);
    });
  }

  it("when data is not an object, then 400 data.type in Kazoo's words, on create and on patch", async () => {
    const expected = { data: { type: { message: 'Value did not match type(s): object', target: 'object' } } };
    for (const data of ['x', 42, ['a']]) {
      const res = await f.h.http.put(f.base).set('X-Auth-Token', f.acct.token).send({ data }).expect(400);
      expect(res.body.data, JSON.stringify(data)).to.deep.equal(expected);
    }
    const id = (await put({}).expect(201)).body.data.id as string;
    const patched = await f.h.http
      .patch(`${f.base}/${id}`)
      .set('X-Auth-Token', f.acct.token)
      .send({ data: ['a'] })
      .expect(400);
    expect(patched.body.data).to.deep.equal(expected);
  });

  it('when a configuration is replaced (POST) or patched, then the values are coerced as on create', async () => {
    const id = (await put({}).expect(201)).body.data.id as string;
    const posted = await f.h.http
      .post(`${f.base}/${id}`)
      .set('X-Auth-Token', f.acct.token)
      .send(body({ timeout: '4.5', auth_required: 'false' }))
      .expect(200);
    expect(posted.body.data).to.include({ timeout: 5, auth_required: false });
    const patched = await f.h.http
      .patch(`${f.base}/${id}`)
      .set('X-Auth-Token', f.acct.token)
      .send({ data: { throttle: '2.5', media: { ignore_early_media: 'true' } } })
      .expect(200);
    expect(patched.body.data).to.deep.include({
      timeout: 5,
      throttle: 3,
      media: { ignore_early_media: true },
    });
  });

  it('when a patch brings a number where a string is wanted, then 400 type and nothing changes', async () => {
    const id = (await put({ caller_id_number: '100' }).expect(201)).body.data.id as string;
    const res = await f.h.http
      .patch(`${f.base}/${id}`)
      .set('X-Auth-Token', f.acct.token)
      .send({ data: { caller_id_number: 200 } })
      .expect(400);
    expect(res.body.data).to.deep.equal({ caller_id_number: TYPE('string', 200) });
    const fetched = await f.h.http.get(`${f.base}/${id}`).set('X-Auth-Token', f.acct.token).expect(200);
    expect(fetched.body.data.caller_id_number).to.equal('100');
  });

  it('when a public link is created with numbers as strings, then they are coerced as Kazoo coerces', async () => {
    const id = (await put({ auth_required: false }).expect(201)).body.data.id as string;
    const res = await f.h.http
      .put(`${f.base}/${id}/links`)
      .set('X-Auth-Token', f.acct.token)
      .send({ data: { expires_in: '3600', calls_per_minute: '2.5', origins: ['https://shop.example'] } })
      .expect(201);
    expect(res.body.data).to.include({ calls_per_minute: 3 });
  });
});

describe("connecting configurations Kazoo's validation accepts", function () {
  this.timeout(15_000);
  const f = connectFixture();
  const configure = (extra: Data) => f.configure(extra);
  const connect = (url: string) =>
    f.h.http.get(`${url}/connect?contact=2601`).set('X-Auth-Token', f.acct.token);

  it('when the extension is empty, then a connect is 400 data.extension.required and nothing reaches the switch', async () => {
    const url = await configure({ extension: '' });
    const res = await connect(url).expect(400);
    expect(res.body).to.include({ status: 'error', error: '400', message: 'validation error' });
    expect(res.body.data).to.deep.equal({
      extension: { required: { message: 'The extension of this click to call must be set to connect' } },
    });
    expect(originatesOf(f.rig.fake)).to.have.length(0);
    expect(
      await f.h.store.history.list({ accountId: f.acct.id, clicktocallId: url.split('/').at(-1) ?? '' }),
    ).to.have.length(0);
  });

  it('when the optional texts are empty, then the call is placed as if they were absent', async () => {
    const url = await configure({
      caller_id_number: '',
      outbound_callee_id_name: '',
      outbound_callee_id_number: '',
      presence_id: '',
      ringback: '',
      music_on_hold: { media_id: '' },
    });
    await connect(url).expect(202);
    const [o] = originatesOf(f.rig.fake);
    expect(o?.vars).to.include({
      origination_caller_id_number: '2601',
      origination_callee_id_name: '2600',
      origination_callee_id_number: '2600',
    });
    expect(o?.vars).not.to.have.any.keys('transfer_ringback', 'hold_music', 'presence_id');
  });

  it('when the ringback is ${us-ring}, then the call rings back with the us-ring tone', async () => {
    const url = await configure({ ringback: '${us-ring}' });
    const res = await connect(url).expect(202);
    expect(res.body.data.ringback).to.equal('%(2000,4000,440,480)');
    expect(originatesOf(f.rig.fake)[0]?.vars['transfer_ringback']).to.equal('%(2000,4000,440,480)');
  });
});

describe("Kazoo's coercion of a number, which the schema does not use", () => {
  it('when a number is wanted, then a string of one is converted, as is, and nothing else', () => {
    const number = { type: 'number' };
    expect(coerceLikeKazoo(number, '4.5')).to.equal(4.5);
    expect(coerceLikeKazoo(number, '-7')).to.equal(-7);
    expect(coerceLikeKazoo(number, 2.5)).to.equal(2.5);
    for (const v of ['x', '', '4.', true, null]) expect(coerceLikeKazoo(number, v), String(v)).to.equal(v);
  });

  it('when a key is named like an inherited property, then no schema is found for it and nothing changes', () => {
    const schema = { type: 'object', properties: { timeout: { type: 'integer' } } };
    const doc = JSON.parse('{"__proto__":"45","constructor":"45","timeout":"45"}') as Record<string, unknown>;
    coerceLikeKazoo(schema, doc);
    expect(Object.entries(doc)).to.deep.equal([
      ['__proto__', '45'],
      ['constructor', '45'],
      ['timeout', 45],
    ]);
  });
});

describe("Kazoo's wording of rules the schema does not use", () => {
  const error = (keyword: string, params: Record<string, unknown>): ErrorObject => ({
    keyword,
    params,
    instancePath: '/x',
    schemaPath: `#/properties/x/${keyword}`,
  });

  it('when an object has too few keys, then "The object must have at least N keys"', () => {
    expect(kazooEntry(error('minProperties', { limit: 2 }), { a: 1 })).to.deep.equal({
      message: 'The object must have at least 2 keys',
      target: 2,
    });
  });

  it('when a rule has no Kazoo wording, then its own message is kept, with a scalar value', () => {
    expect(kazooEntry({ ...error('const', {}), message: 'must be equal to constant' }, 3)).to.deep.equal({
      message: 'must be equal to constant',
      value: 3,
    });
  });
});
