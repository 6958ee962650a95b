import crypto from 'node:crypto';
import { expect } from 'chai';
import type { EslEvent } from '../../esl';
import type { ScenarioStep } from '../../fake-switch/scenario-types';
import type { CallEvent } from '../../src/calls/call-state';
import type { SwitchPort } from '../../src/calls/switch-port';
import { harness, type Harness } from '../support/harness';
import { pollUntil } from '../support/poll';
import { scenarioSteps } from '../support/scenario-steps';

/** An event as the ESL layer delivers it, from a scenario step's headers. */
function eslEvent(step: ScenarioStep): EslEvent {
  const headers = new Map(step.event.map(([k, v]) => [k.toLowerCase(), v]));
  return {
    name: headers.get('event-name') ?? '',
    header: (name) => headers.get(name.toLowerCase()),
    headers,
    ...(step.body !== undefined && { body: step.body }),
  };
}

/** A switch port that only records commands; reconciliation answers "no channel". */
function stubSwitch(commands: string[]): SwitchPort {
  return {
    connected: true,
    bgapi: () => Promise.reject(new Error('unused')),
    waitForJob: () => Promise.reject(new Error('unused')),
    api: (command) => {
      commands.push(command);
      return Promise.resolve('{"row_count":0}');
    },
    on: () => undefined,
  };
}

/** The events a real switch would send for a connect of this configuration, and the job's outcome. */
function scenarioOf(config: { extension: string; bypass_media?: boolean }, contact: string) {
  const configId = crypto.randomBytes(16).toString('hex');
  const callId = `c2c-${configId}-${crypto.randomBytes(5).toString('hex')}`;
  const steps = scenarioSteps({
    config: { id: configId, ...config },
    contact,
    callId,
    accountId: 'a'.repeat(32),
    startedAt: new Date('2026-11-27T10:00:00Z'),
  });
  return { callId, steps };
}

/** A record of a call placed by the harness's account and configuration, and its tracking begun. */
async function placed(h: Harness, callId: string, createdAt: Date) {
  const account = await h.account();
  const config = await h.services.clicktocall.create(account.id, { name: 'Sales', extension: '2600' });
  const { doc, state } = h.calls.tracker.begin({
    account_id: account.id,
    clicktocall_id: config.doc.id,
    id: crypto.createHash('md5').update(callId).digest('hex'),
    call_id: callId,
    timestamp: 63_900_000_000,
    contact: '+15551234567',
    extension: '2600',
    dial_first: 'extension',
    created: createdAt.toISOString(),
    custom_application_vars: {},
    requested_by: 'token',
  });
  await h.store.history.insert({
    account_id: account.id,
    clicktocall_id: config.doc.id,
    created_ms: createdAt.getTime(),
    final: false,
    doc,
    state,
  });
}

/** Plays steps into a fresh runtime; BACKGROUND_JOB steps go in as the connect service feeds them. */
async function play(callId: string, steps: ScenarioStep[]) {
  const h = harness({ esl: stubSwitch([]) });
  await placed(h, callId, new Date('2026-11-27T10:00:00Z'));
  const { tracker, intake } = h.calls;
  for (const step of steps) {
    const event = eslEvent(step);
    if (event.name === 'BACKGROUND_JOB') {
      const body = (event.body ?? '').trim();
      const at = '2026-11-27T10:00:00.050Z';
      const job: CallEvent = body.startsWith('+OK')
        ? { type: 'job', ok: true, uuid: body.slice(3).trim(), at }
        : { type: 'job', ok: false, cause: body.replace(/^-ERR\s*/, ''), at };
      tracker.apply(callId, job);
    } else {
      intake.onEslEvent(event);
    }
  }
  return { record: await h.store.history.byCallId(callId), tracker, intake };
}

/** Swaps neighbours whose times are within 5 ms (a seeded, repeatable shuffle). */
function shuffleWithinTolerance(steps: ScenarioStep[], seed: number): ScenarioStep[] {
  const out = [...steps];
  let x = seed;
  const rand = () => (x = (x * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  for (let i = 0; i + 1 < out.length; i++) {
    const a = out[i]!;
    const b = out[i + 1]!;
    if (Math.abs(a.atMs - b.atMs) <= 5 && rand() < 0.5) [out[i], out[i + 1]] = [b, a];
  }
  return out;
}

const SCENARIOS: Array<[string, { extension: string; bypass_media?: boolean }, string, string]> = [
  ['both answer', { extension: '2600' }, '+15551234567', 'completed'],
  ['first party busy', { extension: '2486' }, '+15551234567', 'busy'],
  ['first party 404', { extension: '2404' }, '+15551234567', 'failed'],
  ['first party no answer', { extension: '2480' }, '+15551234567', 'no_answer'],
  ['first party rings in its dialplan until the timeout', { extension: '2998' }, '+15551234567', 'no_answer'],
  [
    'first party rings in its dialplan, then is bridged late',
    { extension: '2997' },
    '+15551234567',
    'completed',
  ],
  ['second party busy', { extension: '2600' }, '+15551230486', 'busy'],
  ['second party 404', { extension: '2600' }, '+15551230404', 'failed'],
  ['second party no answer', { extension: '2600' }, '+15551230480', 'no_answer'],
  ['bypass, both answer', { extension: '2600', bypass_media: true }, '+15551234567', 'completed'],
  ['bypass, second busy', { extension: '2600', bypass_media: true }, '+15551230486', 'busy'],
];

describe('call tracker on the captured event streams', () => {
  for (const [title, config, contact, status] of SCENARIOS) {
    describe(title, () => {
      const { callId, steps } = scenarioOf(config, contact);
      let reference: Awaited<ReturnType<typeof play>>;
      before(async () => {
        reference = await play(callId, steps);
      });

      it(`when played in order, then ${status}, final, and every event was of a known call`, () => {
        expect(reference.record?.doc.status).to.equal(status);
        expect(reference.record?.final).to.equal(true);
        expect(reference.intake.stats.unknownCalls).to.equal(0);
      });

      it('when every event arrives twice, then the same record', async () => {
        const doubled = steps.flatMap((s) => [s, s]);
        expect((await play(callId, doubled)).record?.doc).to.deep.equal(reference.record?.doc);
      });

      for (const seed of [1, 2, 3, 4, 5]) {
        it(`when events within 5 ms of each other come shuffled (seed ${seed}), then the same status, result and cause`, async () => {
          const shuffled = (await play(callId, shuffleWithinTolerance(steps, seed))).record?.doc;
          for (const key of ['status', 'result', 'cause', 'hangup_cause'])
            expect(shuffled?.[key], key).to.equal(reference.record?.doc[key]);
        });
      }
    });
  }

  it('when events of calls it does not know arrive, then they are ignored and counted', async () => {
    const { steps } = scenarioOf({ extension: '2600' }, '+15551234567');
    const { tracker, intake } = await play(`c2c-${'e'.repeat(32)}-${'f'.repeat(10)}`, []);
    for (const step of steps) intake.onEslEvent(eslEvent(step));
    await pollUntil('the unknown calls looked up', () => intake.stats.unknownCalls > 10);
    expect(tracker.inFlight).to.equal(1);
  });
});

describe('call following after a restart: the sweeper and reconciliation', () => {
  const NOW = new Date('2026-11-27T10:00:00Z');
  const CALL_ID = `c2c-${'1'.repeat(32)}-${'2'.repeat(10)}`;
  /** An open call placed `createdMsAgo` by an earlier run, and a new run over the same store. */
  const setup = async (createdMsAgo: number, opts: { reconcileGraceMs?: number } = {}) => {
    const earlier = harness({ esl: stubSwitch([]), now: () => NOW });
    await placed(earlier, CALL_ID, new Date(NOW.getTime() - createdMsAgo));
    const commands: string[] = [];
    const clock = { now: NOW };
    const h = harness({
      esl: stubSwitch(commands),
      store: earlier.store,
      now: () => clock.now,
      ...(opts.reconcileGraceMs !== undefined && { calls: { reconcileGraceMs: opts.reconcileGraceMs } }),
    });
    return { h, commands, clock, record: () => earlier.store.history.byCallId(CALL_ID) };
  };

  it('when an open call outlived any lifetime (24 h), then the sweeper closes it without asking the switch', async () => {
    const { h, commands, record } = await setup(25 * 3600_000);
    await h.calls.sweeper.sweep();
    expect(await record()).to.include({ final: true });
    expect((await record())?.doc).to.include({ status: 'failed', cause: 'TRACKING_EXPIRED' });
    expect(commands).to.deep.equal([]);
  });

  it('when an open call has not moved for a long time, then the sweeper asks the switch, and closes it if it is gone', async () => {
    const { h, commands, record } = await setup(20 * 60_000);
    await h.calls.sweeper.sweep();
    expect(commands).to.deep.equal([`show channels like ${CALL_ID} as json`]);
    expect((await record())?.final).to.equal(true);
  });

  it('when reconciling, then a call younger than the grace is judged once the grace is over', async () => {
    const { h, commands, clock, record } = await setup(100, { reconcileGraceMs: 300 });
    await h.calls.reconciler.reconcileAll();
    expect(commands).to.deep.equal([]);
    clock.now = new Date(clock.now.getTime() + 1000);
    await pollUntil('the call judged', () => commands.length > 0, { timeoutMs: 10_000 });
    expect(commands).to.deep.equal([`show channels like ${CALL_ID} as json`]);
    await pollUntil('the call closed', async () => (await record())?.final === true);
  });

  it('when reconciling, then calls younger than the grace are left alone', async () => {
    const { h, commands, record } = await setup(500);
    await h.calls.reconciler.reconcileAll();
    expect(commands).to.deep.equal([]);
    expect((await record())?.final).to.equal(false);
  });
});
