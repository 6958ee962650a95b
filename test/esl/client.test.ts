import { expect } from 'chai';
import { pollUntil } from '../support/poll';
import {
  EslAuthError,
  EslClient,
  EslConnectionError,
  EslInvalidCommandError,
  EslTimeoutError,
  isConnectionError,
  type EslClientOptions,
  type EslEvent,
  type EslHealth,
  type EslJobResult,
  type EslLogger,
} from '../../esl';
import { FakeSwitch, type FakeSwitchOptions } from '../../fake-switch/server';
import { CALL_SUBSCRIPTION } from '../../src/calls/subscription';
import { hangups, stubParseOriginate, stubScenario } from '../support/scenario-stub';

const PASSWORD = 'S3cr3t-Pa55w0rd';
/** The service's subscription (passed by makeClient) as it must go out on the wire. */
const SUBSCRIBE_COMMANDS = [
  'event plain CHANNEL_CREATE CHANNEL_PROGRESS CHANNEL_PROGRESS_MEDIA CHANNEL_ANSWER CHANNEL_BRIDGE CHANNEL_UNBRIDGE CHANNEL_HANGUP_COMPLETE BACKGROUND_JOB CUSTOM loopback::bowout',
  'filter variable_c2c_call_id /^c2c-/',
  'filter Event-Name BACKGROUND_JOB',
  'filter Event-Subclass loopback::bowout',
];

type LogLine = { level: string; msg: string; meta?: object };

function captureLogger(): { logger: EslLogger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at =
    (level: string) =>
    (msg: string, meta?: object): void => {
      lines.push(meta === undefined ? { level, msg } : { level, msg, meta });
    };
  return { logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, lines };
}

function settle<T>(
  p: Promise<T>,
): Promise<{ ok: true; value: T; at: number } | { ok: false; error: unknown; at: number }> {
  return p.then(
    (value) => ({ ok: true as const, value, at: Date.now() }),
    (error: unknown) => ({ ok: false as const, error, at: Date.now() }),
  );
}

describe('EslClient against the fake switch', function () {
  this.timeout(20_000);
  let fake: FakeSwitch;
  let client: EslClient | undefined;
  let log: ReturnType<typeof captureLogger>;

  async function startFake(opts: FakeSwitchOptions = {}): Promise<number> {
    fake = new FakeSwitch({
      password: PASSWORD,
      speed: 20,
      parseOriginate: stubParseOriginate,
      selectScenario: () => stubScenario,
      ...opts,
    });
    return (await fake.start()).port;
  }

  function makeClient(port: number, opts: Partial<EslClientOptions> = {}): EslClient {
    client = new EslClient({
      host: '127.0.0.1',
      port,
      password: PASSWORD,
      logger: log.logger,
      traceWire: true,
      backoff: { initialMs: 50, maxMs: 400 },
      commandTimeoutMs: 3000,
      subscription: CALL_SUBSCRIPTION,
      ...opts,
    });
    client.start();
    return client;
  }

  beforeEach(() => {
    log = captureLogger();
    hangups.length = 0;
  });

  /** The delays the client scheduled before its reconnect attempts, from its debug log, in order. */
  const scheduledDelays = (): number[] =>
    log.lines
      .filter((l) => l.msg === 'esl reconnect scheduled')
      .map((l) => (l.meta as { delayMs: number }).delayMs);

  afterEach(async () => {
    await client?.close();
    client = undefined;
    await fake.stop();
    // Whatever the test did, the password never reached a log line.
    expect(JSON.stringify(log.lines)).to.not.contain(PASSWORD);
  });

  it('when started, then it authenticates and sends exactly the given subscription and filters', async () => {
    const c = makeClient(await startFake());
    await c.waitConnected(5000);
    expect(fake.commands).to.deep.equal(['auth [redacted]', ...SUBSCRIBE_COMMANDS]);
    expect(c.health.connected).to.equal(true);
    expect(c.health.reconnects).to.equal(0);
    expect(CALL_SUBSCRIPTION.events).to.not.include('ALL');
  });

  it('when no subscription is given, then it sends no event or filter command and receives no event', async () => {
    const port = await startFake();
    const c = new EslClient({ host: '127.0.0.1', port, password: PASSWORD, logger: log.logger });
    client = c;
    c.start();
    await c.waitConnected(5000);
    const events: EslEvent[] = [];
    const jobs: EslJobResult[] = [];
    c.on('event', (e) => events.push(e));
    c.on('job', (j) => jobs.push(j));
    const { jobUuid } = await c.bgapi('status');
    // A wait that proves an absence (no BACKGROUND_JOB without a subscription): the fake answers a job within
    // milliseconds, so 300 ms is ample; a load can only make this test pass without proof, never fail by chance.
    const job = await settle(c.waitForJob(jobUuid, { timeoutMs: 300 }));
    expect(fake.commands).to.deep.equal(['auth [redacted]', 'bgapi status']);
    expect(!job.ok && job.error).to.be.instanceOf(EslTimeoutError);
    expect(events).to.deep.equal([]);
    expect(jobs).to.deep.equal([]);
  });

  it('when api is called, then the api/response body comes back (status, unknown command)', async () => {
    const c = makeClient(await startFake());
    await c.waitConnected(5000);
    expect(await c.api('status')).to.match(
      /^UP \d+ years?, .*\nFreeSWITCH \(Version 1\.10\.12-release {2}64bit\) is ready\n/,
    );
    expect(await c.api('nosuchcommand arg')).to.equal('-ERR nosuchcommand Command not found!\n');
    expect(await c.api('show channels like c2c-nothing as json')).to.equal('{"row_count":0}');
  });

  it('when bgapi is called, then our Job-UUID is sent and its BACKGROUND_JOB is correlated', async () => {
    const c = makeClient(await startFake());
    await c.waitConnected(5000);
    const jobs: EslJobResult[] = [];
    c.on('job', (j) => jobs.push(j));
    const accepted = await c.bgapi('status', { jobUuid: '11111111-2222-3333-4444-555555555555' });
    expect(accepted).to.deep.equal({
      jobUuid: '11111111-2222-3333-4444-555555555555',
      reply: '+OK Job-UUID: 11111111-2222-3333-4444-555555555555',
    });
    const req = fake.requests.find((r) => r.command === 'bgapi status');
    expect(req?.headers).to.deep.equal([['Job-UUID', '11111111-2222-3333-4444-555555555555']]);
    const result = await c.waitForJob(accepted.jobUuid, { timeoutMs: 3000 });
    expect(result.ok).to.equal(true);
    expect(result.body).to.match(/^UP /);
    expect(result.result).to.equal(result.body.replace(/\n$/, ''));
    expect(jobs.map((j) => j.jobUuid)).to.deep.equal([accepted.jobUuid]);
    // Already arrived: resolves at once.
    expect((await c.waitForJob(accepted.jobUuid)).body).to.equal(result.body);
    // A random Job-UUID by default.
    const second = await c.bgapi('status');
    expect(second.jobUuid).to.match(/^[0-9a-f-]{36}$/);
    expect(second.jobUuid).to.not.equal(accepted.jobUuid);
  });

  it('when a job is past its retention, then the next bgapi forgets it and keeps the newer one', async () => {
    const c = makeClient(await startFake(), { jobRetentionMs: 150 });
    await c.waitConnected(5000);
    const old = await c.bgapi('status');
    await c.waitForJob(old.jobUuid, { timeoutMs: 3000 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const fresh = await c.bgapi('status');
    await c.waitForJob(fresh.jobUuid, { timeoutMs: 3000 });
    const forgotten = await settle(c.waitForJob(old.jobUuid, { timeoutMs: 100 }));
    expect(!forgotten.ok && forgotten.error).to.be.instanceOf(EslInvalidCommandError);
    expect((await c.waitForJob(fresh.jobUuid)).jobUuid).to.equal(fresh.jobUuid);
  });

  it('when a job past its retention is still awaited, then it is kept until its waiter gives up', async () => {
    // Without a subscription no BACKGROUND_JOB arrives, so the first job stays unanswered and awaited.
    const port = await startFake();
    const c = new EslClient({
      host: '127.0.0.1',
      port,
      password: PASSWORD,
      logger: log.logger,
      jobRetentionMs: 50,
    });
    client = c;
    c.start();
    await c.waitConnected(5000);
    const old = await c.bgapi('status');
    const waiting = settle(c.waitForJob(old.jobUuid, { timeoutMs: 2000 }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await c.bgapi('status');
    const again = await settle(c.waitForJob(old.jobUuid, { timeoutMs: 50 }));
    expect(!again.ok && again.error).to.be.instanceOf(EslTimeoutError);
    const first = await waiting;
    expect(!first.ok && first.error).to.be.instanceOf(EslTimeoutError);
    await c.bgapi('status');
    const gone = await settle(c.waitForJob(old.jobUuid, { timeoutMs: 50 }));
    expect(!gone.ok && gone.error).to.be.instanceOf(EslInvalidCommandError);
  });

  it('when another client’s BACKGROUND_JOB passes the filter, then it is an event, not a job of ours', async () => {
    const c = makeClient(await startFake());
    await c.waitConnected(5000);
    const seen: string[] = [];
    c.on('job', (j) => seen.push(`job ${j.jobUuid}`));
    c.on('event', (e) => seen.push(`event ${e.name}`));
    fake.emitEvent(
      [
        ['Event-Name', 'BACKGROUND_JOB'],
        ['Job-UUID', 'not-ours'],
      ],
      '+OK other\n',
    );
    const mine = await c.bgapi('status');
    await c.waitForJob(mine.jobUuid, { timeoutMs: 3000 });
    // Another process's originate: the process that tracks the switch reads its outcome (docs/switches.md).
    expect(seen).to.deep.equal(['event BACKGROUND_JOB', `job ${mine.jobUuid}`]);
  });

  it('when an originate plays, then filtered events arrive decoded, the job says +OK <call id>, and hupall ends it', async () => {
    const c = makeClient(await startFake());
    await c.waitConnected(5000);
    const events: EslEvent[] = [];
    c.on('event', (e) => events.push(e));
    const callId = 'c2c-0123456789abcdef0123456789abcdef-a1b2c3d4e5';
    const { jobUuid } = await c.bgapi(
      `originate {origination_uuid=${callId},c2c_call_id=${callId}}loopback/1000/default 4158867900 XML default`,
    );
    const job = await c.waitForJob(jobUuid, { timeoutMs: 3000 });
    expect(job).to.include({ ok: true, result: callId, body: `+OK ${callId}\n` });
    await pollUntil('the answer', () => events.some((e) => e.name === 'CHANNEL_ANSWER'));
    // CHANNEL_STATE is not subscribed: FreeSWITCH (and the fake) never send it.
    expect(events.map((e) => e.name)).to.deep.equal(['CHANNEL_CREATE', 'CHANNEL_CREATE', 'CHANNEL_ANSWER']);
    expect(events[2]?.header('Note')).to.equal('é ü 中\nline2');
    expect(events[0]?.header('variable_c2c_call_id')).to.equal(callId);
    const rows = JSON.parse(await c.api(`show channels like ${callId} as json`)) as {
      row_count: number;
      rows: Array<{ uuid: string; presence_data: string }>;
    };
    expect(rows.row_count).to.equal(2);
    expect(rows.rows[0]?.uuid).to.equal(callId);
    expect(await c.api(`hupall ORIGINATOR_CANCEL c2c_call_id ${callId}`)).to.equal(
      `+OK hangup all channels matching [c2c_call_id]=[${callId}] with cause: ORIGINATOR_CANCEL\n`,
    );
    await pollUntil(
      'both hang-ups',
      () => events.filter((e) => e.name === 'CHANNEL_HANGUP_COMPLETE').length === 2,
    );
    expect(hangups).to.have.length(1);
    expect(hangups[0]).to.include({ callId, cause: 'ORIGINATOR_CANCEL' });
    expect(hangups[0]?.alive.sort()).to.deep.equal(['firstSip', 'loopbackA']);
    expect(
      events.filter((e) => e.name === 'CHANNEL_HANGUP_COMPLETE').map((e) => e.header('Hangup-Cause')),
    ).to.deep.equal(['ORIGINATOR_CANCEL', 'ORIGINATOR_CANCEL']);
    await pollUntil('the call to end', () => fake.activeCalls.size === 0);
    expect(await c.api(`show channels like ${callId} as json`)).to.equal('{"row_count":0}');
  });

  it('when the originate parser refuses the arguments, then the job carries FreeSWITCH’s -ERR', async () => {
    const c = makeClient(await startFake());
    await c.waitConnected(5000);
    const emitted = new Promise<EslJobResult>((resolve) => c.once('job', resolve));
    const { jobUuid } = await c.bgapi('originate foo/bar &park');
    const job = await c.waitForJob(jobUuid, { timeoutMs: 3000 });
    expect(job).to.include({
      ok: false,
      result: 'CHAN_NOT_IMPLEMENTED',
      body: '-ERR CHAN_NOT_IMPLEMENTED\n',
    });
    // The event itself goes with the emission; a result kept for a later wait does not retain it.
    expect((await emitted).event?.header('Job-Command-Arg')).to.equal('foo/bar &park');
  });

  it('when the switch stalls, then the command times out, and a late reply does not shift later replies', async () => {
    // The client's own timeout (30 s) far above the command's 200 ms: the rejection must come from the latter.
    const c = makeClient(await startFake(), { commandTimeoutMs: 30_000 });
    await c.waitConnected(5000);
    fake.stall(true);
    const t0 = Date.now();
    const r = await settle(c.api('status', { timeoutMs: 200 }));
    expect(r.ok).to.equal(false);
    expect(!r.ok && r.error).to.be.instanceOf(EslTimeoutError);
    // Not before 200 ms; well before 30 s, with room for a loaded machine.
    expect(r.at - t0).to.be.within(190, 10_000);
    expect(isConnectionError(!r.ok && r.error)).to.equal(true);
    fake.stall(false);
    // The late `status` reply is swallowed by the abandoned slot; this reply is the right one.
    expect(await c.api('nosuch')).to.equal('-ERR nosuch Command not found!\n');
    expect(c.connected).to.equal(true);
  });

  it('when the link drops, then every pending command is rejected at once with EslConnectionError', async () => {
    const c = makeClient(await startFake());
    await c.waitConnected(5000);
    fake.stall(true);
    const pending = [
      settle(c.api('status', { timeoutMs: 10_000 })),
      settle(c.bgapi('status', { timeoutMs: 10_000 })),
      settle(c.api('version', { timeoutMs: 10_000 })),
    ];
    await pollUntil(
      'the commands to reach the switch',
      () => fake.commands.length === SUBSCRIBE_COMMANDS.length + 4,
    );
    const dropAt = Date.now();
    fake.dropConnections();
    for (const r of await Promise.all(pending)) {
      expect(r.ok).to.equal(false);
      expect(!r.ok && r.error).to.be.instanceOf(EslConnectionError);
      // At once: with the drop, not at the commands' 10 s timeout (room for a loaded machine).
      expect(r.at - dropAt).to.be.below(5000);
    }
  });

  it('when a command is issued while disconnected, then it rejects at once (never queues)', async () => {
    const port = await startFake();
    // A queued command would wait for a reconnect that never comes (the switch stays down) or the 30 s timeout.
    const c = makeClient(port, { commandTimeoutMs: 30_000 });
    await c.waitConnected(5000);
    await fake.stop();
    await pollUntil('the disconnect', () => !c.connected);
    const t0 = Date.now();
    for (const r of await Promise.all([settle(c.api('status')), settle(c.bgapi('status'))])) {
      expect(r.ok).to.equal(false);
      expect(!r.ok && r.error).to.be.instanceOf(EslConnectionError);
      expect(r.at - t0).to.be.below(5000);
    }
  });

  it('when the switch restarts on the same port, then the client reconnects with backoff and subscribes again', async () => {
    const port = await startFake();
    const c = makeClient(port);
    const states: EslHealth[] = [];
    c.on('state', (s) => states.push(s));
    const reconnects: boolean[] = [];
    c.on('connected', ({ reconnect }) => reconnects.push(reconnect));
    await c.waitConnected(5000);
    await fake.stop();
    await pollUntil('the disconnect', () => !c.connected);
    // Attempts while the switch is away (waited for, not slept for), each after a backoff wait (50 ms ±20 % and up).
    await pollUntil(
      'two failed attempts',
      () => log.lines.filter((l) => l.msg === 'esl connect failed').length >= 2,
    );
    expect(
      scheduledDelays()
        .slice(0, 2)
        .every((d) => d >= 40),
    ).to.equal(true);
    await fake.start();
    expect(fake.listeningPort).to.equal(port);
    await c.waitConnected(5000);
    expect(fake.commands.filter((x) => x.startsWith('event plain'))).to.have.length(2);
    expect(fake.commands.slice(-4)).to.deep.equal(SUBSCRIBE_COMMANDS);
    expect(c.health.reconnects).to.equal(1);
    expect(reconnects).to.deep.equal([false, true]);
    expect(states.map((s) => s.connected)).to.include.ordered.members([true, false]);
    expect(states.at(-1)?.connected).to.equal(true);
    expect(log.lines.some((l) => l.level === 'warn' && l.msg === 'esl disconnected')).to.equal(true);
    expect(log.lines.some((l) => l.level === 'info' && l.msg === 'esl reconnected')).to.equal(true);
  });

  it('when the password is wrong, then it retries with backoff (no tight loop) and never logs the password', async () => {
    const port = await startFake();
    const c = makeClient(port, { password: 'Wrong-But-Secret-1' });
    const authTimes = (): number[] =>
      fake.requests.filter((r) => r.command === 'auth [redacted]').map((r) => r.at.getTime());
    await pollUntil('five attempts', () => authTimes().length >= 5, { timeoutMs: 10_000 });
    // 50 ms doubling to 400 ms, ±20 %: the waits between the first five attempts are at least 40, 80, 160 and 320 ms
    // (a load only lengthens them); a tight loop would make them a few milliseconds.
    const t = authTimes().slice(0, 5);
    const gaps = t.slice(1).map((x, i) => x - (t[i] ?? x));
    gaps.forEach((gap, i) => expect(gap, `gaps ${gaps.join(', ')} ms`).to.be.at.least(40 * 2 ** i - 5));
    expect(c.connected).to.equal(false);
    expect(c.health.lastError).to.equal(new EslAuthError().message);
    expect(JSON.stringify(log.lines)).to.not.contain('Wrong-But-Secret-1');
    // The switch closes each refused connection: waited for, as the fifth attempt's may still be closing.
    await pollUntil('the refused connection closed', () => fake.connectionCount === 0);
  });

  it('when the switch refuses auth for a while, then the client connects once it accepts again', async () => {
    const port = await startFake();
    fake.refuseAuth(true);
    const c = makeClient(port);
    await pollUntil('two refusals', () => fake.commands.filter((x) => x === 'auth [redacted]').length >= 2);
    expect(c.connected).to.equal(false);
    fake.refuseAuth(false);
    await c.waitConnected(5000);
    expect(c.health.reconnects).to.equal(0);
  });

  it('when a healthy session drops after a long outage grew the backoff, then the first reconnect waits the first backoff step again, not the grown one', async () => {
    const port = await startFake();
    const c = makeClient(port, { backoff: { initialMs: 100, maxMs: 5000, jitter: 0 } });
    await c.waitConnected(5000);
    await fake.stop();
    // Attempts fail while the switch is away: 100, 200, 400, 800, 1600 ms…
    await pollUntil('the backoff grown past 1.5 s', () => scheduledDelays().some((d) => d >= 1600), {
      timeoutMs: 10_000,
    });
    await fake.start();
    await c.waitConnected(10_000);
    // The session is healthy (authenticated, subscribed), however short: its drop starts the backoff over.
    const before = scheduledDelays().length;
    const droppedAt = Date.now();
    fake.dropConnections();
    await pollUntil('the reconnect', () => c.health.reconnects === 2 && c.connected, { timeoutMs: 10_000 });
    // The wait scheduled is the first one again (exact, from the log); on the clock, the reconnect comes before the
    // grown backoff's next wait (3.2 s) would have ended, with room for a loaded machine.
    expect(scheduledDelays()[before]).to.equal(100);
    expect(Date.now() - droppedAt).to.be.below(3000);
  });

  it('when the password is refused, then each wait is longer than the last (no tight loop), and it recovers by itself once the switch accepts it', async () => {
    const port = await startFake();
    fake.refuseAuth(true);
    const c = makeClient(port, { backoff: { initialMs: 50, maxMs: 2000, jitter: 0 } });
    const authTimes = (): number[] =>
      fake.requests.filter((r) => r.command === 'auth [redacted]').map((r) => r.at.getTime());
    await pollUntil('five refusals', () => authTimes().length >= 5, { timeoutMs: 10_000 });
    // Each wait the client schedules is longer than the last (exact, from its log: 50, 100, 200, 400 ms without
    // jitter), and each is kept on the clock: measured from below, which a load can only lengthen. (A ratio of the
    // measured gaps would also hold the connect and auth round trips, which a load stretches by chance.)
    const delays = scheduledDelays().slice(0, 4);
    expect(delays).to.deep.equal([50, 100, 200, 400]);
    const t = authTimes().slice(0, 5);
    const gaps = t.slice(1).map((x, i) => x - (t[i] ?? x));
    gaps.forEach((gap, i) => expect(gap, `gaps ${gaps.join(', ')} ms`).to.be.at.least((delays[i] ?? 0) - 5));
    expect(c.connected).to.equal(false);
    fake.refuseAuth(false);
    await c.waitConnected(5000);
    expect(c.health.reconnects).to.equal(0);
  });

  for (const [what, garbage] of [
    ['a garbage frame', 'this is not ESL\n\n'],
    ['an absurd Content-Length', 'Content-Type: api/response\nContent-Length: 99999999999\n\n'],
    // Reset on the announcement: no blank line and no body byte ever follow.
    ['a Content-Length over 8 MiB, announced alone', 'Content-Type: api/response\nContent-Length: 9000000\n'],
    ['a frame without Content-Type', 'Reply-Text: +OK\n\n'],
  ] as const) {
    it(`when the switch sends ${what}, then the client resets the link and reconnects`, async () => {
      const c = makeClient(await startFake());
      await c.waitConnected(5000);
      const pending = settle(c.api('status', { timeoutMs: 10_000 }));
      fake.stall(true);
      fake.sendRaw(garbage);
      const r = await pending;
      expect(r.ok).to.equal(false);
      expect(!r.ok && r.error).to.be.instanceOf(EslConnectionError);
      fake.stall(false);
      await pollUntil('the reconnect', () => c.health.reconnects === 1 && c.connected);
      expect(log.lines.some((l) => l.msg === 'esl protocol violation')).to.equal(true);
      expect(await c.api('version')).to.equal('FreeSWITCH Version 1.10.12-release~64bit ( 64bit)\n');
    });
  }

  it('when a command contains CR, LF or mod_event_socket, then it is refused before anything is written', async () => {
    const c = makeClient(await startFake());
    await c.waitConnected(5000);
    const before = fake.commands.length;
    const bad = [
      c.api('echo a\nJob-UUID: 11111111-2222-3333-4444-555555555555'),
      c.api('echo a\rb'),
      c.bgapi('originate {x=a\n\napi echo INJECTED}loopback/1000/default &park'),
      c.api('reload MOD_EVENT_SOCKET'),
      c.bgapi('status', { jobUuid: 'x\ny' }),
      c.api(''),
    ];
    for (const r of await Promise.all(bad.map((p) => settle(p as Promise<unknown>)))) {
      expect(r.ok).to.equal(false);
      expect(!r.ok && r.error).to.be.instanceOf(EslInvalidCommandError);
    }
    await c.api('version');
    expect(fake.commands.slice(before)).to.deep.equal(['api version']);
  });

  it('when the subscription asks for ALL, then the constructor refuses it', () => {
    expect(
      () =>
        new EslClient({
          host: '127.0.0.1',
          port: 1,
          password: 'x',
          subscription: { events: ['all'], filters: [] },
        }),
    ).to.throw(EslInvalidCommandError);
  });

  it('when a custom subscription is given, then exactly it is sent', async () => {
    const c = makeClient(await startFake(), {
      subscription: {
        events: ['CHANNEL_CREATE', 'BACKGROUND_JOB'],
        filters: [['Event-Name', 'BACKGROUND_JOB']],
      },
    });
    await c.waitConnected(5000);
    expect(fake.commands).to.deep.equal([
      'auth [redacted]',
      'event plain CHANNEL_CREATE BACKGROUND_JOB',
      'filter Event-Name BACKGROUND_JOB',
    ]);
  });

  it('when closed, then it stops reconnecting and rejects what is pending', async () => {
    const c = makeClient(await startFake());
    await c.waitConnected(5000);
    const { jobUuid } = await c.bgapi('status', { jobUuid: 'aaaaaaaa-0000-0000-0000-000000000000' });
    await c.waitForJob(jobUuid, { timeoutMs: 3000 });
    fake.stall(true);
    const pending = settle(c.api('status', { timeoutMs: 10_000 }));
    await pollUntil('the command to arrive', () => fake.commands.at(-1) === 'api status');
    await c.close();
    const r = await pending;
    expect(!r.ok && r.error).to.be.instanceOf(EslConnectionError);
    const count = fake.commands.length;
    // A wait that proves an absence (no reconnect after close): an attempt would come 50 ms after the drop, so
    // 300 ms is six times that; there is no later event to wait for instead.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fake.commands.length).to.equal(count);
    expect(c.connected).to.equal(false);
    await pollUntil('the socket to close', () => fake.connectionCount === 0);
  });
});
