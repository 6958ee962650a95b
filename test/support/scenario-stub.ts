/**
 * A tiny scenario and originate parser for the ESL client tests, so that they exercise the fake switch's
 * wire engine without depending on the captured scenario data (tested elsewhere).
 */
import type {
  LegName,
  ParsedOriginate,
  Scenario,
  ScenarioContext,
  ScenarioStep,
} from '../../fake-switch/scenario-types';

/** Records the calls of `onHangup` for assertions. */
export const hangups: Array<{ callId: string; cause: string; atMs: number; alive: LegName[] }> = [];

function channel(
  ctx: ScenarioContext,
  name: string,
  uuid: string,
  extra: Array<[string, string]> = [],
): Array<[string, string]> {
  return [
    ['Event-Name', name],
    ['Unique-ID', uuid],
    ['Channel-Name', uuid === ctx.callId ? 'loopback/1000-a' : 'sofia/internal/1000@127.0.0.1:5070'],
    ['Caller-Caller-ID-Name', 'Web Lead'],
    ['Caller-Caller-ID-Number', '+15551234567'],
    ['Channel-Presence-Data', ctx.callId],
    ['variable_c2c_call_id', ctx.callId],
    ...extra,
  ];
}

/** loopback-a and the first SIP leg come up, the job answers `+OK <callId>`, the legs hang up after 60 s. */
export const stubScenario: Scenario = {
  name: 'stub',
  description: 'two legs, job +OK at 40 ms, hang-up at 60 s (scenario time)',
  steps(ctx: ScenarioContext): ScenarioStep[] {
    return [
      { atMs: 0, event: channel(ctx, 'CHANNEL_CREATE', ctx.callId) },
      { atMs: 10, event: channel(ctx, 'CHANNEL_STATE', ctx.callId) },
      { atMs: 20, event: channel(ctx, 'CHANNEL_CREATE', ctx.uuids.firstSip) },
      { atMs: 30, event: channel(ctx, 'CHANNEL_ANSWER', ctx.uuids.firstSip, [['Note', 'é ü 中\nline2']]) },
      {
        atMs: 40,
        event: [
          ['Event-Name', 'BACKGROUND_JOB'],
          ['Job-UUID', ctx.jobUuid],
          ['Job-Command', 'originate'],
        ],
        body: `+OK ${ctx.callId}\n`,
      },
      { atMs: 60_000, event: channel(ctx, 'CHANNEL_HANGUP_COMPLETE', ctx.uuids.firstSip) },
      { atMs: 60_001, event: channel(ctx, 'CHANNEL_HANGUP_COMPLETE', ctx.callId) },
    ];
  },
  onHangup(ctx: ScenarioContext, cause: string, atMs: number, alive: LegName[]): ScenarioStep[] {
    hangups.push({ callId: ctx.callId, cause, atMs, alive: [...alive] });
    const uuidOf = (leg: LegName): string => (leg === 'loopbackA' ? ctx.callId : ctx.uuids[leg]);
    return alive.map((leg, i) => ({
      atMs: atMs + 5 + i,
      event: channel(ctx, 'CHANNEL_HANGUP_COMPLETE', uuidOf(leg), [['Hangup-Cause', cause]]),
    }));
  },
};

/** Accepts `{…}endpoint route …`, refuses anything starting with `foo/` as CHAN_NOT_IMPLEMENTED. */
export function stubParseOriginate(args: string): ParsedOriginate | { error: string } {
  if (args.startsWith('foo/')) return { error: '-ERR CHAN_NOT_IMPLEMENTED' };
  const m = /^\{([^}]*)\}(\S+)(?: (\S+))?(?: (\S+))?(?: (\S+))?$/.exec(args);
  if (!m) return { error: '-ERR DESTINATION_OUT_OF_ORDER' };
  const vars: Record<string, string> = {};
  const varOrder: string[] = [];
  for (const item of (m[1] ?? '').split(',')) {
    const eq = item.indexOf('=');
    if (eq > 0) {
      vars[item.slice(0, eq)] = item.slice(eq + 1);
      varOrder.push(item.slice(0, eq));
    }
  }
  return {
    vars,
    varOrder,
    refused: [],
    blocks: 1,
    endpoint: m[2] ?? '',
    ...(m[3] === undefined ? {} : { route: m[3] }),
    ...(m[4] === undefined ? {} : { dialplan: m[4] }),
    ...(m[5] === undefined ? {} : { context: m[5] }),
    rest: [],
  };
}
