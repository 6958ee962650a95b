import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { expect } from 'chai';
import fc from 'fast-check';
import { EslClient } from '../../esl';
import { parseOriginate } from '../../fake-switch/originate-parser';
import type { Scenario } from '../../fake-switch/scenario-types';
import { FakeSwitch } from '../../fake-switch/server';
import { CALL_SUBSCRIPTION } from '../../src/calls/subscription';
import type { ClickToCallDoc } from '../../src/domain';
import { harness, testLogger, type Harness } from '../support/harness';
import { addCavs, expectedVars, hostile } from '../support/originate-expectations';

/**
 * Hostile requests through HTTP into the service wired to the fake switch: the contact, the request's
 * custom_application_vars, and every configuration field saved by PUT or PATCH then used by connect.
 * Whatever arrives, the switch receives only well-formed originates that carry exactly what was accepted.
 * `HTTP_FUZZ_RUNS=100000 npx mocha --no-config dist/test/hardening/http-fuzz.test.js` is the full run.
 */
const RUNS = Number(process.env['HTTP_FUZZ_RUNS'] ?? 2500) || 2500;
const SEED = Number(process.env['HTTP_FUZZ_SEED'] ?? 20261127);
const CONCURRENCY = 8;

/** The switch only answers the job: no channel events, so a long run measures the service, not playback. */
const jobOnly: Scenario = {
  name: 'job-only',
  description: 'answers +OK and nothing else',
  steps: (ctx) => [
    {
      atMs: 1,
      event: [
        ['Event-Name', 'BACKGROUND_JOB'],
        ['Job-UUID', ctx.jobUuid],
        ['Job-Command', 'originate'],
      ],
      body: `+OK ${ctx.callId}\n`,
    },
  ],
  onHangup: () => [],
};

const benign = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 .,'&-]{0,20}[A-Za-z0-9]$/);
const text = fc.oneof(benign, hostile);
const key = fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/), hostile);
const contact = fc.oneof(
  fc.constantFrom('+1 (415) 886-7900', '4158867900', '2601', '*97', '0044 20 7946 0000', '+4930123456'),
  hostile,
);

/** A URL cannot carry a lone surrogate: it becomes U+FFFD, as a browser would send it. */
const wellFormed = (s: string): string =>
  s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');

type Case =
  | { kind: 'connect'; contact: string; vars: Record<string, string>; via: 'body' | 'query' }
  | { kind: 'put' | 'patch'; field: string; value: unknown; contact: string };

const FIELDS: Array<[string, fc.Arbitrary<unknown>]> = [
  ['name', text],
  ['extension', fc.oneof(fc.constantFrom('2600', 'sales', '*97'), hostile)],
  ['caller_id_number', text],
  ['outbound_callee_id_name', text],
  ['outbound_callee_id_number', text],
  ['presence_id', text],
  ['ringback', fc.oneof(fc.constantFrom('us-ring', '%(2000,4000,440,480)', 'local_stream://moh'), hostile)],
  [
    'music_on_hold',
    fc.record({
      media_id: fc.oneof(
        fc.constant('/var/moh.wav'),
        hostile,
        hostile.map((s) => `/${s}`),
      ),
    }),
  ],
  [
    'custom_sip_headers',
    fc.oneof(
      fc.dictionary(key, text, { maxKeys: 3 }),
      fc.record({ out: fc.dictionary(key, text, { maxKeys: 3 }) }),
    ),
  ],
  ['custom_application_vars', fc.dictionary(key, text, { maxKeys: 3 })],
  ['dial_first', fc.constantFrom('extension', 'contact', 'both')],
  ['bypass_media', fc.constantFrom(true, false, 'true', 'auto', 'yes')],
  ['timeout', fc.oneof(fc.integer({ min: -5, max: 4000 }), text)],
  ['media', fc.record({ ignore_early_media: fc.oneof(fc.boolean(), text) })],
  ['whitelist', fc.array(fc.oneof(fc.constant('.'), hostile), { maxLength: 2 })],
];

const caseArb: fc.Arbitrary<Case> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('connect' as const),
      contact,
      vars: fc.dictionary(key, text, { maxKeys: 3 }),
      via: fc.constantFrom('body' as const, 'query' as const),
    }),
  },
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.constantFrom('put' as const, 'patch' as const), fc.nat(FIELDS.length - 1), contact)
      .chain(([kind, i, c]) =>
        FIELDS[i]![1].map((value) => ({
          kind,
          field: FIELDS[i]![0],
          value,
          contact: c,
        })),
      ),
  },
);

describe('HTTP fuzz: hostile requests never reach the switch as anything but one well-formed originate', function () {
  this.timeout(Math.max(120_000, RUNS * 20));
  let fake: FakeSwitch;
  let esl: EslClient;
  let h: Harness;
  let server: Server;
  let url: string;
  let acct: Awaited<ReturnType<Harness['account']>>;

  before(async () => {
    fake = new FakeSwitch({ selectScenario: () => jobOnly });
    const { port } = await fake.start();
    esl = new EslClient({
      host: '127.0.0.1',
      port,
      password: 'ClueCon',
      logger: testLogger(),
      subscription: CALL_SUBSCRIPTION,
    });
    esl.start();
    await esl.waitConnected(3000);
    h = harness({ esl, now: () => new Date() });
    acct = await h.account();
    server = h.app.listen(0);
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.close();
    await esl.close();
    await fake.stop();
  });

  const send = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { 'X-Auth-Token': acct.token, 'Content-Type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as { data: Record<string, unknown> } };
  };

  it(`when ${RUNS} hostile requests arrive, then no 5xx, and every command received is exactly what was accepted`, async () => {
    const cases = fc.sample(caseArb, { numRuns: RUNS, seed: SEED });
    const base = await send('PUT', `/v2/accounts/${acct.id}/clicktocall`, {
      data: { name: 'Base', extension: '2600' },
    });
    const baseId = base.body.data['id'] as string;
    /** Accepted connects: call id → the configuration and inputs they were made with. */
    const accepted = new Map<
      string,
      { config: ClickToCallDoc; contact: string; vars: Record<string, string> }
    >();
    const statuses = new Map<number, number>();
    let next = 0;

    const runOne = async (c: Case): Promise<void> => {
      let configId = baseId;
      let config = base.body.data as ClickToCallDoc;
      let reqVars: Record<string, string> = {};
      let res;
      if (c.kind === 'put' || c.kind === 'patch') {
        const saved =
          c.kind === 'put'
            ? await send('PUT', `/v2/accounts/${acct.id}/clicktocall`, {
                data: { name: 'Fuzz', extension: '2600', [c.field]: c.value },
              })
            : await (async () => {
                const created = await send('PUT', `/v2/accounts/${acct.id}/clicktocall`, {
                  data: { name: 'Fuzz', extension: '2600' },
                });
                const id = created.body.data['id'] as string;
                return send('PATCH', `/v2/accounts/${acct.id}/clicktocall/${id}`, {
                  data: { [c.field]: c.value },
                });
              })();
        statuses.set(saved.status, (statuses.get(saved.status) ?? 0) + 1);
        expect(saved.status, JSON.stringify(c).slice(0, 300)).to.be.oneOf([200, 201, 400, 413]);
        if (saved.status >= 300) return;
        config = saved.body.data as ClickToCallDoc;
        configId = config.id;
        res = await send('POST', `/v2/accounts/${acct.id}/clicktocall/${configId}/connect`, {
          data: { contact: c.contact },
        });
      } else {
        if (c.kind !== 'connect') throw new Error('unreachable');
        // A query connect's parameters are call variables too: here the contact, as written.
        reqVars = c.via === 'body' ? c.vars : { contact: wellFormed(c.contact) };
        res =
          c.via === 'body'
            ? await send('POST', `/v2/accounts/${acct.id}/clicktocall/${configId}/connect`, {
                data: { contact: c.contact, custom_application_vars: c.vars },
              })
            : await send(
                'GET',
                `/v2/accounts/${acct.id}/clicktocall/${configId}/connect?contact=${encodeURIComponent(wellFormed(c.contact))}`,
              );
      }
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      expect(res.status, JSON.stringify(c).slice(0, 300)).to.be.oneOf([202, 400, 413]);
      if (res.status === 202) {
        // The contact is the second route when the extension rings first, else the endpoint's.
        const echo = res.body.data as {
          application_data: { route: string };
          endpoints: Array<{ route: string }>;
        };
        const contactFirst = config.dial_first === 'contact';
        const normalized = contactFirst ? echo.endpoints[0]!.route : echo.application_data.route;
        accepted.set(res.body.data['call_id'] as string, { config, contact: normalized, vars: reqVars });
      }
    };

    const workers = Array.from({ length: CONCURRENCY }, async () => {
      while (next < cases.length) await runOne(cases[next++]!);
    });
    await Promise.all(workers);

    // Every command after the subscription is one originate, for a call the service accepted.
    const commands = fake.commands.filter((cmd) => !/^(auth|event plain|filter) /.test(cmd));
    const originates = commands.filter((cmd) => cmd.startsWith('bgapi originate '));
    expect(commands.length - originates.length, 'commands other than originate').to.equal(0);
    expect(originates.length).to.equal(accepted.size);
    for (const cmd of originates) {
      expect(cmd).to.not.match(/[\r\n]/);
      expect(cmd).to.not.match(/mod_event_socket/i);
      const parsed = parseOriginate(cmd.slice('bgapi originate '.length));
      if ('error' in parsed)
        throw new Error(`the switch would refuse: ${parsed.error}: ${cmd.slice(0, 300)}`);
      const callId = parsed.vars['origination_uuid'] ?? '';
      const intent = accepted.get(callId);
      expect(intent, `an originate for a call never accepted: ${callId}`).to.not.equal(undefined);
      const { config, contact: route, vars } = intent!;
      const extFirst = (config.dial_first ?? 'extension') === 'extension';
      const [first, second] = extFirst ? [config.extension, route] : [route, config.extension];
      expect(parsed.blocks).to.equal(1);
      expect(parsed.endpoint, JSON.stringify(config)).to.equal(`loopback/${first}/default`);
      expect([parsed.route, parsed.dialplan, parsed.context, parsed.rest, parsed.refused]).to.deep.equal([
        second,
        'XML',
        'default',
        [],
        [],
      ]);
      expect(new Set(parsed.varOrder).size).to.equal(parsed.varOrder.length);
      const expected = expectedVars(config, route, 'default', {
        callId,
        accountId: acct.id,
        autoAnswer: true,
      });
      addCavs(expected, config, vars);
      expect(parsed.vars).to.deep.equal(expected);
    }
    // The run means something only if many requests got through, and many were refused.
    expect(accepted.size, JSON.stringify([...statuses])).to.be.greaterThan(RUNS / 10);
    expect(statuses.get(400) ?? 0).to.be.greaterThan(RUNS / 10);
    expect([...statuses.keys()].filter((s) => s >= 500)).to.deep.equal([]);
    if (process.env['HTTP_FUZZ_RUNS'])
      console.log(`    ${RUNS} cases: ${JSON.stringify(Object.fromEntries(statuses))}`);
  });
});
