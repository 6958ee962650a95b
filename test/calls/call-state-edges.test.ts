import { expect } from 'chai';
import { type CallEvent } from '../../src/calls/call-state';
import {
  BYE,
  CALL,
  FIRST,
  FOREIGN,
  LB_B,
  NC,
  OC,
  REFUSED,
  SECOND,
  SEND_BYE,
  SEND_CANCEL,
  answered,
  at,
  cancel,
  connected,
  created,
  createdBy,
  gone,
  hangup,
  jobErr,
  jobOk,
  placed,
  ringing,
  run,
  secondRings,
} from '../support/call-events';

// The edges of the call-state machine that the recorded scenarios do not reach: a verdict before the job, a
// party heard of alone, causes from each source in turn, who hung up, and the end time (docs/call-states.md).

/** The first party's dialplan rings by itself: the loopback pair, loopback-b standing in for the first party. */
const standInRings: CallEvent[] = [created(CALL, 23), created(LB_B, 24), ringing(LB_B, 27)];

describe('call state: edges', () => {
  describe('a verdict before the job', () => {
    it("when the first party's phone refuses before the job, then the call is busy at once with that cause", () => {
      const state = run([...placed, hangup(FIRST, 40, 'USER_BUSY', REFUSED)]);
      expect(state).to.include({
        status: 'busy',
        result: 'error',
        cause: 'USER_BUSY',
        hangupCause: 'USER_BUSY',
        endedAt: at(40),
      });
    });

    it('when loopback-b (the stand-in) ends unanswered before the job, then the first party failed at once', () => {
      const state = run([...standInRings, hangup(LB_B, 40, 'NO_ANSWER')]);
      expect(state).to.include({ status: 'no_answer', result: 'error', cause: 'NO_ANSWER' });
    });

    it('when the stand-in ends unanswered while a second phone leg exists, then the first party still failed', () => {
      const state = run([...standInRings, createdBy(SECOND, 30, CALL), hangup(LB_B, 40, 'NO_ANSWER')]);
      expect(state).to.include({ status: 'no_answer', result: 'error' });
    });

    it("when loopback-a ends while the stand-in rings, then nothing is judged (only loopback-b's end counts)", () => {
      const state = run([...standInRings, hangup(CALL, 40, NC)]);
      expect(state).to.include({ status: 'ringing', result: 'pending' });
    });

    it("when loopback-a's hang-up is the first event heard, then the call is still originating", () => {
      expect(run([hangup(CALL, 5, NC)])).to.include({ status: 'originating', result: 'pending' });
    });

    it('when the stand-in answered and then ends while the second party is on, then the call stays connected', () => {
      const events = [
        ...standInRings,
        answered(LB_B, 30),
        answered(CALL, 31),
        createdBy(SECOND, 40, CALL),
        answered(SECOND, 50),
        hangup(LB_B, 60, NC),
      ];
      expect(run(events)).to.include({ status: 'connected', result: 'success' });
    });
  });

  describe('loopback legs once the first party has a phone', () => {
    it("when a loopback leg rings or answers while the first party's phone rings, then it moves nothing", () => {
      const state = run([created(CALL, 23), created(LB_B, 24), created(FIRST, 30), ringing(CALL, 31)]);
      expect(state).to.include({ status: 'originating', result: 'pending' });
      expect(run([...placed, answered(LB_B, 34)])).to.include({ status: 'ringing', result: 'pending' });
    });

    it("when the job says -ERR after the first party's phone answered, then the answer stands: result stays success", () => {
      const state = run([...placed, answered(FIRST, 33), jobErr(35, 'NORMAL_TEMPORARY_FAILURE')]);
      expect(state.result).to.equal('success');
      expect(state.cause).to.equal(undefined);
    });
  });

  describe('the second party heard of alone', () => {
    it('when a second phone leg fails and no first leg was ever heard of, then the call is busy', () => {
      const state = run([createdBy(SECOND, 30, CALL), hangup(SECOND, 40, 'USER_BUSY', REFUSED)]);
      expect(state).to.include({ status: 'busy', result: 'error', hangupCause: 'USER_BUSY' });
    });

    it("when the second party's answer comes before the first's, then the call is connected and a success", () => {
      const state = run([...placed, created(SECOND, 40), answered(SECOND, 45)]);
      expect(state).to.include({ status: 'connected', result: 'success', bridgedAt: at(45) });
    });

    it('when a call with only a second leg is gone, then it is completed with NORMAL_CLEARING at that time', () => {
      const state = run([createdBy(SECOND, 30, CALL), answered(SECOND, 40), gone(9000)]);
      expect(state).to.include({ status: 'completed', hangupCause: NC, endedAt: at(9000) });
    });
  });

  describe('causes, source by source', () => {
    it('when the job says +OK with a foreign uuid, then the cause is UUID_MISMATCH', () => {
      const state = run([...placed, answered(FIRST, 33), jobOk(35, FOREIGN)]);
      expect(state).to.include({ cause: 'UUID_MISMATCH', hangupCause: 'UUID_MISMATCH' });
    });

    it("when a foreign +OK follows loopback-a's DIALSTATUS, then the cause is still UUID_MISMATCH", () => {
      const state = run([
        ...placed,
        answered(FIRST, 33),
        hangup(CALL, 34, NC, { dialStatus: 'BUSY' }),
        jobOk(35, FOREIGN),
      ]);
      expect(state).to.include({ status: 'failed', cause: 'UUID_MISMATCH', hangupCause: 'UUID_MISMATCH' });
    });

    it("when a foreign +OK follows the answered first party's own hang-up, then its cause is not the verdict", () => {
      const events = [
        ...placed,
        answered(FIRST, 33),
        created(SECOND, 34),
        hangup(FIRST, 36, NC, BYE),
        jobOk(37, FOREIGN),
      ];
      expect(run(events)).to.include({ status: 'failed', hangupCause: 'UUID_MISMATCH' });
    });

    it('when the call is gone unanswered and no cause is known at all, then it failed with NORMAL_CLEARING', () => {
      const state = run([...placed, gone(9000)]);
      expect(state).to.include({ status: 'failed', result: 'error', cause: NC, hangupCause: NC });
    });

    it('when the call is gone after our cancel with no cause known, then the cause is ORIGINATOR_CANCEL', () => {
      const state = run([...placed, cancel(100), gone(9000)]);
      expect(state).to.include({ status: 'canceled', cause: OC, hangupCause: OC });
    });

    it("when we cancel and the phone then refuses by itself, then it is canceled with the phone's own cause", () => {
      const state = run([...placed, cancel(35), hangup(FIRST, 40, 'USER_BUSY', REFUSED)]);
      expect(state).to.include({ status: 'canceled', hangupCause: 'USER_BUSY' });
    });

    it("when the switch cancelled the first party's bridge and no job came, then that cancel is the last resort", () => {
      const state = run([...placed, hangup(FIRST, 40, OC, SEND_CANCEL), gone(9000)]);
      expect(state).to.include({ status: 'failed', cause: OC, hangupCause: OC });
    });

    it("when loopback-a's DIALSTATUS is known but the first party never answered, then it is not the cause", () => {
      const state = run([...placed, hangup(CALL, 50, 'NO_ANSWER', { dialStatus: 'NOANSWER' }), gone(9000)]);
      expect(state).to.include({ status: 'failed', cause: NC });
    });

    it("when loopback-a's DIALSTATUS comes before the second leg's own end, then the leg's own cause wins", () => {
      const events = [
        ...secondRings,
        hangup(CALL, 80, NC, { dialStatus: 'NOANSWER' }),
        hangup(SECOND, 81, 'USER_BUSY', REFUSED),
      ];
      expect(run(events)).to.include({ status: 'busy', hangupCause: 'USER_BUSY' });
    });

    it("when the second leg's own cause is ORIGINATOR_CANCEL, then it is kept (the exemption is the first party's)", () => {
      const events = [
        ...secondRings,
        hangup(CALL, 80, NC, { dialStatus: 'NOANSWER' }),
        hangup(SECOND, 81, OC, SEND_CANCEL),
      ];
      expect(run(events)).to.include({ status: 'failed', hangupCause: OC });
    });

    it('when a connected call is gone with a cause, then the call is completed and keeps no error cause', () => {
      const state = run([...connected, gone(9000, 'TRACKING_EXPIRED')]);
      expect(state).to.include({ status: 'completed', result: 'success', hangupCause: NC });
      expect(state.cause).to.equal(undefined);
    });

    it("when the party that hung up has its own cause, then the call ends with it, not the other leg's", () => {
      const events = [
        ...connected,
        hangup(FIRST, 80, NC, BYE),
        hangup(SECOND, 82, 'NORMAL_UNSPECIFIED', SEND_BYE),
      ];
      expect(run(events)).to.include({ status: 'completed', hungUpBy: 'first', hangupCause: NC });
    });
  });

  describe('who hung up, and when the call ended', () => {
    it('when the first party hangs up while the second is still on, then nobody is named yet', () => {
      const state = run([...connected, hangup(FIRST, 80, NC, BYE)]);
      expect(state.status).to.equal('connected');
      expect(state.hungUpBy).to.equal(undefined);
      const over = run([hangup(SECOND, 82, NC, SEND_BYE)], state);
      expect(over).to.include({ status: 'completed', hungUpBy: 'first' });
    });

    it('when a late BYE of the other party comes after someone was named, then the name stays', () => {
      const closed = run([...connected, hangup(SECOND, 80, NC, BYE), gone(9000)]);
      expect(closed).to.include({ status: 'completed', hungUpBy: 'second' });
      expect(run([hangup(FIRST, 9500, NC, BYE)], closed).hungUpBy).to.equal('second');
    });

    it("when one leg ended and the call is closed later, then the end time is that leg's", () => {
      const state = run([...connected, hangup(SECOND, 100, NC, BYE), gone(500_000)]);
      expect(state).to.include({ status: 'completed', endedAt: at(100) });
    });

    it('when the second party ends before the first, then the end time is the later end', () => {
      const state = run([...connected, hangup(SECOND, 100, NC, BYE), hangup(FIRST, 300, NC, SEND_BYE)]);
      expect(state).to.include({ status: 'completed', endedAt: at(300) });
    });

    it("when a leg's hang-up carries its SIP status, then the leg keeps it", () => {
      const state = run([...connected, hangup(SECOND, 80, NC, BYE)]);
      expect(state.second).to.include({ sip_status: '200', disposition: 'recv_bye' });
      expect(run([hangup(SECOND, 81, NC, { sipStatus: '487' })], state).second?.sip_status).to.equal('200');
    });
  });
});
