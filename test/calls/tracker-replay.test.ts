import crypto from 'node:crypto';
import { expect } from 'chai';
import type { EslEvent } from '../../esl';
import type { ScenarioStep } from '../../fake-switch/scenario-types';
import { CallTracker } from '../../src/calls/call-tracker';
import type { CallEvent } from '../../src/calls/call-state';
import type { SwitchPort } from '../../src/calls/switch-port';
import { HistoryRepo } from '../../src/store/history-repo';
import { openDatabase } from '../../src/store/sqlite';
import { testLogger } from '../support/harness';
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

/** Plays steps into a fresh tracker; BACKGROUND_JOB steps go in as the connect service feeds them. */
function play(callId: string, steps: ScenarioStep[]) {
  const db = openDatabase(':memory:');
  db.pragma('foreign_keys = OFF');
  const history = new HistoryRepo(db);
  const now = () => new Date('2026-11-27T10:00:00Z');
  const tracker = new CallTracker({ history, esl: stubSwitch([]), logger: testLogger(), now });
  const base = {
    id: crypto.createHash('md5').update(callId).digest('hex'),
    call_id: callId,
    timestamp: 63_900_000_000,
    contact: '+15551234567',
    extension: '2600',
    dial_first: 'extension' as const,
    created: '2026-11-27T10:00:00.000Z',
    custom_application_vars: {},
    requested_by: 'token' as const,
  };
  const { doc, state } = tracker.begin(base);
  history.insert({
    account_id: 'a'.repeat(32),
    clicktocall_id: 'b'.repeat(32),
    created_ms: 0,
    final: false,
    doc,
    state,
  });
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
      tracker.onEslEvent(event);
    }
  }
  return { record: history.byCallId(callId), tracker };
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
      const reference = play(callId, steps);

      it(`when played in order, then ${status}, final, and every event was of a known call`, () => {
        expect(reference.record?.doc.status).to.equal(status);
        expect(reference.record?.final).to.equal(1);
        expect(reference.tracker.stats.unknownCalls).to.equal(0);
      });

      it('when every event arrives twice, then the same record', () => {
        const doubled = steps.flatMap((s) => [s, s]);
        expect(play(callId, doubled).record?.doc).to.deep.equal(reference.record?.doc);
      });

      for (const seed of [1, 2, 3, 4, 5]) {
        it(`when events within 5 ms of each other come shuffled (seed ${seed}), then the same status, result and cause`, () => {
          const shuffled = play(callId, shuffleWithinTolerance(steps, seed)).record?.doc;
          for (const key of ['status', 'result', 'cause', 'hangup_cause'])
            expect(shuffled?.[key], key).to.equal(reference.record?.doc[key]);
        });
      }
    });
  }

  it('when events of calls it does not know arrive, then they are ignored and counted', () => {
    const { steps } = scenarioOf({ extension: '2600' }, '+15551234567');
    const { tracker } = play(`c2c-${'e'.repeat(32)}-${'f'.repeat(10)}`, []);
    for (const step of steps) tracker.onEslEvent(eslEvent(step));
    expect(tracker.stats.unknownCalls).to.be.greaterThan(10);
    expect(tracker.inFlight).to.equal(1);
  });
});

describe('call tracker sweeper and reconciliation', () => {
  const setup = (createdMsAgo: number) => {
    const db = openDatabase(':memory:');
    db.pragma('foreign_keys = OFF');
    const history = new HistoryRepo(db);
    const commands: string[] = [];
    const clock = { now: new Date('2026-11-27T10:00:00Z') };
    const tracker = new CallTracker({
      history,
      esl: stubSwitch(commands),
      logger: testLogger(),
      now: () => clock.now,
    });
    const callId = `c2c-${'1'.repeat(32)}-${'2'.repeat(10)}`;
    const created = new Date(clock.now.getTime() - createdMsAgo);
    const { doc, state } = tracker.begin({
      id: '3'.repeat(32),
      call_id: callId,
      timestamp: 0,
      contact: '2601',
      extension: '2600',
      dial_first: 'extension',
      created: created.toISOString(),
      custom_application_vars: {},
      requested_by: 'token',
    });
    history.insert({
      account_id: 'a'.repeat(32),
      clicktocall_id: 'b'.repeat(32),
      created_ms: created.getTime(),
      final: false,
      doc,
      state,
    });
    return { history, commands, callId };
  };

  it('when an open call outlived any lifetime (24 h), then the sweeper closes it without asking the switch', async () => {
    const { history, commands, callId } = setup(25 * 3600_000);
    const tracker2 = new CallTracker({
      history,
      esl: stubSwitch(commands),
      logger: testLogger(),
      now: () => new Date('2026-11-27T10:00:00Z'),
    });
    await tracker2.sweep();
    expect(history.byCallId(callId)).to.include({ final: 1 });
    expect(history.byCallId(callId)?.doc).to.include({ status: 'failed', cause: 'TRACKING_EXPIRED' });
    expect(commands).to.deep.equal([]);
  });

  it('when an open call has not moved for a long time, then the sweeper asks the switch, and closes it if it is gone', async () => {
    const { history, commands, callId } = setup(20 * 60_000);
    const tracker2 = new CallTracker({
      history,
      esl: stubSwitch(commands),
      logger: testLogger(),
      now: () => new Date('2026-11-27T10:00:00Z'),
    });
    await tracker2.sweep();
    expect(commands).to.deep.equal([`show channels like ${callId} as json`]);
    expect(history.byCallId(callId)?.final).to.equal(1);
  });

  it('when reconciling, then a call younger than the grace is judged once the grace is over', async () => {
    const { history, commands, callId } = setup(100);
    const clock = { now: new Date('2026-11-27T10:00:00Z') };
    const tracker2 = new CallTracker({
      history,
      esl: stubSwitch(commands),
      logger: testLogger(),
      now: () => clock.now,
      reconcileGraceMs: 300,
    });
    await tracker2.reconcile();
    expect(commands).to.deep.equal([]);
    clock.now = new Date(clock.now.getTime() + 1000);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(commands).to.deep.equal([`show channels like ${callId} as json`]);
    expect(history.byCallId(callId)?.final).to.equal(1);
  });

  it('when reconciling, then calls younger than the grace are left alone', async () => {
    const { history, commands, callId } = setup(500);
    const tracker2 = new CallTracker({
      history,
      esl: stubSwitch(commands),
      logger: testLogger(),
      now: () => new Date('2026-11-27T10:00:00Z'),
    });
    await tracker2.reconcile();
    expect(commands).to.deep.equal([]);
    expect(history.byCallId(callId)?.final).to.equal(0);
  });
});
