import { expect } from 'chai';
import type {
  LegName,
  ParsedOriginate,
  ScenarioContext,
  ScenarioStep,
} from '../../fake-switch/scenario-types';
import { SCENARIO_TABLE, selectScenario } from '../../fake-switch/scenarios';
import { BUSY_TO_NOT_FOUND } from '../../fake-switch/scenarios/catalog';
import { IDENTITY, materialize, parseExportList } from '../../fake-switch/scenarios/engine';
import type { Patch } from '../../fake-switch/scenarios/engine';
import { recording } from '../../fake-switch/scenarios/recordings';
import type { RecordingName } from '../../fake-switch/scenarios/recordings';
import { header, readCapture } from '../support/capture-reader';
import type { CaptureEvent } from '../support/capture-reader';
import { captureT0Ms, loadRecording, RECORDINGS } from '../support/extract-scenario-data';
import type { Loaded } from '../support/extract-scenario-data';
import { parseOriginateLine } from '../support/originate-line';
import { serviceView } from '../support/service-view';

type Ev = { headers: Array<[string, string]> };
const h = (ev: Ev, k: string): string | undefined => ev.headers.find(([n]) => n === k)?.[1];
const st = (s: ScenarioStep): Ev => ({ headers: s.event });
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

function ctxOf(l: Loaded): ScenarioContext {
  return {
    callId: l.uuids['callId'] ?? '',
    jobUuid: l.jobUuid,
    parsed: l.parsed,
    uuids: {
      loopbackB: l.uuids['lbB'] ?? '',
      firstSip: l.uuids['first'] ?? '',
      secondSip: l.uuids['second'] ?? '',
    },
    startedAt: new Date(captureT0Ms(l.cap)),
  };
}

describe('fake-switch scenario data regenerates the captures header for header', () => {
  for (const spec of RECORDINGS) {
    it(`${spec.name} ⇐ ${spec.file}`, () => {
      const l = loadRecording(spec);
      const ctx = ctxOf(l);
      const rec = recording(spec.name as RecordingName);
      const gen = [...rec.head, ...rec.tail].map((e) => materialize(e, ctx, IDENTITY, e.atMs));
      const want = l.events.filter((e) => !spec.tailOnly || e.atMs >= l.tailFromMs);
      expect(gen.map((s) => h(st(s), 'Event-Name'))).to.deep.equal(want.map((e) => header(e, 'Event-Name')));
      const known = new Set(Object.values(l.uuids));
      const ep = l.parsed.endpoint.split('/');
      const party = { first: ep[1] ?? '', second: l.parsed.route ?? '' };
      // documented difference: a hairpin's user part (1486@…:5080) is shown as the party's own number
      const alias = (v: string): string =>
        Object.entries(spec.aliases ?? {}).reduce(
          (acc, [a, p]) => acc.replace(new RegExp(`(?<![0-9A-Za-z])${a}(?![0-9A-Za-z])`, 'g'), party[p]),
          v,
        );
      const norm = (v: string): string => v.replace(UUID, (u) => (known.has(u) ? u : '<uuid>'));
      want.forEach((ev, i) => {
        const g = gen[i];
        if (!g) throw new Error('missing event');
        // documented omission: the job's inner Content-Length (the server adds it)
        const names = ev.headers.map(([k]) => k).filter((k) => !(k === 'Content-Length'));
        expect(
          g.event.map(([k]) => k),
          `event ${i} header names`,
        ).to.deep.equal(names);
        for (const [k, v] of g.event) {
          if (k === 'Core-UUID') continue;
          // documented difference: rebuilt from the parsed originate, so its escaping may differ
          if (k === 'Job-Command-Arg') {
            expect(v)
              .to.contain(l.parsed.endpoint)
              .and.match(/^\{origination_uuid=/);
            continue;
          }
          expect(norm(v), `event ${i} ${k}`).to.equal(norm(alias(h(ev, k) ?? '')));
        }
        expect(g.body ?? '').to.equal(ev.body);
        expect(g.atMs).to.equal(ev.atMs);
      });
    });
  }
});

// The service's originate (docs/originate.md#form), with our own routes and timeouts.
const CALL_ID = 'c2c-5f0c0ffee0c0ffee0c0ffee0c0ffee00-0123456789';
function originate(first: string, second: string, extra = '', ot = 20, ct = 20): ParsedOriginate {
  return parseOriginateLine(
    `bgapi originate {origination_uuid=${CALL_ID},c2c_call_id=${CALL_ID},c2c_id=cfg1,c2c_account_id=acct1,` +
      `presence_data=${CALL_ID},export_vars=c2c_call_id\\,c2c_id\\,c2c_account_id\\,presence_data,` +
      `ignore_early_media=true,originate_timeout=${ot},call_timeout=${ct},origination_caller_id_name=Web\\sLead,` +
      `origination_caller_id_number=+15551234567,origination_callee_id_name=Acme\\sSales,` +
      `origination_callee_id_number=+14155550100,sip_h_X-C2C-Id=cfg1,cav_crm=42${extra}}` +
      `loopback/${first}/default ${second} XML default`,
  );
}
const RECIPE =
  ',loopback_bowout_on_execute=true,nolocal:bypass_media_after_bridge=true,nolocal:source=c2c,' +
  'nolocal:effective_caller_id_name=Acme\\sSales,nolocal:effective_caller_id_number=+14155550100';
function ctxFor(parsed: ParsedOriginate): ScenarioContext {
  return {
    callId: CALL_ID,
    jobUuid: '0b0b0b0b-1111-4222-8333-444444444444',
    parsed,
    uuids: {
      loopbackB: 'bbbbbbbb-1111-4222-8333-444444444444',
      firstSip: 'f1f1f1f1-1111-4222-8333-444444444444',
      secondSip: 'f2f2f2f2-1111-4222-8333-444444444444',
    },
    startedAt: new Date('2030-06-01T12:00:00.000Z'),
  };
}

function capView(file: string): CaptureEvent[] {
  const cap = readCapture(`${file}.plain.txt`);
  const jobs = serviceView(cap).filter((e) => header(e, 'Event-Name') === 'BACKGROUND_JOB');
  const mine = jobs.find((e) => (header(e, 'Job-Command') ?? '') === 'originate');
  return serviceView(cap).filter((e) => header(e, 'Event-Name') !== 'BACKGROUND_JOB' || e === mine);
}
const legKey = (ev: Ev, call: string, first: string): string => {
  const name = h(ev, 'Event-Name') ?? '';
  if (name !== 'CHANNEL_CREATE' && name.startsWith('CHANNEL_') === false) return name;
  const uuid = h(ev, 'Unique-ID') ?? '';
  const chan = h(ev, 'Channel-Name') ?? '';
  const leg =
    uuid === call ? 'lbA' : chan.startsWith('loopback/') ? 'lbB' : uuid === first ? 'firstSip' : 'secondSip';
  return `${name} ${leg}`;
};
function shape(evs: Ev[], call: string): string[] {
  const firstSip = evs.find((e) => !(h(e, 'Channel-Name') ?? 'loopback/').startsWith('loopback/'));
  const first = firstSip ? (h(firstSip, 'Unique-ID') ?? '') : '';
  return evs.map((e) => legKey(e, call, first));
}
/** header names, without the variables that come from either originate's {} block */
function names(ev: Ev, ...ps: ParsedOriginate[]): string[] {
  const drop = new Set<string>();
  for (const p of ps) {
    for (const k of p.varOrder) drop.add(`variable_${k}`);
    for (const k of parseExportList(p.vars)) drop.add(`variable_${k.replace(/^nolocal:/, '')}`);
  }
  return ev.headers.map(([k]) => k).filter((k) => !drop.has(k) && k !== 'Content-Length');
}
const CAUSES = ['Hangup-Cause', 'Answer-State', 'variable_sip_term_status', 'variable_loopback_hangup_cause'];
const CAUSES2 = ['variable_DIALSTATUS', 'variable_sip_hangup_disposition', 'variable_originate_disposition'];

type Case = { name: string; parsed: ParsedOriginate; capture: string; until?: number; patches?: Patch[] };
const CASES: Case[] = [
  {
    name: 'both answer, ext first',
    parsed: originate('1000', '4158867900'),
    capture: 'i1-ext-first-rtp-contact-sends-bye',
  },
  {
    name: 'both answer (subscription capture)',
    parsed: originate('1000', '4158867900'),
    capture: 'i5-subscription-ext-first-rtp',
    until: 3000,
  },
  {
    name: 'both answer, contact first',
    parsed: originate('4158867900', '1000'),
    capture: 'i1-contact-first-rtp-kill-ext',
    until: 3000,
  },
  {
    name: 'bypass, ext first',
    parsed: originate('1000', '4158867900', RECIPE),
    capture: 'i3-b5-recipe-ext-first',
  },
  // the two SIP legs' HANGUP_COMPLETE after the hupall come in either order (ext-first vs contact-first run)
  {
    name: 'bypass, contact first',
    parsed: originate('4158867900', '1000', RECIPE),
    capture: 'i3-b5-recipe-contact-first',
    until: 8000,
  },
  {
    name: 'first busy',
    parsed: originate('2486', '4158867900'),
    capture: 'c5-loopback-extension-sip-busy-486',
  },
  {
    name: 'first not found',
    parsed: originate('2404', '4158867900'),
    capture: 'c6-loopback-extension-sip-404',
  },
  { name: 'second busy', parsed: originate('1000', '4155550486'), capture: 'i2-contact-sip-486' },
  { name: 'second not found', parsed: originate('1000', '4155550404'), capture: 'i2-contact-sip-404' },
  {
    name: 'second no answer',
    parsed: originate('1000', '4155550480', '', 20, 8),
    capture: 'i2-contact-ring-forever-ct8-ot20',
  },
  {
    name: 'bypass, second busy',
    parsed: originate('1000', '4155550486', RECIPE),
    capture: 'i3-b5-recipe-contact-sip-486',
  },
  {
    name: 'bypass, second no answer',
    parsed: originate('1000', '4155550480', RECIPE, 20, 8),
    capture: 'i3-b5-recipe-contact-ring-forever-ct8',
  },
];

describe('fake-switch scenarios against their source captures', () => {
  for (const c of CASES) {
    it(`${c.name} ⇔ ${c.capture}`, () => {
      const steps = selectScenario(c.parsed).steps(ctxFor(c.parsed));
      const isC5 = c.capture.startsWith('c');
      const cap = readCapture(`${c.capture}.plain.txt`);
      const capParsed = parseOriginateLine(cap.originateCommand);
      const raw = isC5 ? recordingView(c.capture) : capView(c.capture);
      const want = raw.filter((e) => e.atMs < (c.until ?? 1e9));
      const got = steps.map(st).slice(0, want.length);
      const capCall = capParsed.vars['origination_uuid'] ?? '';
      expect(shape(got, CALL_ID)).to.deep.equal(shape(want, capCall));
      expect(steps.length).to.equal(c.until ? steps.length : want.length);
      want.forEach((ev, i) => {
        const g = got[i] ?? { headers: [] };
        expect(new Set(names(g, c.parsed, capParsed)), `${i} header set`).to.deep.equal(
          new Set(names(ev, c.parsed, capParsed)),
        );
        for (const k of [...CAUSES, ...CAUSES2]) expect(h(g, k), `${i} ${k}`).to.equal(h(ev, k));
      });
    });
  }
});

function recordingView(file: string): CaptureEvent[] {
  const spec = RECORDINGS.find((r) => r.file === file);
  if (!spec) throw new Error(file);
  return loadRecording(spec).events;
}

function byLeg(steps: ScenarioStep[], uuid: string, name: string): ScenarioStep | undefined {
  return steps.find((s) => h(st(s), 'Unique-ID') === uuid && h(st(s), 'Event-Name') === name);
}

describe('fake-switch scenarios: the facts of docs/call-states.md hold in the data', () => {
  const ctx = ctxFor(originate('1000', '4158867900'));
  const steps = selectScenario(ctx.parsed).steps(ctx);

  it('every event carries variable_c2c_call_id except the job and the bow-out', () => {
    for (const p of [
      ctx.parsed,
      originate('1000', '4158867900', RECIPE),
      originate('2486', '1000'),
      originate('1480', '1000', '', 3),
    ]) {
      for (const s of selectScenario(p).steps(ctxFor(p))) {
        const name = h(st(s), 'Event-Name');
        if (name === 'BACKGROUND_JOB' || name === 'CUSTOM')
          expect(h(st(s), 'variable_c2c_call_id')).to.equal(undefined);
        else expect(h(st(s), 'variable_c2c_call_id'), name).to.equal(CALL_ID);
      }
    }
  });
  it('timings are monotonic and as in the captures; events are 0.7-13 KB, 21-25 per call', () => {
    const at = steps.map((s) => s.atMs);
    expect(at).to.deep.equal([...at].sort((a, b) => a - b));
    expect(steps.length).to.be.within(21, 25);
    const job = steps.find((s) => h(st(s), 'Event-Name') === 'BACKGROUND_JOB');
    expect(job?.atMs).to.be.within(45, 70);
    expect(job?.body).to.equal(`+OK ${CALL_ID}\n`);
    for (const s of steps) expect(JSON.stringify(s.event).length).to.be.within(600, 14000);
    expect(h(st(steps[0] ?? { atMs: 0, event: [] }), 'Event-Date-Timestamp')).to.equal(
      String(Date.parse('2030-06-01T12:00:00Z') * 1000 + 7653),
    );
  });
  it('connected = the second SIP leg CHANNEL_ANSWER; the loopback pair leaves with loopback_hangup_cause=bridge ~2 s later', () => {
    const answer = byLeg(steps, ctx.uuids.secondSip, 'CHANNEL_ANSWER');
    const lbA = byLeg(steps, CALL_ID, 'CHANNEL_HANGUP_COMPLETE');
    const lbB = byLeg(steps, ctx.uuids.loopbackB, 'CHANNEL_HANGUP_COMPLETE');
    expect(answer).to.not.equal(undefined);
    for (const l of [lbA, lbB]) {
      expect(h(st(l ?? { atMs: 0, event: [] }), 'variable_loopback_hangup_cause')).to.equal('bridge');
      expect(h(st(l ?? { atMs: 0, event: [] }), 'Hangup-Cause')).to.equal('NORMAL_CLEARING');
      expect((l?.atMs ?? 0) - (answer?.atMs ?? 0)).to.be.within(2000, 2200);
    }
    const second = byLeg(steps, ctx.uuids.secondSip, 'CHANNEL_HANGUP_COMPLETE');
    expect(h(st(second ?? { atMs: 0, event: [] }), 'variable_sip_hangup_disposition')).to.equal('recv_bye');
    const first = byLeg(steps, ctx.uuids.firstSip, 'CHANNEL_HANGUP_COMPLETE');
    expect(h(st(first ?? { atMs: 0, event: [] }), 'variable_sip_hangup_disposition')).to.equal('send_bye');
    expect(h(st(first ?? { atMs: 0, event: [] }), 'Channel-Name')).to.equal(
      'sofia/internal/1000@127.0.0.1:5070',
    );
    expect(h(st(first ?? { atMs: 0, event: [] }), 'variable_c2c_id')).to.equal('cfg1');
    expect(h(st(first ?? { atMs: 0, event: [] }), 'variable_sip_h_X-C2C-Id')).to.equal('cfg1');
    expect(
      h(st(byLeg(steps, CALL_ID, 'CHANNEL_CREATE') ?? { atMs: 0, event: [] }), 'variable_cav_crm'),
    ).to.equal('42');
  });
  it('bypass: CUSTOM loopback::bowout and loopback legs gone with cause bowout within ~50 ms of the first answer', () => {
    const p = originate('1000', '4158867900', RECIPE);
    const s = selectScenario(p).steps(ctxFor(p));
    const bow = s.find((x) => h(st(x), 'Event-Subclass') === 'loopback::bowout');
    expect(h(st(bow ?? { atMs: 0, event: [] }), 'Resigning-UUID')).to.equal(CALL_ID);
    expect(h(st(bow ?? { atMs: 0, event: [] }), 'Acquired-UUID')).to.equal(ctxFor(p).uuids.firstSip);
    const lbA = byLeg(s, CALL_ID, 'CHANNEL_HANGUP_COMPLETE');
    const ans = byLeg(s, ctxFor(p).uuids.firstSip, 'CHANNEL_ANSWER');
    expect(h(st(lbA ?? { atMs: 0, event: [] }), 'variable_loopback_hangup_cause')).to.equal('bowout');
    expect((lbA?.atMs ?? 0) - (ans?.atMs ?? 0)).to.be.within(0, 60);
  });
  it('second party fails: its SIP leg has the cause, the first party NORMAL_CLEARING, lb-a DIALSTATUS the fallback', () => {
    for (const [num, cause, status, dial] of [
      ['4155550486', 'USER_BUSY', '486', 'BUSY'],
      ['4155550404', 'UNALLOCATED_NUMBER', '404', 'UNALLOCATED_NUMBER'],
      ['4155550480', 'NO_ANSWER', undefined, 'NOANSWER'],
    ] as const) {
      const p = originate('1000', num, '', 20, 5);
      const c = ctxFor(p);
      const s = selectScenario(p).steps(c);
      const second = byLeg(s, c.uuids.secondSip, 'CHANNEL_HANGUP_COMPLETE');
      expect(h(st(second ?? { atMs: 0, event: [] }), 'Hangup-Cause')).to.equal(cause);
      expect(h(st(second ?? { atMs: 0, event: [] }), 'variable_sip_term_status')).to.equal(status);
      expect(
        h(
          st(byLeg(s, c.uuids.firstSip, 'CHANNEL_HANGUP_COMPLETE') ?? { atMs: 0, event: [] }),
          'Hangup-Cause',
        ),
      ).to.equal('NORMAL_CLEARING');
      expect(
        h(st(byLeg(s, CALL_ID, 'CHANNEL_HANGUP_COMPLETE') ?? { atMs: 0, event: [] }), 'variable_DIALSTATUS'),
      ).to.equal(dial);
      if (cause === 'NO_ANSWER') expect(second?.atMs).to.be.within(4000, 5000);
    }
  });
  it('first party fails: BACKGROUND_JOB -ERR <cause>; no answer after originate_timeout', () => {
    // with no answer, the first SIP leg's bridge is cancelled (live-first-sip-no-answer-ot3)
    for (const [num, cause, legCause] of [
      ['2486', 'USER_BUSY', 'USER_BUSY'],
      ['1404', 'UNALLOCATED_NUMBER', 'UNALLOCATED_NUMBER'],
      ['1480', 'NO_ANSWER', 'ORIGINATOR_CANCEL'],
    ] as const) {
      const p = originate(num, '4158867900', '', 3);
      const s = selectScenario(p).steps(ctxFor(p));
      const job = s.find((x) => h(st(x), 'Event-Name') === 'BACKGROUND_JOB');
      expect(job?.body).to.equal(`-ERR ${cause}\n`);
      expect(h(st(job ?? { atMs: 0, event: [] }), 'Job-UUID')).to.equal(ctxFor(p).jobUuid);
      const sip = byLeg(s, ctxFor(p).uuids.firstSip, 'CHANNEL_HANGUP_COMPLETE');
      expect(h(st(sip ?? { atMs: 0, event: [] }), 'Hangup-Cause')).to.equal(legCause);
      if (cause === 'NO_ANSWER') expect(job?.atMs).to.be.within(2000, 3000);
      expect(s.some((x) => h(st(x), 'Unique-ID') === ctxFor(p).uuids.secondSip)).to.equal(false);
    }
  });
});

describe('fake-switch scenarios: onHangup', () => {
  const all: LegName[] = ['loopbackA', 'loopbackB', 'firstSip', 'secondSip'];
  it('cancel while the first party rings forever (h9): ORIGINATOR_CANCEL on the 3 legs, send_cancel, job -ERR', () => {
    const p = originate('1999', '4158867900');
    const c = ctxFor(p);
    expect(
      selectScenario(p)
        .steps(c)
        .every((s) => h(st(s), 'Event-Name') !== 'CHANNEL_HANGUP_COMPLETE'),
    ).to.equal(true);
    const end = selectScenario(p).onHangup(c, 'ORIGINATOR_CANCEL', 2500, [
      'loopbackA',
      'loopbackB',
      'firstSip',
    ]);
    expect(shape(end.map(st), CALL_ID)).to.deep.equal(
      shape(
        recordingView('h9-cancel-sip-ringing').filter((e) => e.atMs > 2500),
        recordingView('h9-cancel-sip-ringing')[0]
          ? (header(recordingView('h9-cancel-sip-ringing')[0] as CaptureEvent, 'Unique-ID') ?? '')
          : '',
      ),
    );
    expect(end.find((s) => h(st(s), 'Event-Name') === 'BACKGROUND_JOB')?.body).to.equal(
      '-ERR ORIGINATOR_CANCEL\n',
    );
    const sip = byLeg(end, c.uuids.firstSip, 'CHANNEL_HANGUP_COMPLETE');
    expect(h(st(sip ?? { atMs: 0, event: [] }), 'variable_sip_hangup_disposition')).to.equal('send_cancel');
    expect(end.every((s) => s.atMs >= 2500 && s.atMs < 2600)).to.equal(true);
  });
  it('hupall on an answered call: 4 legs before the bow-out, the 2 SIP legs after (i4)', () => {
    const p = originate('1000', '4158867900');
    const sc = selectScenario(p);
    const early = sc.onHangup(ctxFor(p), 'NORMAL_CLEARING', 1000, all);
    expect(new Set(early.map((s) => h(st(s), 'Unique-ID')))).to.have.property('size', 4);
    const late = sc.onHangup(ctxFor(p), 'NORMAL_CLEARING', 3000, ['firstSip', 'secondSip']);
    expect(late.filter((s) => h(st(s), 'Event-Name') === 'CHANNEL_HANGUP_COMPLETE')).to.have.length(2);
    for (const s of late) expect(s.atMs).to.be.within(3000, 3100);
    expect(late.every((s) => h(st(s), 'variable_sip_hangup_disposition') !== 'recv_bye')).to.equal(true);
  });
  it('cancel while the second party rings: every leg ends with the given cause (extrapolated)', () => {
    const p = originate('1000', '4155550999');
    const end = selectScenario(p).onHangup(ctxFor(p), 'ORIGINATOR_CANCEL', 1500, all);
    const causes = end
      .filter((s) => h(st(s), 'Event-Name') === 'CHANNEL_HANGUP_COMPLETE')
      .map((s) => h(st(s), 'Hangup-Cause'));
    expect(causes).to.have.length(4);
    expect(new Set(causes)).to.deep.equal(new Set(['ORIGINATOR_CANCEL']));
  });
});

describe('fake-switch scenarios: selection and documentation', () => {
  it('picks the behaviour from the end of each number', () => {
    const n = (a: string, b: string, x = ''): string => selectScenario(originate(a, b, x)).name;
    expect(n('1000', '4158867900')).to.equal('answer/answer');
    expect(n('2486', '4158867900')).to.equal('busy/-');
    expect(n('1404', '4158867900')).to.equal('notfound/-');
    expect(n('1480', '4158867900')).to.equal('noanswer/-');
    expect(n('1999', '4158867900')).to.equal('forever/-');
    expect(n('1000', '4155550486', RECIPE)).to.equal('answer/busy/bypass');
    expect(n('1000', '4155550999')).to.equal('answer/forever');
    expect(SCENARIO_TABLE.length).to.be.greaterThan(8);
  });
  it('the bypass 404 patch turns i2-486 into i2-404 on the cause headers', () => {
    const a = loadRecording(RECORDINGS.find((r) => r.name === 'secondBusy') ?? (RECORDINGS[0] as never));
    const b = loadRecording(RECORDINGS.find((r) => r.name === 'secondNotFound') ?? (RECORDINGS[0] as never));
    const ca = ctxOf(a);
    const head = recording('secondBusy').head;
    const gen = head.map((e) => materialize(e, ca, IDENTITY, e.atMs, BUSY_TO_NOT_FOUND));
    const key = (role: string, ev: Ev): string => `${role} ${h(ev, 'Event-Name') ?? ''}`;
    const genBy = new Map(gen.map((g, i) => [key(head[i]?.role ?? '', st(g)), g]));
    b.events.forEach((ev, i) => {
      const g = genBy.get(key(b.roles[i] ?? '', ev));
      for (const k of [
        ...CAUSES,
        ...CAUSES2,
        'variable_hangup_cause_q850',
        'variable_sip_invite_failure_phrase',
      ]) {
        expect(h(st(g ?? { atMs: 0, event: [] }), k), `${i} ${k}`).to.equal(header(ev, k));
      }
    });
  });
});
