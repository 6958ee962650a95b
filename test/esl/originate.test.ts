import { expect } from 'chai';
import {
  buildOriginate,
  channelValueProblem,
  escapeChannelValue,
  OriginateInputError,
  routeProblem,
  type OriginateSpec,
  type OriginateVar,
} from '../../esl';
import { readRecords, readWire } from '../support/capture-reader';

/** Decodes a Python `repr()` string literal as the capture NOTEs print them. */
function pyString(s: string, from: number): [string, number] {
  const quote = s[from];
  let out = '';
  let i = from + 1;
  while (s[i] !== quote) {
    const c = s[i] as string;
    if (c !== '\\') {
      out += c;
      i++;
      continue;
    }
    const e = s[i + 1] as string;
    const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', "'": "'", '"': '"' };
    if (simple[e] !== undefined) {
      out += simple[e];
      i += 2;
    } else if (e === 'x') {
      out += String.fromCharCode(parseInt(s.slice(i + 2, i + 4), 16));
      i += 4;
    } else throw new Error(`unknown escape \\${e}`);
  }
  return [out, i + 1];
}

type EscapeCase = {
  value: string;
  form: string;
  wire: string;
  sent?: string;
  readBack?: string;
  job?: string;
};

/** The h7 cases: NOTE VALUE/FORM/WIRE, the originate sent, its job result and `uuid_getvar` on loopback-a. */
function escapingCases(name: string): EscapeCase[] {
  const cases: EscapeCase[] = [];
  let current: EscapeCase | undefined;
  let awaitingGetvar = false;
  for (const r of readRecords(name)) {
    if (r.kind === 'note') {
      const at = r.text.indexOf('VALUE ');
      if (at === -1) continue;
      const [value, afterValue] = pyString(r.text, at + 6);
      const form = /^ FORM (\S+) WIRE /.exec(r.text.slice(afterValue));
      if (!form) throw new Error(`bad NOTE ${r.text}`);
      const [wire] = pyString(r.text, afterValue + form[0].length);
      current = { value, form: form[1] as string, wire };
      cases.push(current);
      continue;
    }
    if (!current || r.kind === 'meta') continue;
    const text = r.bytes.toString('utf8');
    if (r.kind === 'sent' && text.startsWith('bgapi originate '))
      current.sent = text.slice(16, text.indexOf('\n'));
    if (r.kind === 'sent' && text.startsWith('api uuid_getvar') && current.readBack === undefined)
      awaitingGetvar = true;
    if (r.kind === 'recv' && awaitingGetvar && text.startsWith('Content-Type: api/response')) {
      current.readBack = text.slice(text.indexOf('\n\n') + 2);
      awaitingGetvar = false;
    }
    if (r.kind === 'recv' && text.includes('Event-Name: BACKGROUND_JOB') && current.job === undefined) {
      current.job = text.slice(text.lastIndexOf('\n\n') + 2);
    }
  }
  return cases;
}

function specWith(vars: OriginateVar[]): OriginateSpec {
  return {
    vars,
    endpoint: { type: 'loopback', destination: '1000', context: 'default' },
    route: '4158867900',
    dialplan: 'XML',
    context: 'default',
  };
}

function inputError(fn: () => unknown): OriginateInputError {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(OriginateInputError);
    return err as OriginateInputError;
  }
  throw new Error('expected an OriginateInputError');
}

describe('esl/originate', () => {
  describe('escapeChannelValue, against h7-escaping-values (FreeSWITCH 1.10.12)', () => {
    const cases = escapingCases('h7-escaping-values.plain.txt').filter((c) => c.form === 'full-escape');

    it('when the capture is read, then it holds the 19 full-escape cases', () => {
      expect(cases).to.have.length(19);
    });

    for (const c of cases) {
      it(`when the value is ${JSON.stringify(c.value)}, then the wire is the captured one`, () => {
        expect(escapeChannelValue(c.value)).to.equal(c.wire);
        expect(c.sent).to.contain(`x_test=${c.wire}}`);
      });

      if (channelValueProblem(c.value) === undefined) {
        it(`when ${JSON.stringify(c.value)} is passable, then FreeSWITCH read back exactly that value`, () => {
          expect(c.job).to.match(/^\+OK /);
          expect(c.readBack).to.equal(c.value);
        });
      } else {
        it(`when ${JSON.stringify(c.value)} is refused, then FreeSWITCH indeed could not take it (or LF: control)`, () => {
          const tookIt = c.job?.startsWith('+OK') === true && c.readBack === c.value;
          // LF is the one value FreeSWITCH can take escaped; we refuse every control character anyway.
          expect(tookIt).to.equal(c.value.includes('\n'));
        });
      }
    }
  });

  describe('escapeChannelValue, against h7-escaping-values-subset (event json)', () => {
    for (const c of escapingCases('h7-escaping-values-subset.json.txt')) {
      it(`when the value is ${JSON.stringify(c.value)}, then wire and read-back match the capture`, () => {
        expect(escapeChannelValue(c.value)).to.equal(c.wire);
        expect(c.readBack).to.equal(c.value);
      });
    }
  });

  describe('escapeChannelValue', () => {
    it('when a value has a blank, a comma, a quote and a backslash, then the three passes are applied in order', () => {
      expect(escapeChannelValue('a b')).to.equal('a\\sb');
      expect(escapeChannelValue('a,b')).to.equal('a\\\\,b');
      expect(escapeChannelValue("a'b")).to.equal("a\\\\\\\\\\\\\\'b");
      expect(escapeChannelValue('a\\b')).to.equal('a\\\\\\\\\\\\\\\\b');
      expect(escapeChannelValue('%(2000,4000,440,480)')).to.equal('%(2000\\\\,4000\\\\,440\\\\,480)');
    });

    it('when a value holds CR, LF or TAB, then the result holds none of them raw', () => {
      expect(escapeChannelValue('a\r\n\tb')).to.equal('a\\r\\n\\tb');
    });
  });

  describe('channelValueProblem', () => {
    const refused: Array<[string, RegExp]> = [
      ['', /empty/],
      ['${uuid}', /\$\{/],
      ['$${domain}', /\$\{/],
      ['a}b', /unbalanced/],
      ['a{b', /unbalanced/],
      ['}{', /unbalanced/],
      [' x', /blank/],
      ['x ', /blank/],
      ['line1\nline2', /control/],
      ['a\rb', /control/],
      ['a\tb', /control/],
      ['a\u0000b', /control/],
      ['a\u0085b', /control/],
      ['unload MOD_EVENT_SOCKET', /mod_event_socket/],
      ['\ud800', /Unicode/],
      ['x'.repeat(4097), /longer/],
    ];
    for (const [value, reason] of refused) {
      it(`when the value is ${JSON.stringify(value.slice(0, 30))}, then it is refused (${String(reason)})`, () => {
        expect(channelValueProblem(value)).to.match(reason);
      });
    }

    const accepted = [
      'hello world',
      'a,b',
      "it's 'quoted'",
      'a\\nb',
      '{a}',
      '[a]',
      'a=b',
      '^^:a:b',
      'a|b',
      'é ü 中',
      '😀',
    ];
    for (const value of accepted) {
      it(`when the value is ${JSON.stringify(value)}, then it is accepted`, () => {
        expect(channelValueProblem(value)).to.equal(undefined);
      });
    }

    it('when a problem is reported, then the message is short and user-facing', () => {
      expect(channelValueProblem('${x}')).to.equal('must not contain "${"');
    });
  });

  describe('routeProblem (h7-route-chars)', () => {
    // Characters that changed the dial string's meaning on the real switch, or are dial-string syntax.
    for (const c of [' ', '/', ',', ')', "'", '|', '[', '{', '<', ':_:', '@', '&', '\n', '$', '\\', '^']) {
      it(`when a route holds ${JSON.stringify(c)}, then it is refused for every kind`, () => {
        for (const kind of ['number', 'extension', 'context'] as const) {
          expect(routeProblem(`10${c}00`, kind), kind).to.be.a('string');
        }
        expect(routeProblem(`sip:10${c}00@example.com`, 'sip')).to.be.a('string');
      });
    }

    it('when a number is + and digits, or digits with * and #, then it is accepted', () => {
      for (const n of ['+14158867900', '4158867900', '2601', '*97', '#1', '*72#']) {
        expect(routeProblem(n, 'number'), n).to.equal(undefined);
      }
      for (const n of ['+', '+1*2', '12a', '+123456789012345678901', '']) {
        expect(routeProblem(n, 'number'), n).to.be.a('string');
      }
    });

    it('when an extension or context uses [0-9A-Za-z_.+*#-], then it is accepted', () => {
      expect(routeProblem('sales_1.main+*#-', 'extension')).to.equal(undefined);
      expect(routeProblem('default', 'context')).to.equal(undefined);
      expect(routeProblem('x'.repeat(65), 'extension')).to.match(/longer/);
    });

    it('when a route is "undef" in any case, then it is refused (originate turns it into NULL)', () => {
      expect(routeProblem('undef', 'extension')).to.match(/undef/);
      expect(routeProblem('UnDeF', 'context')).to.match(/undef/);
    });

    it('when a SIP route is sip:user@host[:port], then it is accepted, and nothing looser is', () => {
      expect(routeProblem('sip:alice@example.com', 'sip')).to.equal(undefined);
      expect(routeProblem('sip:+15551234567@sbc.example.com:5060', 'sip')).to.equal(undefined);
      for (const bad of [
        'alice@example.com',
        'sip:alice',
        'sip:@example.com',
        'sip:a@b;transport=tcp',
        'sip:a@-b',
      ]) {
        expect(routeProblem(bad, 'sip'), bad).to.be.a('string');
      }
    });
  });

  describe('buildOriginate', () => {
    /** The `{V}` + b5 recipe exactly as the i3-b5 recordings sent it, rebuilt from its parts. */
    function recipeSpec(id: string, contactFirst: boolean): OriginateSpec {
      const web = ['Web Lead', '+15551234567'] as const;
      const acme = ['Acme Sales', '+14155550100'] as const;
      const [caller, callee] = contactFirst ? [acme, web] : [web, acme];
      return {
        vars: [
          ['origination_uuid', id],
          ['c2c_call_id', id],
          ['c2c_account_id', 'acct1'],
          ['presence_data', id],
          [
            'export_vars',
            [
              'c2c_call_id',
              'c2c_account_id',
              'presence_data',
              'nolocal:bypass_media_after_bridge',
              'source',
              'nolocal:source',
              'nolocal:effective_caller_id_name',
              'nolocal:effective_caller_id_number',
            ],
          ],
          ['ignore_early_media', 'true'],
          ['originate_timeout', '20'],
          ['call_timeout', '20'],
          ['origination_caller_id_name', caller[0]],
          ['origination_caller_id_number', caller[1]],
          ['origination_callee_id_name', callee[0]],
          ['origination_callee_id_number', callee[1]],
          ['transfer_ringback', '%(2000,4000,440,480)'],
          ['loopback_bowout_on_execute', 'true'],
          ['nolocal:bypass_media_after_bridge', 'true'],
          ['nolocal:source', 'c2c'],
          ['nolocal:effective_caller_id_name', callee[0]],
          ['nolocal:effective_caller_id_number', callee[1]],
        ],
        endpoint: { type: 'loopback', destination: contactFirst ? '4158867900' : '1000', context: 'default' },
        route: contactFirst ? '1000' : '4158867900',
        dialplan: 'XML',
        context: 'default',
      };
    }

    for (const [file, contactFirst] of [
      ['i3-b5-recipe-ext-first.plain.txt', false],
      ['i3-b5-recipe-contact-first.plain.txt', true],
    ] as const) {
      it(`when given the parts of ${file}'s originate, then it rebuilds the captured bytes exactly`, () => {
        const sent = readWire(file)
          .filter((r) => r.kind === 'sent')
          .map((r) => r.bytes.toString('utf8'))
          .find((s) => s.startsWith('bgapi originate '));
        expect(sent).to.be.a('string');
        const line = (sent as string).slice(0, (sent as string).indexOf('\n'));
        const id = /origination_uuid=([^,]+),/.exec(line)?.[1] as string;
        expect(`bgapi originate ${buildOriginate(recipeSpec(id, contactFirst))}`).to.equal(line);
      });
    }

    it('when a variable name is invalid, then it throws OriginateInputError naming it', () => {
      for (const name of ['a b', 'a,b', 'a=b', 'a}b', '', 'x:y', 'nolocal:', "a'b", 'mod_event_socket']) {
        const err = inputError(() => buildOriginate(specWith([[name, 'v']])));
        expect(err.field).to.equal(name);
      }
    });

    it('when a name is given twice, then it throws', () => {
      expect(
        inputError(() =>
          buildOriginate(
            specWith([
              ['a', '1'],
              ['a', '2'],
            ]),
          ),
        ).problem,
      ).to.match(/twice/);
    });

    it('when a value cannot be passed, then it throws with the variable name as field', () => {
      const err = inputError(() => buildOriginate(specWith([['x_test', 'a${b}']])));
      expect(err.field).to.equal('x_test');
      expect(err.problem).to.equal('must not contain "${"');
      expect(err.message).to.equal('x_test must not contain "${"');
    });

    it('when a list value holds something other than variable names, then it throws', () => {
      expect(inputError(() => buildOriginate(specWith([['export_vars', ['a', 'b,c']]]))).field).to.equal(
        'export_vars',
      );
      expect(inputError(() => buildOriginate(specWith([['export_vars', []]]))).field).to.equal('export_vars');
    });

    it('when a route, destination or context is unsafe, then it throws naming which', () => {
      const base = specWith([]);
      expect(inputError(() => buildOriginate({ ...base, route: '41588 67900' })).field).to.equal('route');
      expect(
        inputError(() => buildOriginate({ ...base, endpoint: { ...base.endpoint, destination: '10/00' } }))
          .field,
      ).to.equal('destination');
      expect(inputError(() => buildOriginate({ ...base, context: 'x,y' })).field).to.equal('context');
      expect(
        inputError(() => buildOriginate({ ...base, endpoint: { ...base.endpoint, context: 'a b' } })).field,
      ).to.equal('context');
    });

    it('when values hold blanks, quotes and LF-like text, then the result is one line in the positional form', () => {
      const args = buildOriginate(specWith([['a', "it's a test, \\n"]]));
      expect(args).to.equal(
        "{a=it\\\\\\\\\\\\\\'s\\sa\\stest\\\\,\\s\\\\\\\\\\\\\\\\n}loopback/1000/default 4158867900 XML default",
      );
      expect(args).not.to.match(/[\r\n]/);
    });

    it('when there are no variables, then there is no {} block', () => {
      expect(buildOriginate(specWith([]))).to.equal('loopback/1000/default 4158867900 XML default');
    });
  });
});
