import { expect } from 'chai';
import { buildOriginate, escapeChannelValue } from '../../esl';
import { ORIGINATE_USAGE, parseOriginate, type ParsedOriginate } from '../../fake-switch/originate-parser';
import { readRecords } from '../support/capture-reader';

type Frame = { kind: 'sent' | 'recv' | 'note'; text: string };

/** A capture's records as text (NOTE lines without their time). */
function textRecords(name: string): Frame[] {
  return readRecords(name).flatMap((r): Frame[] => {
    if (r.kind === 'meta') return [];
    return [{ kind: r.kind, text: r.kind === 'note' ? r.text : r.bytes.toString('utf8') }];
  });
}

/** Every `bgapi originate` of a capture with its job's body, matched by Job-UUID. */
function originateJobs(name: string): Array<{ args: string; note: string; body: string; getvar?: string }> {
  const frames = textRecords(name);
  const bodies = new Map<string, string>();
  for (const f of frames) {
    if (f.kind === 'recv' && f.text.includes('Event-Name: BACKGROUND_JOB')) {
      const job = /\nJob-UUID: ([^\n]+)\n/.exec(f.text)?.[1] as string;
      bodies.set(job, f.text.slice(f.text.lastIndexOf('\n\n') + 2));
    }
  }
  const out: Array<{ args: string; note: string; body: string; getvar?: string }> = [];
  let note = '';
  for (let k = 0; k < frames.length; k++) {
    const f = frames[k] as Frame;
    if (f.kind === 'note') note = f.text;
    if (f.kind !== 'sent' || !/^bgapi originate\b/.test(f.text)) continue;
    const firstLine = f.text.slice(0, f.text.indexOf('\n'));
    const reply = frames.slice(k + 1).find((r) => r.kind === 'recv' && r.text.includes('command/reply'));
    const job = /Job-UUID: ([^\n]+)/.exec(reply?.text ?? '')?.[1] as string;
    const entry: { args: string; note: string; body: string; getvar?: string } = {
      args: firstLine.slice('bgapi originate'.length).replace(/^ /, ''),
      note,
      body: bodies.get(job) ?? '',
    };
    // The first `uuid_getvar` answer after a successful originate (h7: x_test on loopback-a).
    for (let j = k + 1; j < frames.length; j++) {
      const g = frames[j] as Frame;
      if (g.kind === 'sent' && /^bgapi originate\b/.test(g.text)) break;
      if (g.kind === 'sent' && g.text.startsWith('api uuid_getvar')) {
        const answer = frames[j + 1] as Frame;
        entry.getvar = answer.text.slice(answer.text.indexOf('\n\n') + 2);
        break;
      }
    }
    out.push(entry);
  }
  return out;
}

function parsed(args: string): ParsedOriginate {
  const result = parseOriginate(args);
  if ('error' in result) throw new Error(`unexpected error ${result.error} for ${args}`);
  return result;
}

describe('fake-switch/originate-parser', () => {
  describe('errors, against e-originate-errors (FreeSWITCH 1.10.12)', () => {
    const jobs = originateJobs('e-originate-errors.plain.txt');

    it('when the capture is read, then it holds its seven originates', () => {
      expect(jobs).to.have.length(7);
    });

    for (const job of jobs) {
      it(`when the args are ${JSON.stringify(job.args.slice(0, 60))}, then the error is the job's body`, () => {
        const result = parseOriginate(job.args);
        expect(result).to.deep.equal({ error: job.body.replace(/\n$/, '') });
      });
    }

    it('when the usage text is needed, then it is the switch’s own', () => {
      expect(jobs.some((j) => j.body === `${ORIGINATE_USAGE}\n`)).to.equal(true);
    });
  });

  describe('values, against every form of h7-escaping-values (raw, quoted, comma-escaped, full)', () => {
    const jobs = originateJobs('h7-escaping-values.plain.txt');

    it('when the capture is read, then it holds 75 originates', () => {
      expect(jobs).to.have.length(75);
    });

    for (const job of jobs) {
      it(`when ${job.note}, then the model agrees with the switch`, () => {
        const result = parseOriginate(job.args);
        if (job.body.startsWith('+OK')) {
          expect(result).not.to.have.property('error');
          const vars = (result as ParsedOriginate).vars;
          expect(vars['x_test'] ?? '_undef_').to.equal(job.getvar);
        } else {
          expect(result).to.deep.equal({ error: job.body.replace(/\n$/, '') });
        }
      });
    }
  });

  describe('values, against h7-escaping-values-subset (event json)', () => {
    for (const job of originateJobs('h7-escaping-values-subset.json.txt')) {
      it(`when ${job.note}, then the model reads back the switch's value`, () => {
        expect(parsed(job.args).vars['x_test']).to.equal(job.getvar);
      });
    }
  });

  describe('routes, against h7-route-chars', () => {
    const byCase = new Map(
      originateJobs('h7-route-chars.plain.txt').map((j) => [j.note.replace(/^CASE /, ''), j]),
    );
    const get = (name: string): ParsedOriginate => parsed(byCase.get(name)?.args ?? '');

    it('when the destination holds a blank, then it is cut and the rest becomes exten/dialplan', () => {
      const p = get('loopback-dest-space');
      expect([p.endpoint, p.route, p.dialplan]).to.deep.equal(['loopback/10', '00/default', '&park']);
    });

    it('when the destination holds / or , then the dial string changes meaning', () => {
      expect(get('loopback-dest-slash').endpoint).to.equal('loopback/10/00/default');
      expect(get('loopback-dest-comma').endpoint).to.equal('loopback/10,00/default');
    });

    it('when a quote is inside the destination, then the whole line is one argument (-USAGE)', () => {
      expect(parseOriginate(byCase.get('loopback-dest-quote')?.args ?? '')).to.deep.equal({
        error: ORIGINATE_USAGE,
      });
    });

    it('when &transfer(… XML ctx) is unquoted, then the app gets only the first word', () => {
      const p = get('transfer-context-ignored');
      expect(p.route).to.equal('&transfer(4158867900');
      expect([p.dialplan, p.context]).to.deep.equal(['XML', 'nosuchctx)']);
    });

    it('when the app is quoted, then it is one argument with its blanks', () => {
      expect(get('transfer-quoted-app').route).to.equal('&transfer(4158867900 XML nosuchctx)');
    });

    it('when the positional form is used, then exten, dialplan and context are separate arguments', () => {
      const p = get('exten-dialplan-context-args');
      expect([p.endpoint, p.route, p.dialplan, p.context, p.rest]).to.deep.equal([
        'loopback/1000/default',
        '4158867900',
        'XML',
        'default',
        [],
      ]);
    });
  });

  describe('FreeSWITCH rules', () => {
    it('when an item has no "=" or an empty value, then it is dropped silently', () => {
      const p = parsed('{a=1,b,c=,d=4}loopback/1000/default 1 XML default');
      expect(p.vars).to.deep.equal({ a: '1', d: '4' });
      expect(p.varOrder).to.deep.equal(['a', 'd']);
    });

    it('when a value holds "=", then only the first "=" splits', () => {
      expect(parsed('{a=b=c}loopback/1/d 1').vars).to.deep.equal({ a: 'b=c' });
    });

    it('when a name is repeated, then the later value wins', () => {
      const p = parsed('{a=1,a=2}loopback/1/d 1');
      expect(p.vars).to.deep.equal({ a: '2' });
      expect(p.varOrder).to.deep.equal(['a', 'a']);
    });

    it('when a name is __proto__, then it is an ordinary variable', () => {
      expect(Object.keys(parsed('{__proto__=1}loopback/1/d 2').vars)).to.deep.equal(['__proto__']);
    });

    it('when a value holds ${, then the variable is refused, not set', () => {
      const p = parsed('{a=${uuid},b=$${domain},c=ok}loopback/1/d 1');
      expect(p.vars).to.deep.equal({ c: 'ok' });
      expect(p.refused).to.deep.equal(['a', 'b']);
    });

    it('when the block starts with ^^X, then X is the item delimiter', () => {
      expect(parsed('{^^:a=1,2:b=3}loopback/1/d 1').vars).to.deep.equal({ a: '1,2', b: '3' });
    });

    it('when there are several {} blocks, then all are read and counted', () => {
      const p = parsed('{a=1}{b=2}loopback/1/d 1');
      expect(p.vars).to.deep.equal({ a: '1', b: '2' });
      expect(p.blocks).to.equal(2);
    });

    it('when a <> block comes first, then its variables are read too', () => {
      expect(parsed('<g=1>{a=2}loopback/1/d 1').vars).to.deep.equal({ g: '1', a: '2' });
      expect(parseOriginate('<g=1 loopback/1/d 1')).to.deep.equal({ error: '-ERR DESTINATION_OUT_OF_ORDER' });
    });

    it('when there are 1 or more than 7 arguments, then the answer is -USAGE', () => {
      expect(parseOriginate('loopback/1/d')).to.deep.equal({ error: ORIGINATE_USAGE });
      expect(parseOriginate('loopback/1/d 1 XML d n 1 30 x')).to.deep.equal({ error: ORIGINATE_USAGE });
      expect(parsed('loopback/1/d 1 XML d n 1 30').rest).to.deep.equal(['n', '1', '30']);
    });

    it('when an argument is "undef", then it counts as absent', () => {
      const p = parsed('loopback/1/d 1 undef UNDEF');
      expect(p.dialplan).to.equal(undefined);
      expect(p.context).to.equal(undefined);
      expect(parseOriginate('loopback/1/d undef')).to.have.property('error');
    });

    it('when blanks surround the arguments, then they are stripped or skipped', () => {
      expect(parsed('  {a=1}loopback/1/d    2   XML  ctx \n').context).to.equal('ctx');
    });

    it('when the endpoint type or sofia profile is unknown, then the cause is the switch’s', () => {
      expect(parseOriginate('{a=1}bogus/1 2')).to.deep.equal({ error: '-ERR CHAN_NOT_IMPLEMENTED' });
      expect(parseOriginate('sofia/internal/1@h 2')).not.to.have.property('error');
      expect(parseOriginate('sofia/lab/1@h 2', { sofiaProfiles: ['lab'] })).not.to.have.property('error');
      expect(parseOriginate('sofia/gateway/gw/1 2')).not.to.have.property('error');
      expect(parseOriginate('[x=1 loopback/1/d 2')).to.deep.equal({ error: '-ERR DESTINATION_OUT_OF_ORDER' });
      expect(parseOriginate('{a=1} 2')).to.deep.equal({ error: '-ERR DESTINATION_OUT_OF_ORDER' });
    });
  });

  describe('round trips with the builder', () => {
    const values = [
      'hello world',
      'a,b,,c',
      "it's 'quoted'",
      'a\\b\\\\c\\',
      "\\s\\n\\,\\'",
      '{nested {braces}}',
      '[a]=b|c&d^e',
      '^^:a:b',
      'é ü 中 😀',
      '"double" \'single\'',
      'x'.repeat(2000),
    ];
    for (const value of values) {
      it(`when ${JSON.stringify(value.slice(0, 40))} is built, then the parser reads it back unchanged`, () => {
        const args = buildOriginate({
          vars: [
            ['origination_uuid', 'c2c-x'],
            ['x_test', value],
            ['export_vars', ['c2c_call_id', 'nolocal:source']],
          ],
          endpoint: { type: 'loopback', destination: '1000', context: 'default' },
          route: '+14155550100',
          dialplan: 'XML',
          context: 'default',
        });
        const p = parsed(args);
        expect(p.vars).to.deep.equal({
          origination_uuid: 'c2c-x',
          x_test: value,
          export_vars: 'c2c_call_id,nolocal:source',
        });
        expect([p.blocks, p.endpoint, p.route, p.dialplan, p.context, p.rest]).to.deep.equal([
          1,
          'loopback/1000/default',
          '+14155550100',
          'XML',
          'default',
          [],
        ]);
      });
    }

    it('when a value is only quoted (not fully escaped), then the model shows the truncation the switch showed', () => {
      expect(parsed("{x='a,b'}loopback/1/d 2").vars['x']).to.equal('a');
      expect(parsed(`{x=${escapeChannelValue('a,b')}}loopback/1/d 2`).vars['x']).to.equal('a,b');
    });
  });
});
