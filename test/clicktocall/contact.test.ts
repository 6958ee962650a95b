import { expect } from 'chai';
import { normalizeContact } from '../../src/clicktocall/contact';

const numbers: Array<[string, string]> = [
  ['4158867900', '+14158867900'],
  ['(415) 886-7900', '+14158867900'],
  ['415.886.7900', '+14158867900'],
  ['1 415 886 7900', '+14158867900'],
  ['14158867900', '+14158867900'],
  ['+1 415 886 7900', '+14158867900'],
  ['+44 20 7946 0000', '+442079460000'],
  ['011 44 20 7946 0000', '+442079460000'],
  ['0044 20 7946 0000', '+442079460000'],
  ['33612345678', '+33612345678'],
  ['49301234', '+49301234'],
  ['2601', '2601'],
  ['*97', '*97'],
  ['*72#', '*72#'],
  ['1999', '1999'],
  ['0612345678', '0612345678'],
  ['  2601  ', '2601'],
];

describe('clicktocall/contact normalizeContact', () => {
  for (const [raw, contact] of numbers) {
    it(`when the contact is ${JSON.stringify(raw)}, then it becomes ${contact}`, () => {
      expect(normalizeContact(raw, { allowSip: false })).to.deep.equal({ ok: true, contact, kind: 'number' });
    });
  }

  const refused = [
    '',
    '   ',
    '+',
    'abc',
    '415-CALL-NOW',
    '"4158867900"',
    '{4158867900}',
    '415,8867900',
    '415&8867900',
    '415|8867900',
    '4158867900\n',
    '4158867900\r\napi echo x',
    '\t2601',
    '+1*97',
    '1'.repeat(65),
    '+123456789012345678901',
    '41588/67900',
    "41588'67900",
    'sip:alice@example.com;transport=tcp',
    'mod_event_socket',
  ];
  for (const raw of refused) {
    it(`when the contact is ${JSON.stringify(raw.slice(0, 30))}, then it is refused with a reason`, () => {
      const result = normalizeContact(raw, { allowSip: true });
      expect(result.ok).to.equal(false);
      expect((result as { reason: string }).reason)
        .to.be.a('string')
        .and.not.equal('');
    });
  }

  it('when a SIP URI is given and the account allows it, then it is kept as sip:user@host', () => {
    expect(normalizeContact('sip:alice@example.com', { allowSip: true })).to.deep.equal({
      ok: true,
      contact: 'sip:alice@example.com',
      kind: 'sip',
    });
    expect(normalizeContact(' SIP:+15551234567@sbc.example.com:5060 ', { allowSip: true })).to.deep.equal({
      ok: true,
      contact: 'sip:+15551234567@sbc.example.com:5060',
      kind: 'sip',
    });
  });

  it('when a SIP URI is given and the account does not allow it, then it is refused', () => {
    const result = normalizeContact('sip:alice@example.com', { allowSip: false });
    expect(result).to.deep.equal({ ok: false, reason: 'SIP URIs are not allowed for this account' });
  });

  it('when a SIP URI is malformed, then it is refused even when allowed', () => {
    for (const raw of [
      'sip:alice',
      'sip:@example.com',
      'sip:a b@example.com',
      'sip:a@ex ample.com',
      'sip:a@b,c',
    ]) {
      expect(normalizeContact(raw, { allowSip: true }).ok, raw).to.equal(false);
    }
  });

  it('when the contact has exactly 64 characters of decoration, then the bound applies to the raw text', () => {
    expect(normalizeContact(`${' '.repeat(54)}4158867900`, { allowSip: false }).ok).to.equal(true);
    expect(normalizeContact(`${' '.repeat(55)}4158867900`, { allowSip: false }).ok).to.equal(false);
  });
});
