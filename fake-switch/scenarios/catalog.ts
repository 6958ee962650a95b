/**
 * The call scenarios: a party behaviour per destination number, combined into a recorded sequence of the
 * real switch (recordings.ts), re-timed for the call's timeouts and patched for causes where no capture
 * of that exact combination exists (each such patch is listed in SCENARIO_TABLE).
 */
import type { LegName, ParsedOriginate, Scenario, ScenarioContext, ScenarioStep } from '../scenario-types';
import { IDENTITY, materialize, routes } from './engine';
import type { Patch, RecordedEvent, Role, Warp } from './engine';
import { recording } from './recordings';
import type { RecordingName } from './recordings';

export type Behaviour = 'answer' | 'busy' | 'notfound' | 'noanswer' | 'forever' | 'dialplan' | 'late';

export function behaviourOf(number: string): Behaviour {
  if (number.endsWith('486')) return 'busy';
  if (number.endsWith('404')) return 'notfound';
  if (number.endsWith('480')) return 'noanswer';
  if (number.endsWith('999')) return 'forever';
  if (number.endsWith('998')) return 'dialplan';
  if (number.endsWith('997')) return 'late';
  return 'answer';
}

/** The b5 recipe (docs/originate.md#bypass-media) is recognised by `loopback_bowout_on_execute=true`. */
export function isBypass(parsed: ParsedOriginate): boolean {
  return parsed.vars['loopback_bowout_on_execute'] === 'true';
}

const DIALSTATUS: Record<string, string> = {
  USER_BUSY: 'BUSY',
  NO_ANSWER: 'NOANSWER',
  ORIGINATOR_CANCEL: 'CANCEL',
};

/** Turn a recorded cause into another one on the given roles (cause names, DIALSTATUS, the job body). */
export function causePatches(from: string, to: string, roles?: Role[]): Patch[] {
  if (from === to) return [];
  const r = roles ? { roles } : {};
  return [
    { ...r, from, to },
    { ...r, header: /^variable_originate_causes$/, from: `;${from}`, to: `;${to}`, sub: true },
    { ...r, header: /^variable_DIALSTATUS$/, from: DIALSTATUS[from] ?? from, to: DIALSTATUS[to] ?? to },
    { from: `-ERR ${from}\n`, to: `-ERR ${to}\n` },
  ];
}

/** SIP 486 → 404 as the pair i2-contact-sip-486 / i2-contact-sip-404 differs. */
export const BUSY_TO_NOT_FOUND: Patch[] = [
  ...causePatches('USER_BUSY', 'UNALLOCATED_NUMBER'),
  {
    header: /^variable_(sip_term_status|sip_invite_failure_status|current_application_data|last_arg)$/,
    from: '486',
    to: '404',
  },
  { header: /^variable_(sip_invite_failure_phrase|sip_hangup_phrase)$/, from: 'Busy Here', to: 'Not Found' },
  { header: /proto_specific_hangup_cause$/, from: 'sip:486', to: 'sip:404' },
];

type Part = { rec: RecordingName; part: 'head' | 'tail'; warp?: Warp; patches?: Patch[]; shiftMs?: number };

function play(ctx: ScenarioContext, parts: Part[], keep?: (e: RecordedEvent) => boolean): ScenarioStep[] {
  const out: ScenarioStep[] = [];
  let last = 0;
  for (const p of parts) {
    const rec = recording(p.rec);
    const warp = p.warp ?? IDENTITY;
    for (const ev of rec[p.part]) {
      if (keep && !keep(ev)) continue;
      const atMs = Math.max(last, Math.round((ev.atMs + warp(ev.atMs) + (p.shiftMs ?? 0)) * 1000) / 1000);
      last = atMs;
      out.push(materialize(ev, ctx, warp, atMs, p.patches));
    }
  }
  return out;
}

/** Shift everything from the recording's tail on so that the tail starts at `targetMs`. */
function tailAt(rec: RecordingName, targetMs: number): Warp {
  const { tailFromMs, tailRefMs } = recording(rec).data;
  return (off) => (off >= tailFromMs - 1 ? targetMs - tailRefMs : 0);
}

function seconds(parsed: ParsedOriginate, name: string, dflt: number): number {
  const n = Number(parsed.vars[name]);
  return Number.isFinite(n) && n > 0 ? n : dflt;
}

const ROLE_OF: Record<LegName, Role> = {
  loopbackA: 'lbA',
  loopbackB: 'lbB',
  firstSip: 'firstSip',
  secondSip: 'secondSip',
};

function timeOf(rec: RecordingName, role: Role, name: string): number | undefined {
  return recording(rec).head.find((e) => e.role === role && e.headers[0]?.[1] === name)?.atMs;
}

export type Plan = {
  first: Behaviour;
  second: Behaviour;
  bypass: boolean;
  parts(ctx: ScenarioContext): Part[];
  /** recording whose head describes the call up to the point where it would be killed */
  base: RecordingName;
};

export function plan(first: Behaviour, second: Behaviour, bypass: boolean): Plan {
  const mk = (base: RecordingName, parts: (ctx: ScenarioContext) => Part[]): Plan => ({
    first,
    second,
    bypass,
    base,
    parts,
  });
  switch (first) {
    case 'busy':
      return mk('firstBusy', () => [{ rec: 'firstBusy', part: 'head' }]);
    case 'notfound':
      return mk('firstNotFound', () => [{ rec: 'firstNotFound', part: 'head' }]);
    case 'forever':
      return mk('firstRinging', () => [{ rec: 'firstRinging', part: 'head' }]);
    case 'noanswer':
      return mk('firstNoAnswer', (ctx) => {
        // live-first-sip-no-answer-ot3: NO_ANSWER (job, loopback legs) 974 ms before originate_timeout=3, the SIP
        // leg ORIGINATOR_CANCEL (its bridge is cancelled). FreeSWITCH counts the timeout in whole seconds.
        const { tailRefMs } = recording('firstNoAnswer').data;
        const warp = tailAt(
          'firstNoAnswer',
          seconds(ctx.parsed, 'originate_timeout', 60) * 1000 - (3000 - tailRefMs),
        );
        return [
          { rec: 'firstNoAnswer', part: 'head', warp },
          { rec: 'firstNoAnswer', part: 'tail', warp },
        ];
      });
    case 'dialplan':
      return mk('firstDialplanRinging', (ctx) => {
        // b-loopback-extension-ring-forever-timeout: ring_ready in the dialplan, no phone; the job's NO_ANSWER
        // 296 ms before originate_timeout=5, then both loopback legs NO_ANSWER.
        const { tailRefMs } = recording('firstDialplanRinging').data;
        const ot = seconds(ctx.parsed, 'originate_timeout', 60);
        const warp = tailAt('firstDialplanRinging', ot * 1000 - (5000 - tailRefMs));
        return [
          { rec: 'firstDialplanRinging', part: 'head', warp },
          { rec: 'firstDialplanRinging', part: 'tail', warp },
        ];
      });
    case 'late':
      // live-first-dialplan-rings-then-bridges: rings in the dialplan 3 s, bridged to a phone that answers; the
      // contact answers and hangs up 4 s later (whatever the second number says).
      return mk('firstLateBridge', () => [{ rec: 'firstLateBridge', part: 'head' }]);
    case 'answer':
      break;
  }
  const ringing: RecordingName = bypass ? 'bypassSecondRinging' : 'secondRinging';
  switch (second) {
    case 'late':
    case 'answer': {
      const rec: RecordingName = bypass ? 'bypassAnswered' : 'answered';
      return mk(rec, () => [
        { rec, part: 'head' },
        { rec, part: 'tail' },
      ]);
    }
    case 'busy': {
      const rec: RecordingName = bypass ? 'bypassSecondBusy' : 'secondBusy';
      return mk(rec, () => [{ rec, part: 'head' }]);
    }
    case 'notfound':
      if (bypass)
        return mk('bypassSecondBusy', () => [
          { rec: 'bypassSecondBusy', part: 'head', patches: BUSY_TO_NOT_FOUND },
        ]);
      return mk('secondNotFound', () => [{ rec: 'secondNotFound', part: 'head' }]);
    case 'dialplan':
    case 'forever':
      return mk(ringing, () => [{ rec: ringing, part: 'head' }]);
    case 'noanswer':
      return mk(ringing, (ctx) => {
        // the captures ran with call_timeout=8: NO_ANSWER at 7112 ms (plain) / 7621 ms (recipe)
        const ct = seconds(ctx.parsed, 'call_timeout', 60);
        const warp = tailAt(ringing, recording(ringing).data.tailRefMs + (ct - 8) * 1000);
        return [
          { rec: ringing, part: 'head', warp },
          { rec: ringing, part: 'tail', warp },
        ];
      });
  }
}

function killParts(p: Plan, cause: string, atMs: number): Part[] {
  const firstAnswer = timeOf(p.base, 'firstSip', 'CHANNEL_ANSWER');
  const secondAnswer = timeOf(p.base, 'secondSip', 'CHANNEL_ANSWER');
  const lbGone = timeOf(p.base, 'lbA', 'CHANNEL_HANGUP_COMPLETE');
  let rec: RecordingName;
  let patches: Patch[];
  if (firstAnswer === undefined || atMs < firstAnswer) {
    rec = 'firstRinging';
    patches = causePatches('ORIGINATOR_CANCEL', cause);
  } else if (secondAnswer === undefined || atMs < secondAnswer) {
    rec = p.bypass ? 'bypassSecondRinging' : 'secondRinging';
    patches = [...causePatches('NO_ANSWER', cause), ...causePatches('NORMAL_CLEARING', cause)];
  } else {
    rec = p.bypass ? 'killBypass' : lbGone !== undefined && atMs >= lbGone ? 'killTwoLegs' : 'killFourLegs';
    patches = causePatches('NORMAL_CLEARING', cause);
  }
  const shiftMs = atMs - recording(rec).data.tailRefMs;
  const warp: Warp = (off) => (off >= recording(rec).data.tailFromMs - 1 ? shiftMs : 0);
  return [{ rec, part: 'tail', warp, patches }];
}

function describe(p: Plan): string {
  return `first party ${p.first}, second party ${p.second}${p.bypass ? ', bypass_media (b5 recipe)' : ''}`;
}

export function scenarioFor(parsed: ParsedOriginate): Scenario {
  const r = routes(parsed);
  const p = plan(behaviourOf(r.first), behaviourOf(r.second), isBypass(parsed));
  return {
    name: `${p.first}/${p.first === 'answer' ? p.second : '-'}${p.bypass ? '/bypass' : ''}`,
    description: describe(p),
    steps: (ctx) => play(ctx, p.parts(ctx)),
    onHangup: (ctx, cause, atMs, alive) => {
      const roles = new Set<Role>(alive.map((l) => ROLE_OF[l]));
      const firstAnswer = timeOf(p.base, 'firstSip', 'CHANNEL_ANSWER');
      if (firstAnswer === undefined || atMs < firstAnswer) roles.add('job');
      return play(ctx, killParts(p, cause, atMs), (e) => roles.has(e.role));
    },
  };
}
