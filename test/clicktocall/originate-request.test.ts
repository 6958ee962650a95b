import { expect } from 'chai';
import { OriginateInputError } from '../../esl';
import { parseOriginate, type ParsedOriginate } from '../../fake-switch/originate-parser';
import type { Account, ClickToCallDoc } from '../../src/domain';
import {
  buildOriginateRequest,
  RESERVED_CAV_KEYS,
  type OriginateRequestInput,
} from '../../src/clicktocall/originate-request';

const C2C_ID = '0123456789abcdef0123456789abcdef';
const CALL_ID = `c2c-${C2C_ID}-a1b2c3d4e5`;
const account: Account = {
  id: 'acct-0000000000000000000000000000000a',
  name: 'Acme',
  realm: 'acme.example',
  parent_id: null,
  context: null,
};

function config(extra: Partial<ClickToCallDoc> = {}): ClickToCallDoc {
  return {
    id: C2C_ID,
    name: 'Web Lead',
    extension: '1000',
    auth_required: true,
    custom_application_vars: {},
    ...extra,
  };
}

function input(extra: Partial<OriginateRequestInput> = {}): OriginateRequestInput {
  return {
    config: config(),
    account,
    context: 'default',
    contact: '+14155550100',
    requestVars: {},
    callId: CALL_ID,
    ...extra,
  };
}

function parse(command: string): ParsedOriginate {
  expect(command.startsWith('originate ')).to.equal(true);
  const parsed = parseOriginate(command.slice('originate '.length));
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed;
}

function vars(
  extra: Partial<ClickToCallDoc> = {},
  more: Partial<OriginateRequestInput> = {},
): Record<string, string> {
  return parse(buildOriginateRequest(input({ config: config(extra), ...more })).command).vars;
}

function rejection(fn: () => unknown): OriginateInputError {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(OriginateInputError);
    return err as OriginateInputError;
  }
  throw new Error('expected an OriginateInputError');
}

describe('clicktocall/originate-request buildOriginateRequest', () => {
  describe('defaults (extension first)', () => {
    it('when the configuration has only its required fields, then the command is the verified positional shape (docs/originate.md#form)', () => {
      const { command } = buildOriginateRequest(input());
      expect(command).to.equal(
        `originate {origination_uuid=${CALL_ID},c2c_call_id=${CALL_ID},c2c_id=${C2C_ID},` +
          `c2c_account_id=${account.id},presence_data=${CALL_ID},` +
          'export_vars=c2c_call_id\\,c2c_id\\,c2c_account_id\\,presence_data,' +
          'ignore_early_media=true,originate_timeout=30,call_timeout=30,' +
          'origination_caller_id_name=Web\\sLead,origination_caller_id_number=+14155550100,' +
          'origination_callee_id_name=1000,origination_callee_id_number=1000}' +
          'loopback/1000/default +14155550100 XML default',
      );
    });

    it('when parsed back as FreeSWITCH would, then all four correlation variables are exported', () => {
      const v = vars();
      expect(v['export_vars']).to.equal('c2c_call_id,c2c_id,c2c_account_id,presence_data');
      expect([v['c2c_call_id'], v['presence_data'], v['origination_uuid']]).to.deep.equal([
        CALL_ID,
        CALL_ID,
        CALL_ID,
      ]);
      expect(v['c2c_id']).to.equal(C2C_ID);
      expect(v['c2c_account_id']).to.equal(account.id);
    });

    it('when nothing asks for media changes, then no bypass, proxy or effective caller id is sent', () => {
      const { command } = buildOriginateRequest(input());
      expect(command).not.to.match(/bypass_media|proxy_media|effective_caller_id|loopback_bowout/);
    });
  });

  describe('fields', () => {
    it('when timeout is 45, then originate_timeout and call_timeout are 45', () => {
      const v = vars({ timeout: 45 });
      expect([v['originate_timeout'], v['call_timeout']]).to.deep.equal(['45', '45']);
    });

    it('when timeout is not a whole number of seconds, then it is refused', () => {
      expect(
        rejection(() => buildOriginateRequest(input({ config: config({ timeout: 0 }) }))).field,
      ).to.equal('timeout');
      expect(
        rejection(() => buildOriginateRequest(input({ config: config({ timeout: 1.5 }) }))).field,
      ).to.equal('timeout');
    });

    it('when media.ignore_early_media is false, then ignore_early_media=false', () => {
      expect(vars({ media: { ignore_early_media: false } })['ignore_early_media']).to.equal('false');
      expect(vars({ media: {} })['ignore_early_media']).to.equal('true');
    });

    it('when ringback is a known name, then transfer_ringback is its tone, with commas escaped on the wire', () => {
      const { command } = buildOriginateRequest(input({ config: config({ ringback: 'us-ring' }) }));
      expect(command).to.contain('transfer_ringback=%(2000\\\\,4000\\\\,440\\\\,480)');
      expect(parse(command).vars['transfer_ringback']).to.equal('%(2000,4000,440,480)');
      expect(parse(command).vars).not.to.have.property('ringback');
    });

    it('when ringback is a URI, then it is sent as is; when it holds ${, then it is refused', () => {
      expect(vars({ ringback: 'local_stream://moh' })['transfer_ringback']).to.equal('local_stream://moh');
      const err = rejection(() =>
        buildOriginateRequest(input({ config: config({ ringback: '${hold_music}' }) })),
      );
      expect([err.field, err.problem]).to.deep.equal(['ringback', 'must not contain "${"']);
    });

    it('when music_on_hold.media_id is set, then hold_music carries it', () => {
      expect(vars({ music_on_hold: { media_id: 'local_stream://default' } })['hold_music']).to.equal(
        'local_stream://default',
      );
      const err = rejection(() =>
        buildOriginateRequest(input({ config: config({ music_on_hold: { media_id: 'moh' } }) })),
      );
      expect(err.field).to.equal('music_on_hold.media_id');
    });

    it('when presence_id is set, then presence_id carries it', () => {
      expect(vars({ presence_id: '1000@acme.example' })['presence_id']).to.equal('1000@acme.example');
    });

    it('when custom_sip_headers has flat and out headers, then each is sip_h_<Header>, out winning, in ignored', () => {
      const v = vars({
        custom_sip_headers: {
          'X-Flat': 'f',
          'X-Both': 'flat',
          out: { 'X-Out': 'o o', 'X-Both': 'out', 'X-Num': 7 },
          in: { 'X-In': 'i' },
        },
      });
      expect(v['sip_h_X-Flat']).to.equal('f');
      expect(v['sip_h_X-Out']).to.equal('o o');
      expect(v['sip_h_X-Both']).to.equal('out');
      expect(v['sip_h_X-Num']).to.equal('7');
      expect(v).not.to.have.property('sip_h_X-In');
      expect(Object.keys(v).filter((k) => k.startsWith('sip_h_') || k.startsWith('sip_rh_'))).to.have.length(
        4,
      );
    });

    it('when a header name or value is unsafe, then it is refused with its path', () => {
      const bad = rejection(() =>
        buildOriginateRequest(
          input({ config: config({ custom_sip_headers: { out: { 'X-A': 'a\r\nb' } } }) }),
        ),
      );
      expect(bad.field).to.equal('custom_sip_headers.out.X-A');
      const name = rejection(() =>
        buildOriginateRequest(input({ config: config({ custom_sip_headers: { 'X A': 'v' } }) })),
      );
      expect(name.field).to.equal('custom_sip_headers.X A');
    });

    it('when application variables come from config and request, then the request wins and reserved keys are dropped', () => {
      const v = vars(
        { custom_application_vars: { source: 'config', campaign: 'spring', 'Account-ID': 'x' } },
        { requestVars: { source: 'request', authorizing_type: 'x', owner_id: 'x', lead: '42' } },
      );
      const cavs = Object.fromEntries(Object.entries(v).filter(([k]) => k.startsWith('cav_')));
      expect(cavs).to.deep.equal({ cav_source: 'request', cav_campaign: 'spring', cav_lead: '42' });
    });

    it('when a variable key is __proto__, then it stays an ordinary variable (fuzz finding)', () => {
      const requestVars = JSON.parse('{"__proto__":"x","constructor":"y"}') as Record<string, string>;
      const { command, echo } = buildOriginateRequest(input({ requestVars }));
      expect(parse(command).vars).to.include({ cav___proto__: 'x', cav_constructor: 'y' });
      expect(Object.keys(echo['custom_application_vars'] as object)).to.deep.equal([
        '__proto__',
        'constructor',
      ]);
    });

    it('when the reserved list is consulted, then it is Kazoo’s DEFAULT_CCV_KEYS', () => {
      expect(RESERVED_CAV_KEYS).to.include.members([
        'Account-ID',
        'Authorizing-ID',
        'Authorizing-Type',
        'Owner-ID',
        'Realm',
        'Username',
      ]);
      expect(RESERVED_CAV_KEYS).to.have.length(27);
    });

    it('when an application variable key or value is unsafe, then it is refused with its path', () => {
      const err = rejection(() => buildOriginateRequest(input({ requestVars: { k: 'x${y}' } })));
      expect(err.field).to.equal('custom_application_vars.k');
      expect(rejection(() => buildOriginateRequest(input({ requestVars: { 'a b': 'v' } }))).field).to.equal(
        'custom_application_vars.a b',
      );
    });

    it('when the extension, contact or context is unsafe, then it is refused and never built', () => {
      expect(
        rejection(() => buildOriginateRequest(input({ config: config({ extension: '10/00' }) }))).field,
      ).to.equal('extension');
      expect(
        rejection(() => buildOriginateRequest(input({ config: config({ extension: 'undef' }) }))).field,
      ).to.equal('extension');
      expect(rejection(() => buildOriginateRequest(input({ contact: '415 886' }))).field).to.equal('contact');
      expect(rejection(() => buildOriginateRequest(input({ context: 'de fault' }))).field).to.equal(
        'context',
      );
      expect(rejection(() => buildOriginateRequest(input({ callId: 'not-ours' }))).field).to.equal('call_id');
    });

    it('when a caller id holds mod_event_socket, then the request is refused', () => {
      const err = rejection(() =>
        buildOriginateRequest(input({ config: config({ name: 'reload Mod_Event_Socket' }) })),
      );
      expect([err.field, err.problem]).to.deep.equal(['name', 'must not contain "mod_event_socket"']);
    });

    it('when the account has its own context, then both the loopback and the route use the given context', () => {
      const p = parse(buildOriginateRequest(input({ context: 'acme_c2c' })).command);
      expect([p.endpoint, p.context]).to.deep.equal(['loopback/1000/acme_c2c', 'acme_c2c']);
    });
  });

  describe('caller ids (h3, both call orders)', () => {
    const ids = {
      name: 'Web Lead',
      caller_id_number: '+15551234567',
      outbound_callee_id_name: 'Acme Sales',
      outbound_callee_id_number: '+14155550100',
    };

    it('when the extension is dialled first, then it sees name/caller_id_number and the contact sees the callee id', () => {
      const p = parse(buildOriginateRequest(input({ config: config(ids), contact: '4158867900' })).command);
      expect([p.endpoint, p.route]).to.deep.equal(['loopback/1000/default', '4158867900']);
      expect(p.vars['origination_caller_id_name']).to.equal('Web Lead');
      expect(p.vars['origination_caller_id_number']).to.equal('+15551234567');
      expect(p.vars['origination_callee_id_name']).to.equal('Acme Sales');
      expect(p.vars['origination_callee_id_number']).to.equal('+14155550100');
    });

    it('when the contact is dialled first, then the pairs swap and the routes swap', () => {
      const p = parse(
        buildOriginateRequest(
          input({ config: config({ ...ids, dial_first: 'contact' }), contact: '4158867900' }),
        ).command,
      );
      expect([p.endpoint, p.route]).to.deep.equal(['loopback/4158867900/default', '1000']);
      expect(p.vars['origination_caller_id_name']).to.equal('Acme Sales');
      expect(p.vars['origination_caller_id_number']).to.equal('+14155550100');
      expect(p.vars['origination_callee_id_name']).to.equal('Web Lead');
      expect(p.vars['origination_callee_id_number']).to.equal('+15551234567');
    });

    it('when no ids are configured, then the extension sees the contact and the contact sees the extension', () => {
      for (const dialFirst of ['extension', 'contact'] as const) {
        const v = vars({ dial_first: dialFirst });
        const [extSees, contactSees] =
          dialFirst === 'extension'
            ? [v['origination_caller_id_number'], v['origination_callee_id_number']]
            : [v['origination_callee_id_number'], v['origination_caller_id_number']];
        expect([extSees, contactSees], dialFirst).to.deep.equal(['+14155550100', '1000']);
      }
    });

    it('when ids are empty strings, then the defaults apply', () => {
      const v = vars({ caller_id_number: '', outbound_callee_id_name: '', outbound_callee_id_number: '' });
      expect(v['origination_caller_id_number']).to.equal('+14155550100');
      expect(v['origination_callee_id_name']).to.equal('1000');
    });

    it('when any order is used, then effective_caller_id_* is never set without nolocal:', () => {
      for (const dial_first of ['extension', 'contact'] as const) {
        for (const bypass_media of [undefined, true] as const) {
          const { command } = buildOriginateRequest(
            input({ config: config({ ...ids, dial_first, bypass_media }) }),
          );
          expect(command).not.to.match(/[{,]effective_caller_id/);
        }
      }
    });
  });

  describe('bypass_media (i3 b5 recipe)', () => {
    const RECIPE_EXPORTS =
      '\\,nolocal:bypass_media_after_bridge\\,source\\,nolocal:source\\,nolocal:effective_caller_id_name\\,nolocal:effective_caller_id_number';

    for (const bypass of [true, 'true'] as const) {
      it(`when bypass_media is ${JSON.stringify(bypass)}, then the b5 recipe is appended exactly`, () => {
        const { command } = buildOriginateRequest(
          input({
            config: config({
              bypass_media: bypass,
              outbound_callee_id_name: 'Acme Sales',
              outbound_callee_id_number: '+14155550100',
            }),
          }),
        );
        expect(command).to.contain(
          `export_vars=c2c_call_id\\,c2c_id\\,c2c_account_id\\,presence_data${RECIPE_EXPORTS},`,
        );
        expect(command).to.match(
          /,loopback_bowout_on_execute=true,nolocal:bypass_media_after_bridge=true,nolocal:source=c2c,nolocal:effective_caller_id_name=Acme\\sSales,nolocal:effective_caller_id_number=\+14155550100\}loopback\//,
        );
        expect(command).not.to.match(/[{,]bypass_media=|proxy_media/);
      });
    }

    it('when the contact is first, then the recipe’s effective caller id is the extension’s view (second party)', () => {
      const v = vars({ bypass_media: true, dial_first: 'contact' });
      expect(v['nolocal:effective_caller_id_name']).to.equal('Web Lead');
      expect(v['nolocal:effective_caller_id_number']).to.equal('+14155550100');
      expect(v['nolocal:effective_caller_id_number']).to.equal(v['origination_callee_id_number']);
    });

    for (const bypass of [false, 'false', 'auto', undefined] as const) {
      it(`when bypass_media is ${JSON.stringify(bypass)}, then media stays on the switch (nothing added)`, () => {
        const { command } = buildOriginateRequest(input({ config: config({ bypass_media: bypass }) }));
        expect(command).not.to.match(/bypass|bowout|nolocal|source/);
      });
    }
  });

  describe('the 202 echo (seed shape)', () => {
    const SEED_KEYS = [
      'application_data',
      'application_name',
      'continue_on_fail',
      'custom_application_vars',
      'custom_channel_vars',
      'dial_endpoint_method',
      'endpoints',
      'export_custom_channel_vars',
      'ignore_early_media',
      'loopback_bowout',
      'outbound_call_id',
      'outbound_callee_id_name',
      'outbound_callee_id_number',
      'outbound_caller_id_name',
      'outbound_caller_id_number',
      'simplify_loopback',
      'start_control_process',
      'timeout',
    ];

    it('when built with defaults, then the echo has every key of the seed example plus call_id', () => {
      const { echo } = buildOriginateRequest(input({ requestVars: { lead: '42' } }));
      expect(echo).to.have.all.keys([...SEED_KEYS, 'call_id']);
      expect(echo).to.deep.include({
        application_name: 'transfer',
        application_data: { route: '+14155550100' },
        continue_on_fail: true,
        custom_application_vars: { lead: '42' },
        dial_endpoint_method: 'single',
        endpoints: [{ invite_format: 'loopback', route: '1000', to_did: '1000', to_realm: 'acme.example' }],
        export_custom_channel_vars: [
          'Account-ID',
          'Authorizing-ID',
          'Authorizing-Type',
          'Loopback-Request-URI',
          'From-URI',
          'Request-URI',
        ],
        ignore_early_media: true,
        loopback_bowout: 'false',
        outbound_call_id: CALL_ID,
        outbound_callee_id_name: '1000',
        outbound_callee_id_number: '1000',
        outbound_caller_id_name: 'Web Lead',
        outbound_caller_id_number: '+14155550100',
        simplify_loopback: 'false',
        start_control_process: 'false',
        timeout: 30,
        call_id: CALL_ID,
      });
      expect(echo['custom_channel_vars']).to.deep.equal({
        account_id: account.id,
        authorizing_id: C2C_ID,
        authorizing_type: 'clicktocall',
        auto_answer_loopback: false,
        from_uri: '1000@acme.example',
        inherit_codec: false,
        loopback_request_uri: '+14155550100@acme.example',
        request_uri: '+14155550100@acme.example',
        retain_cid: true,
      });
    });

    it("when caller and callee numbers are set, then the URIs are built from them as Kazoo's build_originate_req builds them", () => {
      const { echo } = buildOriginateRequest(
        input({
          config: config({ caller_id_number: '+15550001111', outbound_callee_id_number: '4155559999' }),
        }),
      );
      expect(echo['custom_channel_vars']).to.include({
        // From: the callee's number, normalized; Request-URI and Loopback-Request-URI: the caller's, as configured.
        from_uri: '+14155559999@acme.example',
        request_uri: '+15550001111@acme.example',
        loopback_request_uri: '+15550001111@acme.example',
      });
      expect(echo).to.include({ outbound_callee_id_number: '+14155559999' });
    });

    it('when the extension is all digits of a national number, then the contact sees it normalized, and it is dialled as configured', () => {
      const built = buildOriginateRequest(input({ config: config({ extension: '4155550123' }) }));
      expect(built.echo).to.include({
        outbound_callee_id_name: '+14155550123',
        outbound_callee_id_number: '+14155550123',
      });
      expect((built.echo['custom_channel_vars'] as Record<string, unknown>)['from_uri']).to.equal(
        '+14155550123@acme.example',
      );
      expect(built.command).to.contain('origination_callee_id_number=+14155550123');
      expect(built.command).to.contain('loopback/4155550123/');
      // A short extension, a name or a number already with + is shown as it is.
      for (const [given, shown] of [
        ['2600', '2600'],
        ['+4930123456', '+4930123456'],
        ['01130123456', '+30123456'],
        ['0049301234', '+49301234'],
        ['12125550123', '+12125550123'],
        ['23456789', '+23456789'],
        ['1234567', '1234567'],
      ] as const) {
        const { echo } = buildOriginateRequest(
          input({ config: config({ outbound_callee_id_number: given }) }),
        );
        expect(echo['outbound_callee_id_number'], given).to.equal(shown);
      }
    });

    it('when auto-answer is asked, then c2c_auto_answer=true is on the call and echoed; otherwise neither', () => {
      const on = buildOriginateRequest(input({ autoAnswer: true }));
      expect(on.command).to.match(/[{,]c2c_auto_answer=true[,}]/);
      expect(on.echo['custom_channel_vars']).to.include({ auto_answer_loopback: true });
      for (const autoAnswer of [false, undefined]) {
        const off = buildOriginateRequest(input(autoAnswer === undefined ? {} : { autoAnswer }));
        expect(off.command).to.not.contain('c2c_auto_answer');
        expect(off.echo['custom_channel_vars']).to.include({ auto_answer_loopback: false });
      }
    });

    it('when music_on_hold.media_id is a Kazoo media id, then hold_music is its location and the echo keeps the id', () => {
      const mediaId = 'ab'.repeat(16);
      const given = config({ music_on_hold: { media_id: mediaId } });
      const byDefault = buildOriginateRequest(input({ config: given }));
      expect(byDefault.command).to.contain(
        `hold_music=/var/lib/fs-clicktocall/media/${account.id}/${mediaId}.wav`,
      );
      expect(byDefault.echo['hold_media']).to.equal(mediaId);
      const templated = buildOriginateRequest(
        input({ config: given, mediaLocation: 'http_cache://http://m.example/{media_id}.mp3' }),
      );
      expect(templated.command).to.contain(`hold_music=http_cache://http://m.example/${mediaId}.mp3`);
      // A path stays as it is.
      const path = buildOriginateRequest(
        input({ config: config({ music_on_hold: { media_id: '/moh/a.wav' } }) }),
      );
      expect(path.command).to.contain('hold_music=/moh/a.wav');
    });

    it('when a variable name has a dot, then it reaches the call as cav_<name>', () => {
      const { command, echo } = buildOriginateRequest(input({ requestVars: { 'lead.id': '42' } }));
      expect(command).to.contain('cav_lead.id=42');
      expect(echo['custom_application_vars']).to.include({ 'lead.id': '42' });
    });

    it('when the contact is first, then the endpoint is the contact and the transfer route the extension', () => {
      const { echo } = buildOriginateRequest(input({ config: config({ dial_first: 'contact' }) }));
      expect(echo['application_data']).to.deep.equal({ route: '1000' });
      expect((echo['endpoints'] as Array<Record<string, unknown>>)[0]).to.include({
        route: '+14155550100',
        to_did: '+14155550100',
      });
      expect(echo).to.include({ outbound_caller_id_name: '1000', outbound_callee_id_name: 'Web Lead' });
    });

    it('when optional fields are set, then the echo reports what was sent', () => {
      const { echo } = buildOriginateRequest(
        input({
          config: config({
            bypass_media: true,
            ringback: 'uk-ring',
            presence_id: 'p@x',
            music_on_hold: { media_id: '/moh.wav' },
            custom_sip_headers: { out: { 'X-A': 1 } },
          }),
          contact: 'sip:alice@example.com',
        }),
      );
      expect(echo).to.deep.include({
        bypass_media: true,
        loopback_bowout: 'true',
        ringback: '%(400,200,400,450);%(400,2000,400,450)',
        presence_id: 'p@x',
        hold_media: '/moh.wav',
        custom_sip_headers: { 'X-A': '1' },
      });
      expect((echo['custom_channel_vars'] as Record<string, unknown>)['request_uri']).to.equal(
        'alice@example.com',
      );
    });
  });
});
