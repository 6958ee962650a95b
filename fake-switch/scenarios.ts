/**
 * Call scenarios of the fake FreeSWITCH: which events an originate produces, derived header for header
 * from the real FreeSWITCH 1.10.12 captures (copies in test/fixtures/esl/; see scenarios/engine.ts for the
 * data format and test/support/extract-scenario-data.ts for how the data was extracted).
 *
 * The first party is the loopback endpoint's destination (`loopback/<first>/<ctx>`), the second is the
 * originate's positional route. Each party's behaviour comes from the end of its number (SCENARIO_TABLE).
 *
 * Server obligations: play `steps()` at `atMs` after the originate; on hupall/uuid_kill call `onHangup`
 * with the legs still alive and drop every step not yet played (the returned steps replace them).
 * The BACKGROUND_JOB step has no Content-Length header: add it for the body as for the outer message.
 */
import type { ParsedOriginate, Scenario } from './scenario-types';
import { scenarioFor } from './scenarios/catalog';

export { behaviourOf, isBypass } from './scenarios/catalog';

export function selectScenario(parsed: ParsedOriginate): Scenario {
  return scenarioFor(parsed);
}

export const SCENARIO_TABLE: ReadonlyArray<{ match: string; behaviour: string; evidence: string }> = [
  {
    match: 'both numbers end in anything else (either call order)',
    behaviour:
      'both answer after ~20 ms of ringing; job +OK <callId> at ~60 ms (first party answered); second party answers at ~73 ms; ' +
      'loopback-a/-b UNBRIDGE + HANGUP_COMPLETE NORMAL_CLEARING with loopback_hangup_cause=bridge at ~2.16 s, then the second ' +
      'SIP leg BRIDGE(first SIP leg); at ~5.1 s the second party hangs up (its legs: recv_bye, sip_term_status 200; first: send_bye)',
    evidence:
      'i1-ext-first-rtp-contact-sends-bye (data), i5-subscription-ext-first-rtp, i1-contact-first-rtp-kill-ext',
  },
  {
    match: 'both answer + vars loopback_bowout_on_execute=true (b5 recipe)',
    behaviour:
      'job +OK at ~60 ms, CUSTOM loopback::bowout right after, loopback-a HANGUP_COMPLETE NORMAL_UNSPECIFIED ' +
      '(loopback_hangup_cause=bowout) at ~75 ms, second SIP leg created by the first SIP leg, re-bridge UNBRIDGE/BRIDGE ' +
      'of the first SIP leg at ~0.5 s; ends like the capture: both SIP legs NORMAL_CLEARING send_bye at ~8.1 s',
    evidence: 'i3-b5-recipe-ext-first (data), i5-subscription-bowout-on-execute, i3-b5-recipe-contact-first',
  },
  {
    match: 'first number ends in 486',
    behaviour:
      'first SIP leg USER_BUSY (sip_term_status 486, recv_refuse), loopback legs USER_BUSY; job -ERR USER_BUSY at ~61 ms',
    evidence: 'c5-loopback-extension-sip-busy-486',
  },
  {
    match: 'first number ends in 404',
    behaviour:
      'first SIP leg UNALLOCATED_NUMBER (404); loopback legs UNALLOCATED_NUMBER; job -ERR UNALLOCATED_NUMBER',
    evidence: 'c6-loopback-extension-sip-404',
  },
  {
    match: 'first number ends in 480',
    behaviour:
      'first SIP leg rings (PROGRESS) until originate_timeout s - 0.97 s, then job -ERR NO_ANSWER, loopback legs NO_ANSWER ' +
      'and the SIP leg ORIGINATOR_CANCEL (its bridge cancelled; sip_invite_failure_status 487)',
    evidence:
      'live-first-sip-no-answer-ot3 (data, re-taken from the live switch: the live tier found the earlier patch wrong)',
  },
  {
    match: 'first number ends in 998',
    behaviour:
      'the first party rings in its dialplan (ring_ready; no phone leg): loopback-a/-b PROGRESS at ~26 ms, nothing else ' +
      'until originate_timeout s - 0.3 s, then job -ERR NO_ANSWER and both loopback legs NO_ANSWER; a cancel ends both ' +
      'loopback legs ORIGINATOR_CANCEL (as the second party: as 999)',
    evidence: 'b-loopback-extension-ring-forever-timeout (data)',
  },
  {
    match: 'first number ends in 997',
    behaviour:
      'rings in its dialplan (loopback PROGRESS at ~4 ms), is bridged to a phone 3 s later: its SIP leg (originator ' +
      'loopback-b) rings, answers at ~3.23 s, loopback legs ANSWER, job +OK; the second party answers at ~3.47 s and ' +
      'hangs up at ~7.5 s (as the second party: as any other number)',
    evidence: 'live-first-dialplan-rings-then-bridges (data, taken from the live switch)',
  },
  {
    match: 'first number ends in 999',
    behaviour:
      'first SIP leg rings forever; only onHangup ends it (cancel: ORIGINATOR_CANCEL on all legs, job -ERR ORIGINATOR_CANCEL)',
    evidence: 'h9-cancel-sip-ringing',
  },
  {
    match: 'first answers, second ends in 486',
    behaviour:
      'job +OK; second SIP leg USER_BUSY 486 at ~83 ms; loopback legs USER_BUSY (lb-a DIALSTATUS=BUSY); first SIP leg ' +
      'NORMAL_CLEARING send_bye (bypass: first SIP leg USER_BUSY, DIALSTATUS=BUSY)',
    evidence: 'i2-contact-sip-486, i3-b5-recipe-contact-sip-486 (bypass)',
  },
  {
    match: 'first answers, second ends in 404',
    behaviour: 'as 486 with UNALLOCATED_NUMBER / 404 (bypass: patched from the 486 recipe capture)',
    evidence: 'i2-contact-sip-404; bypass: i3-b5-recipe-contact-sip-486 patched as i2-486 → i2-404 differ',
  },
  {
    match: 'first answers, second ends in 480',
    behaviour:
      'second SIP leg rings until call_timeout s - 0.9 s (recipe: - 0.4 s), then NO_ANSWER send_cancel; lb-a NORMAL_CLEARING ' +
      'with DIALSTATUS=NOANSWER; first SIP leg NORMAL_CLEARING send_bye',
    evidence:
      'i2-contact-ring-forever-ct8-ot20, i2-contact-ring-forever-ct20-ot20, i3-b5-recipe-contact-ring-forever-ct8',
  },
  {
    match: 'first answers, second ends in 999',
    behaviour:
      'second SIP leg rings forever; onHangup ends it (the i2 no-answer ending with every cause replaced by the given one: extrapolated)',
    evidence: 'i2-contact-ring-forever-ct8-ot20',
  },
  {
    match: 'onHangup after both answered',
    behaviour:
      'before loopback-a is gone: 4 legs hang up with the cause (i3-a2 hupall); after: the 2 SIP legs, send_bye ' +
      '(i4 default / i4 recipe hupall)',
    evidence: 'i3-a2-bowout-false-bmab, i4-after-bowout-default-hupall, i4-after-bowout-recipe-hupall',
  },
];
