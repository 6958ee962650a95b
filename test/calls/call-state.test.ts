import { expect } from 'chai';
import {
  FINAL_STATUSES,
  STATUS_TABLE,
  initialState,
  isFinal,
  statusOfCause,
  transition,
  type CallEvent,
  type CallState,
  type CallStatus,
  type Milestone,
} from '../../src/calls/call-state';
import {
  CALL,
  LB_B,
  FIRST,
  SECOND,
  FOREIGN,
  at,
  msOf,
  NC,
  OC,
  created,
  createdBy,
  ringing,
  answered,
  hangup,
  jobOk,
  jobErr,
  cancel,
  gone,
  BYE,
  SEND_BYE,
  SEND_CANCEL,
  REFUSED,
  not,
  run,
  placed,
  firstUp,
  secondRings,
  connected,
} from '../support/call-events';

/** The first party's dialplan rings (ring_ready): the loopback pair's progress, no phone leg. */
const dialplanRings: CallEvent[] = [
  created(CALL, 23),
  created(LB_B, 24),
  ringing(CALL, 26),
  ringing(LB_B, 27),
];
/**
 * The first party's leg fails; the job's -ERR comes `jobDelta` ms after it (negative: before). Unanswered, the first
 * party's bridge is cancelled by the switch when originate_timeout runs out: its SIP leg says ORIGINATOR_CANCEL while
 * the loopback legs and the job say NO_ANSWER (capture live-first-sip-no-answer-ot3).
 */
const firstFails = (cause: string, jobDelta: number): CallEvent[] =>
  [
    ...placed,
    cause === 'NO_ANSWER' ? hangup(FIRST, 40, OC, SEND_CANCEL) : hangup(FIRST, 40, cause, REFUSED),
    hangup(LB_B, 41, cause),
    hangup(CALL, 42, cause),
    jobErr(40 + jobDelta, cause),
  ].sort((a, b) => msOf(a) - msOf(b));
/** The second party's leg fails; loopback-a has its DIALSTATUS; the first party's leg ends NC 5 ms later. */
const secondFails = (cause: string, dialStatus: string): CallEvent[] => [
  ...secondRings,
  hangup(SECOND, 81, cause, cause === 'NO_ANSWER' ? SEND_CANCEL : REFUSED),
  hangup(CALL, 84, cause === 'NO_ANSWER' ? NC : cause, { dialStatus }),
  hangup(LB_B, 85, NC, { dialStatus: 'INVALIDARGS' }),
  hangup(FIRST, 86, NC, SEND_BYE),
];
/** The loopback pair hangs up (bow-out, cancel): never the end of the call. */
const loopbacksEnd = (ms: number, cause: string): CallEvent[] => [
  hangup(CALL, ms, cause),
  hangup(LB_B, ms + 2, cause),
];
/** Bypass (b5 recipe): the loopback pair bows out ~75 ms after the first answer, while the second rings. */
const bypassRinging: CallEvent[] = [
  ...firstUp,
  created(SECOND, 100),
  ringing(SECOND, 102),
  ...loopbacksEnd(106, 'NORMAL_UNSPECIFIED'),
];

type Scenario = { name: string; then: Partial<CallState>; events: CallEvent[] };
const COMPLETED = { status: 'completed', result: 'success', hangupCause: NC } as const;

const SCENARIOS: Scenario[] = [
  {
    name: 'both parties answer and the second hangs up',
    then: { ...COMPLETED, hungUpBy: 'second' },
    events: [...connected, hangup(SECOND, 10_000, NC, BYE), hangup(FIRST, 10_003, NC, SEND_BYE)],
  },
  {
    name: 'the loopback pair leaves at +2 s, then the second party hangs up',
    then: { ...COMPLETED, hungUpBy: 'second' },
    events: [...connected, ...loopbacksEnd(2120, NC), hangup(SECOND, 9000, NC, BYE), hangup(FIRST, 9002, NC)],
  },
  {
    name: 'with bypass media, both answer and the first party hangs up',
    then: { ...COMPLETED, hungUpBy: 'first' },
    events: [
      ...bypassRinging,
      answered(SECOND, 105),
      hangup(FIRST, 8000, NC, BYE),
      hangup(SECOND, 8002, NC, SEND_BYE),
    ],
  },
  ...(
    [
      ['USER_BUSY', 'BUSY', 'busy'],
      ['UNALLOCATED_NUMBER', 'UNALLOCATED_NUMBER', 'failed'],
      ['NO_ANSWER', 'NOANSWER', 'no_answer'],
    ] as const
  ).flatMap(([cause, dialStatus, status]): Scenario[] => [
    {
      name: `the first party's leg ends ${cause}, then the job says -ERR`,
      then: { status, result: 'error', cause, hangupCause: cause },
      events: firstFails(cause, 3),
    },
    {
      name: `the job says -ERR ${cause} before the first party's leg ends`,
      then: { status, result: 'error', cause, hangupCause: cause },
      events: firstFails(cause, -4),
    },
    {
      name: `the second party's leg ends ${cause} and the first party's ${NC}`,
      then: { status, result: 'success', cause: undefined, hangupCause: cause },
      events: secondFails(cause, dialStatus),
    },
  ]),
  {
    name: 'with bypass media, the second party is busy and the first leg also ends USER_BUSY',
    then: { status: 'busy', result: 'success', hangupCause: 'USER_BUSY' },
    events: [
      ...bypassRinging,
      hangup(SECOND, 110, 'USER_BUSY', REFUSED),
      hangup(FIRST, 112, 'USER_BUSY', SEND_BYE),
    ],
  },
  {
    name: 'the first party hangs up while the second rings',
    then: { status: 'failed', result: 'success', hungUpBy: 'first', hangupCause: OC },
    events: [...secondRings, hangup(FIRST, 3000, NC, BYE), hangup(SECOND, 3003, OC, SEND_CANCEL)],
  },
  {
    name: 'we cancel while the first party rings',
    then: { status: 'canceled', result: 'error', cause: OC },
    events: [...placed, cancel(2000), ...loopbacksEnd(2020, OC), hangup(FIRST, 2022, OC), jobErr(2024, OC)],
  },
  {
    name: 'we cancel while the second party rings',
    then: { status: 'canceled', result: 'success' },
    events: [...secondRings, cancel(2000), hangup(SECOND, 2020, OC, SEND_CANCEL), hangup(FIRST, 2022, OC)],
  },
  {
    name: 'we cancel a connected call',
    then: { status: 'canceled', result: 'success', hangupCause: OC },
    events: [
      ...connected,
      cancel(5000),
      hangup(SECOND, 5020, OC, SEND_BYE),
      hangup(FIRST, 5022, OC, SEND_BYE),
    ],
  },
  {
    name: 'the job says +OK with a foreign uuid, after the first party answered',
    then: { status: 'failed', result: 'error' },
    events: [...placed, answered(FIRST, 33), jobOk(35, FOREIGN), hangup(FIRST, 60, NC)],
  },
  {
    name: 'the job says +OK with a foreign uuid, before the first party answered',
    then: { status: 'failed', result: 'error' },
    events: [...placed, jobOk(31, FOREIGN), answered(FIRST, 33), hangup(FIRST, 60, NC)],
  },
  {
    name: "the second leg's hangup is missed, loopback-a's DIALSTATUS=BUSY is seen, then the call is gone",
    then: { status: 'busy', result: 'success', hangupCause: 'USER_BUSY' },
    events: [...secondFails('USER_BUSY', 'BUSY').filter(not(SECOND, 'hangup')), gone(60_000)],
  },
  {
    name: 'a connected call is found gone',
    then: { status: 'completed', result: 'success', endedAt: at(600_000) },
    events: [...connected, hangup(CALL, 2120, NC), gone(600_000)],
  },
  // The first party reached by its dialplan alone, no phone leg yet (docs/call-states.md#first-party; recordings
  // b-loopback-extension-ring-forever-timeout, live-first-dialplan-rings-then-bridges).
  {
    name: 'the first party rings in its dialplan until the originate times out',
    then: {
      status: 'no_answer',
      result: 'error',
      cause: 'NO_ANSWER',
      hangupCause: 'NO_ANSWER',
      first: {
        uuid: LB_B,
        loopback: true,
        created_at: at(24),
        ended_at: at(4725),
        hangup_cause: 'NO_ANSWER',
      },
    },
    events: dialplanRings.concat([
      jobErr(4703, 'NO_ANSWER'),
      hangup(CALL, 4724, 'NO_ANSWER'),
      hangup(LB_B, 4725, 'NO_ANSWER'),
    ]),
  },
  {
    name: 'the first party rings in its dialplan and we cancel',
    then: { status: 'canceled', result: 'error', cause: OC, hangupCause: OC },
    events: [
      ...dialplanRings,
      cancel(2000),
      hangup(CALL, 2020, OC),
      hangup(LB_B, 2021, OC),
      jobErr(2024, OC),
    ],
  },
  {
    name: "the first party's dialplan answers (an IVR), then the contact answers and hangs up",
    then: {
      status: 'completed',
      result: 'success',
      hungUpBy: 'second',
      answeredAt: at(1000),
      bridgedAt: at(1200),
    },
    events: [
      ...dialplanRings,
      answered(LB_B, 1000),
      answered(CALL, 1001),
      jobOk(1002),
      createdBy(SECOND, 1020, CALL),
      ringing(SECOND, 1022),
      answered(SECOND, 1200),
      hangup(SECOND, 5000, NC, BYE),
      hangup(CALL, 5001, NC),
      hangup(LB_B, 5003, NC),
    ],
  },
  {
    name: 'the first party rings in its dialplan, then is bridged late to a phone, and both talk',
    then: {
      status: 'completed',
      result: 'success',
      answeredAt: at(3228),
      bridgedAt: at(3470),
      hungUpBy: 'second',
      first: {
        uuid: FIRST,
        created_at: at(3028),
        answered_at: at(3228),
        ended_at: at(7516),
        hangup_cause: NC,
        disposition: 'send_bye',
      },
    },
    events: [
      ...dialplanRings,
      createdBy(FIRST, 3028, LB_B),
      ringing(FIRST, 3029),
      answered(FIRST, 3228),
      answered(CALL, 3249),
      answered(LB_B, 3250),
      jobOk(3251),
      createdBy(SECOND, 3269, CALL),
      ringing(SECOND, 3270),
      answered(SECOND, 3470),
      hangup(SECOND, 7498, NC, BYE),
      hangup(CALL, 7499, NC),
      hangup(FIRST, 7516, NC, SEND_BYE),
      hangup(LB_B, 7517, NC),
    ],
  },
  {
    name: "an IVR answers the first party, the contact's phone rings, then the agent's phone (placed by loopback-b) answers",
    then: { status: 'completed', result: 'success', hungUpBy: 'first' },
    events: [
      ...dialplanRings,
      answered(LB_B, 1000),
      answered(CALL, 1001),
      jobOk(1002),
      createdBy(SECOND, 1020, CALL),
      ringing(SECOND, 1022),
      createdBy(FIRST, 1500, LB_B),
      answered(FIRST, 1700),
      answered(SECOND, 1900),
      hangup(FIRST, 6000, NC, BYE),
      hangup(SECOND, 6003, NC, SEND_BYE),
      hangup(CALL, 6004, NC),
      hangup(LB_B, 6005, NC),
    ],
  },
];

const pick = ({ status, result, cause, endedAt }: CallState) => ({ status, result, cause, endedAt });
const keyOf = (e: CallEvent): string => (e.type === 'job' || !('uuid' in e) ? e.type : e.uuid);

describe('call state (docs/call-states.md)', () => {
  describe('statuses and causes', () => {
    it('when a status is completed, busy, no_answer, failed or canceled, then it is final, else not', () => {
      const finals = ['busy', 'canceled', 'completed', 'failed', 'no_answer'];
      expect([...FINAL_STATUSES].sort()).to.deep.equal(finals);
      for (const s of ['originating', 'ringing', 'answered', 'connected', ...finals] as CallStatus[])
        expect(isFinal(s), s).to.equal(finals.includes(s));
    });

    it('when a party fails, then USER_BUSY is busy, NO_ANSWER/NO_USER_RESPONSE no_answer, the rest failed', () => {
      const of = (c: string): CallStatus => statusOfCause(c, false);
      const named = { USER_BUSY: 'busy', NO_ANSWER: 'no_answer', NO_USER_RESPONSE: 'no_answer' };
      for (const [c, status] of Object.entries(named)) expect(of(c), c).to.equal(status);
      for (const c of ['UNALLOCATED_NUMBER', 'CALL_REJECTED', 'NORMAL_TEMPORARY_FAILURE', NC, OC])
        expect(of(c), c).to.equal('failed');
    });

    it('when ORIGINATOR_CANCEL ends a party, then it is canceled only if we asked for the cancel', () => {
      expect(statusOfCause(OC, true)).to.equal('canceled');
      expect(statusOfCause(OC, false)).to.equal('failed');
    });

    it('when a call is placed, then it is originating, pending, with no leg and no cancel', () => {
      expect(initialState(CALL, at(0))).to.deep.equal({
        ...{ callId: CALL, status: 'originating', result: 'pending', createdAt: at(0) },
        ...{ loopback: {}, cancelRequested: false },
      });
    });
  });

  describe('the status table, row by row and cell by cell', () => {
    type Live = 'originating' | 'ringing' | 'answered' | 'connected';
    /** Events that bring a new call to each live status. */
    const reach: Record<Live, CallEvent[]> = {
      originating: [created(CALL, 1), created(FIRST, 2)],
      ringing: [created(FIRST, 2), ringing(FIRST, 3)],
      answered: [created(FIRST, 2), ringing(FIRST, 3), answered(FIRST, 4)],
      connected: [created(FIRST, 2), answered(FIRST, 4), created(SECOND, 5), answered(SECOND, 6)],
    };
    /** Per milestone, events whose last one is that milestone (the ones before it change nothing). */
    const triggers = (withSecond: boolean): Record<Milestone, CallEvent[]> => ({
      first_ringing: [ringing(FIRST, 100)],
      first_answered: [answered(FIRST, 100)],
      first_failed: [jobErr(100, 'USER_BUSY')],
      second_answered: [created(SECOND, 99), answered(SECOND, 100)],
      second_failed: [created(SECOND, 99), hangup(SECOND, 100, 'NO_ANSWER')],
      all_ended: withSecond
        ? [hangup(FIRST, 99, 'USER_BUSY'), hangup(SECOND, 100, NC)]
        : [hangup(FIRST, 100, 'USER_BUSY')],
      gone: [gone(100)],
    });
    const MILESTONES = Object.keys(triggers(false)) as Milestone[];
    /** Per status, in MILESTONES order: the table's cells ('-' = none), then where the triggers lead. */
    const ROWS: Record<Live, [Array<string>, CallStatus[]]> = {
      originating: [
        ['ringing', 'answered', 'by_cause', 'connected', 'by_cause', 'by_cause', 'by_cause'],
        ['ringing', 'answered', 'busy', 'connected', 'no_answer', 'busy', 'failed'],
      ],
      ringing: [
        ['-', 'answered', 'by_cause', 'connected', 'by_cause', 'by_cause', 'by_cause'],
        ['ringing', 'answered', 'busy', 'connected', 'no_answer', 'busy', 'failed'],
      ],
      answered: [
        ['-', '-', 'by_cause', 'connected', 'by_cause', 'by_cause', 'by_cause'],
        ['answered', 'answered', 'failed', 'connected', 'no_answer', 'failed', 'failed'],
      ],
      connected: [
        ['-', '-', '-', '-', '-', 'completed', 'completed'],
        ['connected', 'connected', 'connected', 'connected', 'connected', 'completed', 'completed'],
      ],
    };

    it('when the table is read, then it has a row per live status and none for a final one', () => {
      expect(Object.keys(STATUS_TABLE).sort()).to.deep.equal(Object.keys(ROWS).sort());
    });

    for (const [status, [cells, nexts]] of Object.entries(ROWS) as Array<[Live, [string[], CallStatus[]]]>) {
      it(`when the call is ${status}, then its row holds exactly the cells listed`, () => {
        const row = MILESTONES.map((m, i) => [m, cells[i]]).filter(([, c]) => c !== '-');
        expect(STATUS_TABLE[status]).to.deep.equal(Object.fromEntries(row));
      });
      MILESTONES.forEach((milestone, i) => {
        it(`when the call is ${status} and ${milestone} happens, then it is ${nexts[i]}`, () => {
          const before = run(reach[status]);
          expect(before.status).to.equal(status);
          const steps = triggers(status === 'connected')[milestone];
          const last = run(steps.slice(0, -1), before);
          expect(last.status, 'the events before the milestone').to.equal(status);
          const after = run(steps.slice(-1), last);
          expect(after.status).to.equal(nexts[i]);
          expect(after.endedAt === undefined, 'endedAt unset').to.equal(!isFinal(after.status));
        });
      });
    }

    const finals: Array<[CallStatus, CallEvent[]]> = [
      ['completed', SCENARIOS[0]!.events],
      ['busy', firstFails('USER_BUSY', 3)],
      ['no_answer', secondFails('NO_ANSWER', 'NOANSWER')],
      ['failed', firstFails('UNALLOCATED_NUMBER', 3)],
      ['canceled', [...placed, cancel(100), jobErr(120, OC)]],
    ];
    for (const [status, events] of finals) {
      it(`when the call is ${status}, then no milestone, cancel or gone moves it`, () => {
        const final = run(events);
        expect(final.status).to.equal(status);
        const more = [...Object.values(triggers(false)), ...Object.values(triggers(true))];
        for (const late of [...more, [cancel(200)], [jobOk(200)], [jobOk(200, FOREIGN)], [gone(300, 'X')]]) {
          expect(pick(run(late, final))).to.deep.equal(pick(final));
        }
      });
    }
  });

  describe('scenarios', () => {
    for (const { name, events, then } of SCENARIOS) {
      it(`when ${name}, then the call is ${then.status}`, () => {
        const final = run(events);
        for (const [k, v] of Object.entries(then)) expect(final[k as keyof CallState], k).to.deep.equal(v);
        expect(final.endedAt, 'endedAt').to.be.a('string');
      });
    }

    // Every DIALSTATUS fallback of docs/call-states.md#party-outcomes, written here as data (not read from the code):
    // the second party's SIP leg is missed, loopback-a (hanging up NORMAL_CLEARING, which says nothing) carries the
    // DIALSTATUS, loopback-b its early INVALIDARGS, and the call is then found gone.
    const DIALSTATUS_FALLBACKS: ReadonlyArray<readonly [string, string, CallState['status']]> = [
      ['BUSY', 'USER_BUSY', 'busy'],
      ['NOANSWER', 'NO_ANSWER', 'no_answer'],
      ['UNALLOCATED_NUMBER', 'UNALLOCATED_NUMBER', 'failed'],
      ['CANCEL', 'ORIGINATOR_CANCEL', 'failed'],
      ['INVALIDARGS', 'INVALID_NUMBER_FORMAT', 'failed'],
      ['CHANUNAVAIL', 'NORMAL_TEMPORARY_FAILURE', 'failed'],
      ['CONGESTION', 'NORMAL_CIRCUIT_CONGESTION', 'failed'],
    ];
    const missedSecondLeg = (dialStatus: string | undefined, onLoopbackB = 'INVALIDARGS'): CallEvent[] => [
      ...secondRings,
      hangup(CALL, 84, NC, dialStatus === undefined ? {} : { dialStatus }),
      hangup(LB_B, 85, NC, { dialStatus: onLoopbackB }),
      hangup(FIRST, 86, NC, SEND_BYE),
      gone(60_000),
    ];
    for (const [dialStatus, cause, status] of DIALSTATUS_FALLBACKS) {
      it(`when the second leg's end is missed and loopback-a says DIALSTATUS=${dialStatus}, then the call is ${status} with ${cause}`, () => {
        const final = run(missedSecondLeg(dialStatus));
        expect(final).to.include({ status, result: 'success', hangupCause: cause });
      });
    }

    it("when loopback-a's DIALSTATUS is one the table does not know, or only loopback-b has one, then it is not read: failed, NORMAL_CLEARING", () => {
      for (const events of [missedSecondLeg('SOMETHING_NEW'), missedSecondLeg(undefined, 'BUSY')]) {
        const final = run(events);
        expect(final).to.include({ status: 'failed', result: 'success', hangupCause: NC });
      }
    });

    it("when the second party's own leg ended, then loopback-a's DIALSTATUS does not override it", () => {
      const events = [
        ...secondRings,
        hangup(SECOND, 81, 'USER_BUSY', REFUSED),
        hangup(CALL, 84, NC, { dialStatus: 'CONGESTION' }),
        hangup(LB_B, 85, NC, { dialStatus: 'INVALIDARGS' }),
        hangup(FIRST, 86, NC, SEND_BYE),
      ];
      expect(run(events)).to.include({ status: 'busy', hangupCause: 'USER_BUSY' });
    });

    it('when both parties answer and the second hangs up, then the durations are derivable', () => {
      const final = run(SCENARIOS[0]!.events);
      expect(final).to.include({ answeredAt: at(33), bridgedAt: at(70), endedAt: at(10_003) });
      expect(final.first).to.include({ uuid: FIRST, answered_at: at(33), hangup_cause: NC });
      expect(final.second).to.include({ uuid: SECOND, answered_at: at(70), disposition: 'recv_bye' });
    });

    it("when the first party's dialplan rings (no phone yet), then the call is ringing and its first leg is the loopback", () => {
      const ringingNow = run(dialplanRings);
      expect(ringingNow).to.include({ status: 'ringing', result: 'pending' });
      expect(ringingNow.first).to.deep.equal({ uuid: LB_B, loopback: true, created_at: at(24) });
      expect(ringingNow.second).to.equal(undefined);
    });

    it('when a phone of the first party shows up late, then it replaces the loopback as the first leg; loopback events move nothing any more', () => {
      const late = run([...dialplanRings, createdBy(FIRST, 3028, LB_B), ringing(FIRST, 3029)]);
      expect(late.first).to.deep.equal({ uuid: FIRST, created_at: at(3028) });
      expect(late.status).to.equal('ringing');
      const lbHangs = run([hangup(LB_B, 3100, 'NO_ANSWER')], late);
      expect(lbHangs.status).to.equal('ringing');
    });

    it('when the loopback pair hangs up during a connected call, then it stays connected', () => {
      const mid = run([...connected, ...loopbacksEnd(2120, NC)]);
      expect(mid.status).to.equal('connected');
      expect(mid.loopback).to.deep.equal({ [CALL]: { ended: true }, [LB_B]: { ended: true } });
    });

    it('when the loopback pair bows out before the second party answers, then the call goes on', () => {
      expect(run(bypassRinging).status).to.equal('answered');
      const later = run([...bypassRinging, answered(SECOND, 3000)]);
      expect(later).to.include({ status: 'connected', bridgedAt: at(3000) });
    });

    it('when the job says +OK, then the first party answered but the call is not connected', () => {
      const state = run([...placed, jobOk(35)]);
      expect(state).to.include({ status: 'answered', result: 'success', answeredAt: at(35) });
    });

    it('when the first leg ends NORMAL_CLEARING before the busy second leg, then it does not decide', () => {
      const early = run([...secondRings, hangup(FIRST, 80, NC, SEND_BYE)]);
      expect(early.status).to.equal('answered');
      expect(run([hangup(SECOND, 81, 'USER_BUSY')], early).status).to.equal('busy');
    });

    it("when loopback-b's INVALIDARGS is seen before loopback-a's BUSY, then the fallback is still busy", () => {
      const events = [
        created(LB_B, 25),
        created(CALL, 26),
        ...secondRings.filter(not(CALL, 'created')).filter(not(LB_B, 'created')),
        hangup(LB_B, 60, NC, { dialStatus: 'INVALIDARGS' }),
        hangup(CALL, 84, 'USER_BUSY', { dialStatus: 'BUSY' }),
        gone(60_000),
      ];
      expect(run(events)).to.include({ status: 'busy', hangupCause: 'USER_BUSY' });
    });

    it('when only loopback-b has a DIALSTATUS, then the fallback ignores it', () => {
      const events = [...secondRings, hangup(LB_B, 85, NC, { dialStatus: 'INVALIDARGS' }), gone(9000)];
      expect(run(events)).to.include({ status: 'failed', hangupCause: NC });
    });

    it('when the second leg is missed and loopback-a says DIALSTATUS=UNALLOCATED_NUMBER, then that is the cause', () => {
      const dialStatus = 'UNALLOCATED_NUMBER';
      const events = [...secondRings, hangup(CALL, 84, dialStatus, { dialStatus }), gone(9000)];
      expect(run(events)).to.include({ status: 'failed', hangupCause: dialStatus });
    });

    it('when the job says +OK with a foreign uuid after the first answer, then it is failed at once', () => {
      const state = run([...placed, answered(FIRST, 33), jobOk(35, FOREIGN)]);
      expect(state).to.include({ status: 'failed', result: 'error', endedAt: at(35) });
    });

    it('when the call is gone while ringing after our cancel, then it is canceled', () => {
      expect(run([...placed, cancel(100), gone(9000)])).to.include({ status: 'canceled', result: 'error' });
    });

    it('when the call outlives any lifetime while ringing, then it is failed with that cause', () => {
      const state = run([...placed, gone(9000, 'TRACKING_EXPIRED')]);
      expect(state).to.include({ status: 'failed', result: 'error', cause: 'TRACKING_EXPIRED' });
    });

    it('when a third SIP leg shows up, then it is not judged', () => {
      const third = 'f3000000-0000-4000-8000-0000000000f3';
      const state = run([...connected, created(third, 90), hangup(third, 95, 'USER_BUSY')]);
      expect(state.status).to.equal('connected');
    });
  });

  describe('properties', () => {
    /** mulberry32: a small seeded PRNG, so that a failure replays. */
    const prng = (seed: number): (() => number) => {
      let a = seed >>> 0;
      return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = Math.imul(a ^ (a >>> 15), 1 | a);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      };
    };
    /**
     * Reorders events whose times are within 5 ms of each other (a jitter of up to 6 ms on integer times),
     * keeping each channel's own events in order; undefined when a second SIP leg's event would come before
     * the first SIP leg's CREATE (never seen: fact 6).
     */
    const shuffleNear = (events: CallEvent[], rand: () => number): CallEvent[] | undefined => {
      const order = events
        .map((e, i) => ({ i, k: msOf(e) + rand() * 6 }))
        .sort((a, b) => a.k - b.k)
        .map(({ i }) => events[i]!);
      const queues = new Map<string, CallEvent[]>();
      for (const e of events) queues.set(keyOf(e), [...(queues.get(keyOf(e)) ?? []), e]);
      const out = order.map((e) => queues.get(keyOf(e))!.shift()!);
      // Without originators, the first phone leg seen is the first party: a shuffle may not put the second first.
      const knowsOriginators = events.some((e) => e.type === 'created' && e.originator !== undefined);
      const firstCreate = out.findIndex((e) => e.type === 'created' && e.uuid === FIRST);
      const secondSeen = out.findIndex((e) => keyOf(e) === SECOND);
      return !knowsOriginators && secondSeen !== -1 && secondSeen < firstCreate ? undefined : out;
    };
    const VERDICT = ['status', 'result', 'cause', 'hangupCause', 'hungUpBy'] as const;
    const verdict = (s: CallState) => Object.fromEntries(VERDICT.map((k) => [k, s[k]]));

    for (const { name, events } of SCENARIOS) {
      it(`when every event of "${name}" comes twice, then the final state is the same as once`, () => {
        const once = run(events);
        expect(run(events.flatMap((e) => [e, e]))).to.deep.equal(once);
        expect(run([...events, ...events])).to.deep.equal(once);
      });

      it(`when an event of "${name}" repeats at once, then transition returns the same object`, () => {
        let state = initialState(CALL, at(0));
        for (const event of events) {
          state = transition(state, event);
          expect(transition(state, event), `${event.type} at ${msOf(event)} ms`).to.equal(state);
        }
      });

      it(`when events of "${name}" within 5 ms are shuffled, then status, result and causes are the same`, () => {
        const expected = verdict(run(events));
        const rand = prng(0xc2c + events.length);
        let reordered = 0;
        for (let n = 0; n < 300; n += 1) {
          const shuffled = shuffleNear(events, rand);
          if (shuffled === undefined) continue;
          if (shuffled.some((e, i) => e !== events[i])) reordered += 1;
          const order = shuffled.map((e) => `${keyOf(e).slice(0, 8)}:${e.type}@${msOf(e)}`).join(' ');
          expect(verdict(run(shuffled)), order).to.deep.equal(expected);
        }
        expect(reordered, 'shuffles that changed the order').to.be.greaterThan(0);
      });
    }

    it('when an event changes nothing, then transition returns the very same object', () => {
      const live = run(connected);
      for (const e of [created(CALL, 90), created(FIRST, 90), ringing(SECOND, 90), jobOk(90)])
        expect(transition(live, e)).to.equal(live);
      expect(transition(live, answered(SECOND, 99)), 'a later second ANSWER').to.equal(live);
      const final = run(SCENARIOS[0]!.events);
      for (const e of [cancel(20_000), gone(20_000), jobOk(20_000), hangup(FIRST, 20_000, 'X')])
        expect(transition(final, e)).to.equal(final);
    });
  });
});
