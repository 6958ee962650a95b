import { expect } from 'chai';
import {
  buildOriginate,
  channelValueProblem,
  OriginateInputError,
  routeProblem,
  type OriginateSpec,
} from '../../esl';

/** A valid spec; each test changes one thing. */
const spec = (change: Partial<OriginateSpec> = {}): OriginateSpec => ({
  vars: [['c2c_call_id', 'c2c-x']],
  endpoint: { type: 'loopback', destination: '2600', context: 'default' },
  route: '+15551234567',
  dialplan: 'XML',
  context: 'default',
  ...change,
});

/** The refusal of building `s`: its field and problem, as the API reports them. */
function refusal(s: OriginateSpec): { name: string; field: string; problem: string; message: string } {
  try {
    buildOriginate(s);
  } catch (err) {
    expect(err).to.be.instanceOf(OriginateInputError);
    const e = err as OriginateInputError;
    return { name: e.name, field: e.field, problem: e.problem, message: e.message };
  }
  return expect.fail('expected an OriginateInputError');
}

describe('originate builder: each refusal names its field and says why', () => {
  it('when refused, then the error is an OriginateInputError whose message is "<field> <problem>"', () => {
    expect(refusal(spec({ route: '' }))).to.deep.equal({
      name: 'OriginateInputError',
      field: 'route',
      problem: 'must not be empty',
      message: 'route must not be empty',
    });
  });

  it('when a route is at its longest (64, docs/originate.md#routes), then it is taken; one longer, then refused with the limit', () => {
    expect(routeProblem('1'.repeat(32), 'number')).to.equal(undefined);
    expect(routeProblem('a'.repeat(64), 'extension')).to.equal(undefined);
    expect(routeProblem('a'.repeat(65), 'extension')).to.equal('must not be longer than 64 characters');
    expect(routeProblem('1'.repeat(65), 'number')).to.equal('must not be longer than 64 characters');
  });

  it('when a channel value is at its longest (4096 characters), then it is taken; one longer, then refused', () => {
    expect(channelValueProblem('v'.repeat(4096))).to.equal(undefined);
    expect(channelValueProblem('v'.repeat(4097))).to.equal('must not be longer than 4096 characters');
  });

  it('when a route is "undef" in any case or names mod_event_socket, then it is refused with that reason', () => {
    for (const r of ['undef', 'UNDEF', 'Undef'])
      expect(routeProblem(r, 'extension')).to.equal('must not be "undef"');
    expect(routeProblem('mod_event_socket', 'extension')).to.equal('must not contain "mod_event_socket"');
    expect(refusal(spec({ route: 'x-mod_event_socket' }))).to.include({
      field: 'route',
      problem: 'must not contain "mod_event_socket"',
    });
    expect(
      refusal(spec({ endpoint: { type: 'loopback', destination: 'undef', context: 'default' } })),
    ).to.include({
      field: 'destination',
      problem: 'must not be "undef"',
    });
  });

  it('when a route is a number, an extension or a SIP URI, then each is judged by its own rule', () => {
    for (const route of ['+15551234567', '*97#', '2600', 'sales.desk', 'sip:bob@example.com:5060'])
      expect(() => buildOriginate(spec({ route })), route).to.not.throw();
    expect(refusal(spec({ route: 'sip:bob@-bad' }))).to.include({
      field: 'route',
      problem: 'must be sip:user@host with letters, digits and _ . + * # - only',
    });
    expect(refusal(spec({ route: 'a b' }))).to.include({
      field: 'route',
      problem: 'must use only letters, digits and _ . + * # -',
    });
    expect(routeProblem('12a', 'number')).to.equal('must be + and digits, or digits with * and #');
    expect(refusal(spec({ context: 'a/b' }))).to.include({
      field: 'context',
      problem: 'must use only letters, digits and _ . + * # -',
    });
  });

  it('when the endpoint is not loopback or the dialplan not XML, then the destination is refused', () => {
    const other = {
      type: 'sofia',
      destination: '2600',
      context: 'default',
    } as unknown as OriginateSpec['endpoint'];
    const problem = 'must be a loopback endpoint with the XML dialplan';
    expect(refusal(spec({ endpoint: other }))).to.include({ field: 'destination', problem });
    expect(refusal(spec({ dialplan: 'inline' as unknown as 'XML' }))).to.include({
      field: 'destination',
      problem,
    });
  });

  it('when a variable name is invalid, names mod_event_socket or comes twice, then it is refused by name', () => {
    expect(refusal(spec({ vars: [['bad name', 'x']] }))).to.include({
      field: 'bad name',
      problem: 'is not a valid variable name',
    });
    expect(refusal(spec({ vars: [['x_mod_event_socket', 'x']] }))).to.include({
      field: 'x_mod_event_socket',
      problem: 'must not contain "mod_event_socket"',
    });
    expect(
      refusal(
        spec({
          vars: [
            ['a', '1'],
            ['a', '2'],
          ],
        }),
      ),
    ).to.include({ field: 'a', problem: 'is set twice' });
  });

  it('when a list value is empty or lists a bad name, then it is refused; a good list is joined with \\,', () => {
    expect(refusal(spec({ vars: [['export_vars', []]] }))).to.include({
      field: 'export_vars',
      problem: 'must not be empty',
    });
    for (const item of ['bad name', 'mod_event_socket'])
      expect(refusal(spec({ vars: [['export_vars', ['ok', item]]] }))).to.include({
        field: 'export_vars',
        problem: 'lists an invalid variable name',
      });
    expect(buildOriginate(spec({ vars: [['export_vars', ['a', 'b', 'c']]] }))).to.match(
      /^\{export_vars=a\\,b\\,c\}/,
    );
  });

  it('when there are no variables, then there is no {} block at all', () => {
    expect(buildOriginate(spec({ vars: [] }))).to.equal('loopback/2600/default +15551234567 XML default');
  });
});
