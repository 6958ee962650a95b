import { expect } from 'chai';
import fc from 'fast-check';
import { OriginateInputError } from '../../esl';
import { parseOriginate } from '../../fake-switch/originate-parser';
import type { Account, ClickToCallDoc } from '../../src/domain';
import { normalizeContact } from '../../src/clicktocall/contact';
import { buildOriginateRequest, RESERVED_CAV_KEYS } from '../../src/clicktocall/originate-request';
import { addCavs, expectedVars, hostile } from '../support/originate-expectations';

/** `FUZZ_RUNS=100000 npm run test:unit` for a long run; the default keeps the suite fast. */
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 2000) || 2000;

const benignText = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 .,'&-]{0,20}[A-Za-z0-9]$/);
const text = fc.oneof(benignText, hostile);
const key = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/),
  fc.constantFrom(...RESERVED_CAV_KEYS),
  hostile,
);
const dict = fc.dictionary(key, text, { maxKeys: 4 });
const route = fc.oneof(fc.constantFrom('1000', '2600', 'sales', '*97'), hostile);
const contactRaw = fc.oneof(
  fc.constantFrom(
    '+1 (415) 886-7900',
    '4158867900',
    '2601',
    '*97',
    '0044 20 7946 0000',
    'sip:alice@example.com',
  ),
  hostile,
);
const ringback = fc.oneof(
  fc.constantFrom('us-ring', 'uk-ring', '%(2000,4000,440,480)', 'local_stream://moh'),
  hostile,
);

const configArb: fc.Arbitrary<ClickToCallDoc> = fc.record(
  {
    id: fc.constant('0123456789abcdef0123456789abcdef'),
    name: text,
    extension: route,
    auth_required: fc.boolean(),
    custom_application_vars: dict,
    bypass_media: fc.constantFrom<ClickToCallDoc['bypass_media']>(true, false, 'true', 'false', 'auto'),
    caller_id_number: text,
    custom_sip_headers: fc.record({ out: dict, in: dict, 'X-Flat': text }, { requiredKeys: [] }),
    dial_first: fc.constantFrom('extension' as const, 'contact' as const),
    media: fc.record({ ignore_early_media: fc.boolean() }),
    music_on_hold: fc.record({ media_id: fc.oneof(fc.constant('/var/moh.wav'), hostile) }),
    outbound_callee_id_name: text,
    outbound_callee_id_number: text,
    presence_id: text,
    ringback,
    timeout: fc.integer({ min: 1, max: 600 }),
  },
  { requiredKeys: ['id', 'name', 'extension', 'auth_required', 'custom_application_vars'] },
);

const account: Account = {
  id: 'acct-0000000000000000000000000000000a',
  name: 'A',
  realm: 'r.example',
  parent_id: null,
  context: null,
};
const CALL_ID = 'c2c-0123456789abcdef0123456789abcdef-a1b2c3d4e5';
/** Either a typed rejection, or a command that FreeSWITCH (as modelled) reads back into exactly the intent. */
function check(
  cfg: ClickToCallDoc,
  rawContact: string,
  requestVars: Record<string, string>,
  context: string,
): 'accepted' | 'rejected' {
  const normalized = normalizeContact(rawContact, { allowSip: true });
  if (!normalized.ok) {
    expect(normalized.reason).to.be.a('string');
    return 'rejected';
  }
  const contact = normalized.contact;
  let command: string;
  try {
    command = buildOriginateRequest({
      config: cfg,
      account,
      context,
      contact,
      requestVars,
      callId: CALL_ID,
    }).command;
  } catch (err) {
    expect(err, String(err)).to.be.instanceOf(OriginateInputError);
    return 'rejected';
  }
  expect(command).not.to.match(/[\r\n]/);
  expect(command).not.to.match(/mod_event_socket/i);
  expect(command.startsWith('originate ')).to.equal(true);

  const parsed = parseOriginate(command.slice('originate '.length));
  if ('error' in parsed) throw new Error(`the switch would answer ${parsed.error} to ${command}`);
  const extFirst = (cfg.dial_first ?? 'extension') === 'extension';
  const [first, second] = extFirst ? [cfg.extension, contact] : [contact, cfg.extension];
  expect(parsed.blocks).to.equal(1);
  expect(parsed.endpoint).to.equal(`loopback/${first}/${context}`);
  expect([parsed.route, parsed.dialplan, parsed.context, parsed.rest]).to.deep.equal([
    second,
    'XML',
    context,
    [],
  ]);
  expect(parsed.refused).to.deep.equal([]);
  expect(new Set(parsed.varOrder).size).to.equal(parsed.varOrder.length);

  const expected = expectedVars(cfg, contact, context, { callId: CALL_ID, accountId: account.id });
  addCavs(expected, cfg, requestVars);
  expect(parsed.vars).to.deep.equal(expected);
  return 'accepted';
}

describe('esl/originate fuzz (property: reject with a typed error, or round-trip exactly)', function () {
  this.timeout(120_000);

  it(`when every config field, header, variable and the contact are hostile, then the property holds (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(configArb, contactRaw, dict, fc.constantFrom('default', 'c2c'), (cfg, raw, req, ctx) => {
        check(cfg, raw, req, ctx);
      }),
      { numRuns: RUNS },
    );
  });

  it(`when one field at a time is hostile and the rest benign, then the property holds (${RUNS} runs)`, () => {
    const base: ClickToCallDoc = {
      id: '0123456789abcdef0123456789abcdef',
      name: 'Web Lead',
      extension: '1000',
      auth_required: true,
      custom_application_vars: { source: 'web' },
    };
    type Setter = (
      cfg: ClickToCallDoc,
      s: string,
      k: string,
    ) => [ClickToCallDoc, string, Record<string, string>];
    const setters: Setter[] = [
      (c, s) => [{ ...c, name: s }, '+14155550100', {}],
      (c, s) => [{ ...c, extension: s }, '+14155550100', {}],
      (c, s) => [{ ...c, caller_id_number: s }, '+14155550100', {}],
      (c, s) => [{ ...c, outbound_callee_id_name: s, dial_first: 'contact' }, '+14155550100', {}],
      (c, s) => [{ ...c, outbound_callee_id_number: s, bypass_media: true }, '+14155550100', {}],
      (c, s) => [{ ...c, presence_id: s }, '+14155550100', {}],
      (c, s) => [{ ...c, ringback: s }, '+14155550100', {}],
      (c, s) => [{ ...c, music_on_hold: { media_id: `/${s}` } }, '+14155550100', {}],
      (c, s, k) => [{ ...c, custom_sip_headers: { [k]: s } }, '+14155550100', {}],
      (c, s, k) => [{ ...c, custom_sip_headers: { out: { [k]: s }, in: { [k]: s } } }, '+14155550100', {}],
      (c, s, k) => [{ ...c, custom_application_vars: { [k]: s } }, '+14155550100', {}],
      (c, s, k) => [c, '+14155550100', { [k]: s }],
      (c, s) => [c, s, {}],
      (c, s) => [{ ...c, dial_first: 'contact' }, s, {}],
    ];
    const benignKey = fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/);
    let accepted = 0;
    fc.assert(
      fc.property(hostile, fc.nat(setters.length - 1), fc.oneof(benignKey, hostile), (s, i, k) => {
        const [cfg, raw, req] = (setters[i] as Setter)(base, s, k);
        if (check(cfg, raw, req, 'default') === 'accepted') accepted++;
      }),
      { numRuns: RUNS },
    );
    // The property must not hold only because everything is rejected.
    expect(accepted).to.be.greaterThan(RUNS / 10);
  });

  it('when a value is benign but full of syntax, then it is accepted and round-trips (not just rejected)', () => {
    const cfg: ClickToCallDoc = {
      id: '0123456789abcdef0123456789abcdef',
      name: 'O\'Brien, "Sales" & {Support} | [EU] ^^:x = 50% \\ é中😀',
      extension: '1000',
      auth_required: true,
      custom_application_vars: { note: 'a,b c\\d' },
      custom_sip_headers: { 'X-Lead': "it's, fine" },
    };
    expect(check(cfg, '+1 415 886 7900', { 'Account-ID': 'evil' }, 'default')).to.equal('accepted');
    expect(
      buildOriginateRequest({
        config: cfg,
        account,
        context: 'default',
        contact: '+14158867900',
        requestVars: {},
        callId: CALL_ID,
      }).command,
    ).to.contain('cav_note=');
  });
});
