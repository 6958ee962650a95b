import { expect } from 'chai';
import { harness, type Harness } from '../support/harness';

/** [field value patch, the path of the error, the rule] — each must be refused with 400 and nothing stored. */
const INVALID: Array<[string, Record<string, unknown>, string, string]> = [
  ['name missing', { name: undefined }, 'name', 'required'],
  ['extension missing', { extension: undefined }, 'extension', 'required'],
  ['name empty', { name: '' }, 'name', 'minLength'],
  ['name over 128', { name: 'n'.repeat(129) }, 'name', 'maxLength'],
  ['name an object', { name: { a: 1 } }, 'name', 'type'],
  ['extension a number', { extension: 2600 }, 'extension', 'type'],
  ['extension over 64', { extension: '1'.repeat(65) }, 'extension', 'maxLength'],
  ['extension with a blank', { extension: '26 00' }, 'extension', 'pattern'],
  ['extension with a slash', { extension: '2600/x' }, 'extension', 'pattern'],
  ['auth_required not boolean', { auth_required: 'maybe' }, 'auth_required', 'type'],
  ['bypass_media odd string', { bypass_media: 'sometimes' }, 'bypass_media', 'enum'],
  ['caller_id_number over 64', { caller_id_number: '1'.repeat(65) }, 'caller_id_number', 'maxLength'],
  ['caller_id_number with ${', { caller_id_number: '${uuid}' }, 'caller_id_number', 'invalid'],
  [
    'custom_application_vars bad key',
    { custom_application_vars: { 'bad key': 'v' } },
    'custom_application_vars.bad key',
    'invalid_key',
  ],
  [
    'custom_application_vars value object',
    { custom_application_vars: { k: { a: 1 } } },
    'custom_application_vars.k',
    'type',
  ],
  [
    'custom_application_vars value over 512',
    { custom_application_vars: { k: 'v'.repeat(513) } },
    'custom_application_vars.k',
    'maxLength',
  ],
  [
    'custom_application_vars over 64 keys',
    { custom_application_vars: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v'])) },
    'custom_application_vars',
    'maxProperties',
  ],
  [
    'custom_sip_headers bad name',
    { custom_sip_headers: { 'X Bad': 'v' } },
    'custom_sip_headers.X Bad',
    'invalid_key',
  ],
  [
    'custom_sip_headers value object',
    { custom_sip_headers: { 'X-A': { b: 1 } } },
    'custom_sip_headers.X-A',
    'type',
  ],
  [
    'custom_sip_headers value over 512',
    { custom_sip_headers: { 'X-A': 'v'.repeat(513) } },
    'custom_sip_headers.X-A',
    'maxLength',
  ],
  [
    'custom_sip_headers out bad name',
    { custom_sip_headers: { out: { 'X:B': 'v' } } },
    'custom_sip_headers.out.X:B',
    'invalid_key',
  ],
  ['custom_sip_headers in not object', { custom_sip_headers: { in: 'x' } }, 'custom_sip_headers.in', 'type'],
  [
    'custom_sip_headers over 32',
    {
      custom_sip_headers: { out: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`X-H${i}`, 'v'])) },
    },
    'custom_sip_headers.out',
    'maxProperties',
  ],
  ['dial_first odd', { dial_first: 'both' }, 'dial_first', 'enum'],
  ['extension undef (FreeSWITCH reads it as no argument)', { extension: 'undef' }, 'extension', 'pattern'],
  [
    'a custom header the SIP stack owns',
    { custom_sip_headers: { 'Call-ID': 'x' } },
    'custom_sip_headers.Call-ID',
    'invalid_key',
  ],
  [
    'an out header the SIP stack owns',
    { custom_sip_headers: { out: { via: 'x' } } },
    'custom_sip_headers.out.via',
    'invalid_key',
  ],
  ['media not object', { media: 'x' }, 'media', 'type'],
  [
    'media.ignore_early_media odd',
    { media: { ignore_early_media: 'perhaps' } },
    'media.ignore_early_media',
    'type',
  ],
  [
    'music_on_hold.media_id over 2048',
    { music_on_hold: { media_id: `/${'m'.repeat(2048)}` } },
    'music_on_hold.media_id',
    'maxLength',
  ],
  [
    'music_on_hold.media_id not a path or URI',
    { music_on_hold: { media_id: 'moh.wav' } },
    'music_on_hold.media_id',
    'pattern',
  ],
  [
    'outbound_callee_id_name over 1024',
    { outbound_callee_id_name: 'n'.repeat(1025) },
    'outbound_callee_id_name',
    'maxLength',
  ],
  [
    'outbound_callee_id_number over 64',
    { outbound_callee_id_number: '1'.repeat(65) },
    'outbound_callee_id_number',
    'maxLength',
  ],
  ['presence_id over 1024', { presence_id: 'p'.repeat(1025) }, 'presence_id', 'maxLength'],
  ['ringback unknown name', { ringback: 'jingle-bells' }, 'ringback', 'invalid'],
  ['ringback with ${', { ringback: '${jingle-ring}' }, 'ringback', 'invalid'],
  ['throttle negative', { throttle: -1 }, 'throttle', 'minimum'],
  ['throttle a boolean', { throttle: true }, 'throttle', 'type'],
  ['timeout zero', { timeout: 0 }, 'timeout', 'minimum'],
  ['timeout text', { timeout: 'soon' }, 'timeout', 'type'],
  ['whitelist not array', { whitelist: '^1' }, 'whitelist', 'type'],
  ['whitelist empty entry', { whitelist: [''] }, 'whitelist.0', 'minLength'],
  ['whitelist bad regex', { whitelist: ['^1', '[a-'] }, 'whitelist.1', 'regex'],
  ['whitelist entry over 256', { whitelist: ['1'.repeat(257)] }, 'whitelist.0', 'maxLength'],
  [
    'whitelist over 64 entries',
    { whitelist: Array.from({ length: 65 }, () => '1') },
    'whitelist',
    'maxItems',
  ],
  ['name with a control character', { name: 'Sa\u0007les' }, 'name', 'invalid'],
  ['name with a lone surrogate', { name: 'Sa\ud800les' }, 'name', 'invalid'],
  ['name with a bidi override', { name: 'Sa\u202eles' }, 'name', 'invalid'],
  ['an unknown key with a newline', { crm_note: 'a\nb' }, 'crm_note', 'invalid'],
  ['an unknown key over 1024', { crm_note: 'x'.repeat(1025) }, 'crm_note', 'maxLength'],
  ['an unknown nested string over 1024', { crm: { note: 'x'.repeat(1025) } }, 'crm.note', 'maxLength'],
];

/** Values that must be accepted, and how they are stored. */
/** Every form `custom_sip_headers` takes: flat string, number and boolean values, `in` and `out` of strings. */
const ALL_HEADER_FORMS = { 'X-Flat': 'a', 'X-N': 1, 'X-B': true, in: { 'X-In': '1' }, out: { 'X-Out': 'o' } };

const VALID: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
  ['integer as string', { timeout: '45', throttle: '3' }, { timeout: 45, throttle: 3 }],
  [
    'boolean as string',
    { auth_required: 'false', media: { ignore_early_media: 'true' } },
    { auth_required: false, media: { ignore_early_media: true } },
  ],
  ['extension empty (Kazoo sets no minimum)', { extension: '' }, { extension: '' }],
  ['bypass_media deprecated strings', { bypass_media: 'auto' }, { bypass_media: 'auto' }],
  ['bypass_media boolean', { bypass_media: true }, { bypass_media: true }],
  ['dial_first contact', { dial_first: 'contact' }, { dial_first: 'contact' }],
  ['ringback a known name', { ringback: 'us-ring' }, { ringback: 'us-ring' }],
  ['ringback a tone', { ringback: '%(2000,4000,440,480)' }, { ringback: '%(2000,4000,440,480)' }],
  ['ringback a local_stream', { ringback: 'local_stream://moh' }, { ringback: 'local_stream://moh' }],
  [
    'music_on_hold a file',
    { music_on_hold: { media_id: '/usr/share/freeswitch/sounds/moh.wav' } },
    { music_on_hold: { media_id: '/usr/share/freeswitch/sounds/moh.wav' } },
  ],
  [
    'headers flat (string, number, boolean), in and out (strings)',
    { custom_sip_headers: ALL_HEADER_FORMS },
    { custom_sip_headers: ALL_HEADER_FORMS },
  ],
  [
    'a name of 128 code points with UTF-8 and an emoji',
    { name: `${'é'.repeat(100)}${'日'.repeat(27)}😀` },
    { name: `${'é'.repeat(100)}${'日'.repeat(27)}😀` },
  ],
  ['whitelist regexes', { whitelist: ['^\\+1555', '^2\\d{3}$'] }, { whitelist: ['^\\+1555', '^2\\d{3}$'] }],
  ['presence_id', { presence_id: '2600@example.com' }, { presence_id: '2600@example.com' }],
  [
    'values with quotes, commas and blanks inside',
    { name: "O'Brien, Sales & Co", outbound_callee_id_name: 'A "quoted" name' },
    { name: "O'Brien, Sales & Co" },
  ],
];

describe('click-to-call schema', () => {
  let h: Harness;
  let acct: Awaited<ReturnType<Harness['account']>>;
  let base: string;

  beforeEach(async () => {
    h = harness();
    acct = await h.account();
    base = `/v2/accounts/${acct.id}/clicktocall`;
  });

  const body = (patch: Record<string, unknown>) => {
    const data: Record<string, unknown> = { name: 'Sales', extension: '2600', ...patch };
    for (const k of Object.keys(data)) if (data[k] === undefined) delete data[k];
    return { data };
  };

  for (const [title, patch, path, rule] of INVALID) {
    it(`when ${title}, then 400 at ${path}.${rule} and nothing stored`, async () => {
      const res = await h.http.put(base).set('X-Auth-Token', acct.token).send(body(patch)).expect(400);
      expect(res.body).to.include({ status: 'error', error: '400', message: 'validation error' });
      expect(res.body.data, JSON.stringify(res.body.data)).to.have.property(path);
      expect(res.body.data[path], JSON.stringify(res.body.data)).to.have.property(rule);
      expect(res.body.data[path][rule].message).to.be.a('string').and.not.empty;
      expect(await h.store.clicktocalls.list({ accountId: acct.id })).to.have.length(0);
    });
  }

  for (const [title, patch, stored] of VALID) {
    it(`when ${title}, then 201 and stored as ${JSON.stringify(stored).slice(0, 60)}`, async () => {
      const res = await h.http.put(base).set('X-Auth-Token', acct.token).send(body(patch)).expect(201);
      expect(res.body.data).to.deep.include(stored);
    });
  }

  it('when several fields are wrong, then every problem is reported at once', async () => {
    const res = await h.http
      .put(base)
      .set('X-Auth-Token', acct.token)
      .send({ data: { name: '', timeout: 'x', whitelist: ['('] } })
      .expect(400);
    expect(res.body.data).to.have.all.keys('name', 'extension', 'timeout', 'whitelist.0');
  });

  it('when a scalar value is wrong, then the error carries the value', async () => {
    const res = await h.http
      .put(base)
      .set('X-Auth-Token', acct.token)
      .send(body({ dial_first: 'both' }))
      .expect(400);
    expect(res.body.data.dial_first.enum.value).to.equal('both');
  });
});
