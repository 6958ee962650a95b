/**
 * What a service does with the events of a switch it does not track (src/calls/tracking-scope.ts, call-intake.ts),
 * and how it reads the outcome of an originate another service placed (src/calls/esl-events.ts jobEventOf).
 */
import { expect } from 'chai';
import { parsePlainEvent, type EslEvent } from '../../esl';
import { callNotices } from '../../src/calls/call-notices';
import { CallIntake } from '../../src/calls/call-intake';
import { CallTracker } from '../../src/calls/call-tracker';
import { jobEventOf } from '../../src/calls/esl-events';
import type { RecordBase } from '../../src/calls/history-record';
import { StandbyEvents, type TrackingScope } from '../../src/calls/tracking-scope';
import type { HistoryRepository } from '../../src/store/ports';
import { testLogger } from '../support/harness';

const CALL = 'c2c-0123456789abcdef0123456789abcdef-0a1b2c3d4e';
const NOW = () => new Date('2026-12-06T10:00:00Z');

const event = (headers: Record<string, string>, body?: string): EslEvent => {
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${encodeURIComponent(v)}`);
  const inner = body === undefined ? '' : `Content-Length: ${Buffer.byteLength(body)}\n\n${body}`;
  return parsePlainEvent(Buffer.from(`${lines.join('\n')}\n${body === undefined ? '\n' : inner}`));
};

/** The originate's outcome as FreeSWITCH sends it to every subscriber (the arguments as our builder writes them). */
const jobEvent = (body: string, callId = CALL): EslEvent =>
  event(
    {
      'Event-Name': 'BACKGROUND_JOB',
      'Event-Date-Timestamp': '1796551200000000',
      'Job-UUID': '0c2ae3e9-7c93-40b3-8d21-725a6f0364bd',
      'Job-Command': 'originate',
      'Job-Command-Arg': `{origination_uuid=${callId},c2c_call_id=${callId},c2c_account_id=acct1,export_vars=c2c_call_id\\,c2c_account_id}loopback/1000/default 4158867900 XML default`,
    },
    body,
  );

const channel = (name: string, uuid: string, extra: Record<string, string> = {}): EslEvent =>
  event({
    'Event-Name': name,
    'Unique-ID': uuid,
    'Channel-Name': uuid === CALL ? 'loopback/1000-a' : 'sofia/internal/1000@127.0.0.1',
    'Event-Date-Timestamp': '1796551200000000',
    variable_c2c_call_id: CALL,
    ...extra,
  });

const base: RecordBase = {
  account_id: 'acct1',
  clicktocall_id: 'cfg1',
  id: 'r1',
  call_id: CALL,
  timestamp: 1,
  contact: '+14155550100',
  extension: '1000',
  dial_first: 'extension',
  created: '2026-12-06T10:00:00.000Z',
  custom_application_vars: {},
  requested_by: 'token',
  switch: 'fs2',
};

describe('switches: reading another service’s originate', () => {
  it('when a failed originate’s job names a click-to-call, then it is that call’s job event with its cause', () => {
    expect(jobEventOf(jobEvent('-ERR USER_BUSY\n'), NOW)).to.deep.equal({
      callId: CALL,
      event: { type: 'job', ok: false, cause: 'USER_BUSY', at: '2026-12-06T10:00:00.000Z' },
    });
    expect(jobEventOf(jobEvent(`+OK ${CALL}\n`), NOW)?.event).to.deep.include({ ok: true, uuid: CALL });
  });

  it('when a job is not a click-to-call originate, then it is no call’s', () => {
    expect(jobEventOf(jobEvent('+OK\n', 'not-a-call-id'), NOW)).to.equal(undefined);
    const status = event({ 'Event-Name': 'BACKGROUND_JOB', 'Job-Command': 'status' }, 'UP\n');
    expect(jobEventOf(status, NOW)).to.equal(undefined);
    expect(jobEventOf(channel('CHANNEL_CREATE', CALL), NOW)).to.equal(undefined);
  });
});

describe('switches: events of a switch this service does not track', () => {
  const setup = (tracked: Set<string>) => {
    const notices = callNotices(() => undefined);
    const statuses: string[] = [];
    notices.subscribe((n) => {
      if (n.type === 'changed') statuses.push(n.state.status);
    });
    const tracker = new CallTracker({ notices, logger: testLogger(), now: NOW });
    const scope: TrackingScope = { tracks: (name) => tracked.has(name), switchOf: (n) => n ?? 'fs1' };
    const reads: string[] = [];
    const history = {
      byCallId: (id: string) => (
        reads.push(id),
        Promise.resolve({
          seq: 1,
          account_id: base.account_id,
          clicktocall_id: base.clicktocall_id,
          created_ms: 0,
          final: false,
          doc: CallTracker.initial(base).doc,
          state: CallTracker.initial(base).state,
        })
      ),
    } as unknown as HistoryRepository;
    const standby = new StandbyEvents({ now: () => 0 });
    const intake = new CallIntake({ tracker, history, logger: testLogger(), now: NOW, scope, standby });
    return { tracker, intake, standby, statuses, reads };
  };

  it('when another service’s originate succeeds under the call’s id, then the call is not resumed for it; a failure is', async () => {
    const { tracker, intake, reads } = setup(new Set(['fs1', 'fs2']));
    intake.onEslEvent(jobEvent(`+OK ${CALL}\n`), 'fs2');
    await new Promise((resolve) => setImmediate(resolve));
    expect(reads).to.deep.equal([]);
    expect(tracker.knows(CALL)).to.equal(false);
    intake.onEslEvent(jobEvent('-ERR USER_BUSY\n'), 'fs2');
    await new Promise((resolve) => setImmediate(resolve));
    expect(reads).to.deep.equal([CALL]);
    expect(tracker.knows(CALL)).to.equal(true);
  });

  it('when the switch is not tracked, then its events are kept aside and no call is followed', () => {
    const { tracker, intake, standby, statuses } = setup(new Set(['fs1']));
    intake.onEslEvent(channel('CHANNEL_CREATE', CALL), 'fs2');
    intake.onEslEvent(jobEvent('-ERR USER_BUSY\n'), 'fs2');
    expect(tracker.knows(CALL)).to.equal(false);
    expect(statuses).to.deep.equal([]);
    expect(standby.size).to.equal(2);
    expect(intake.stats.events).to.equal(0);
  });

  it('when the lease is gained, then the kept events are applied in order, the job among them', async () => {
    const tracked = new Set(['fs1']);
    const { tracker, intake, standby, statuses } = setup(tracked);
    intake.onEslEvent(channel('CHANNEL_CREATE', CALL), 'fs2');
    intake.onEslEvent(jobEvent('-ERR USER_BUSY\n'), 'fs2');
    intake.onEslEvent(channel('CHANNEL_HANGUP_COMPLETE', CALL, { 'Hangup-Cause': 'USER_BUSY' }), 'fs2');
    tracked.add('fs2');
    expect(intake.replayStandby('fs2')).to.equal(3);
    expect(standby.size).to.equal(0);
    // The call is resumed from its record (asynchronously), then its three events applied.
    await new Promise((resolve) => setImmediate(resolve));
    expect(tracker.knows(CALL)).to.equal(true);
    expect(statuses.at(-1)).to.equal('busy');
  });

  it('when kept events are older than the keeping time or too many, then the oldest go', () => {
    let nowMs = 0;
    const standby = new StandbyEvents({ keepMs: 1000, maxEvents: 300, now: () => nowMs });
    for (let i = 0; i < 1000; i += 1) standby.keep('fs2', channel('CHANNEL_PROGRESS', CALL));
    expect(standby.size).to.be.at.most(300 + 256);
    expect(standby.take('fs2')).to.have.length.at.most(300 + 256);
    standby.keep('fs2', channel('CHANNEL_PROGRESS', CALL));
    nowMs = 2000;
    expect(standby.take('fs2')).to.deep.equal([]);
  });
});
