/**
 * A fake FreeSWITCH event socket (inbound ESL server) for tests and local development. It speaks the
 * real wire protocol byte for byte (see `wire.ts`), plays the captured call scenarios for
 * `bgapi originate`, answers `hupall`, `show channels … as json`, `status`, `xml_locate dialplan context name`,
 * and offers fault hooks.
 *
 * Not a FreeSWITCH emulator: only the commands the service uses are implemented; every other `api`
 * command answers `-ERR <cmd> Command not found!` as FreeSWITCH does for an unknown command.
 */
import { randomUUID } from 'node:crypto';
import * as net from 'node:net';
import { parseOriginate as defaultParseOriginate } from './originate-parser';
import type { LegName, ParsedOriginate, Scenario, ScenarioContext, ScenarioStep } from './scenario-types';
import { selectScenario as defaultSelectScenario } from './scenarios';
import {
  CommandReader,
  Subscription,
  apiResponseFrame,
  authRequestFrame,
  commandReplyFrame,
  disconnectNoticeFrame,
  eventDates,
  eventPlainFrame,
  hupallReply,
  showChannels,
  statusText,
  type ClientCommand,
  type LegRecord,
} from './wire';

/** Options of {@link FakeSwitch}. */
export type FakeSwitchOptions = {
  /** ESL password (default `ClueCon`). */
  password?: string;
  /** Time scale: 1 = captured timing, 20 = twenty times faster (default 1). */
  speed?: number;
  /** Listen address (default 127.0.0.1). */
  host?: string;
  /** Listen port; 0 = ephemeral (default 0). */
  port?: number;
  /** One line per received command (password redacted) and per played scenario. */
  onLog?: (line: string) => void;
  /** Replaces the originate parser (tests). */
  parseOriginate?: (args: string) => ParsedOriginate | { error: string };
  /** Replaces the scenario selection (tests). */
  selectScenario?: (parsed: ParsedOriginate) => Scenario;
  /** The dialplan contexts `xml_locate dialplan context name <ctx>` finds (default `default` and `clicktocall`). */
  dialplanContexts?: readonly string[];
};

/** A command as received, for assertions. */
export type FakeRequest = {
  /** Connection number, from 1, in accept order (across restarts). */
  readonly connection: number;
  /** First line; for `auth` the password is replaced by `[redacted]`. */
  readonly command: string;
  /** Header lines sent with it (e.g. `Job-UUID`). */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly at: Date;
};

/** A call being played. */
export type FakeCall = {
  readonly ctx: ScenarioContext;
  readonly scenario: Scenario;
  /** Legs by Unique-ID (created and not yet hung up have `alive`). */
  readonly legs: Map<string, LegRecord>;
};

type Conn = {
  id: number;
  socket: net.Socket;
  reader: CommandReader;
  authed: boolean;
  sub: Subscription;
  stalled: ClientCommand[];
  closing: boolean;
};

type PlayingCall = FakeCall & {
  queue: ScenarioStep[];
  startedMs: number;
  timer: NodeJS.Timeout | undefined;
  hungUp: boolean;
};

/** The Core-UUID the fake switch reports (the one of captures i4/i5). */
export const FAKE_SWITCH_CORE_UUID = '99113845-2fe7-4261-9fce-2c8322e97a90';

const REDACTED = '[redacted]';

/**
 * The fake switch. `commands` lists every command line received, in order, with the `auth` password
 * replaced by `[redacted]` (so test logs never carry it); `requests` has the same with headers.
 */
export class FakeSwitch {
  /** Every command line received, verbatim except `auth [redacted]`, in arrival order. */
  readonly commands: string[] = [];
  /** Every command with its headers and connection number. */
  readonly requests: FakeRequest[] = [];
  private readonly password: string;
  private readonly speed: number;
  private readonly host: string;
  private port: number;
  private readonly onLog: (line: string) => void;
  private readonly parse: (args: string) => ParsedOriginate | { error: string };
  private readonly select: (parsed: ParsedOriginate) => Scenario;
  private readonly contexts: ReadonlySet<string>;
  private server: net.Server | undefined;
  private readonly conns = new Set<Conn>();
  private nextConnId = 1;
  private authRefused = false;
  private isStalled = false;
  private readonly calls = new Map<string, PlayingCall>();
  private sessionsSinceStart = 0;
  private sequence = 1000;
  private readonly bootedAt = Date.now();

  /** @param opts - see {@link FakeSwitchOptions} */
  constructor(opts: FakeSwitchOptions = {}) {
    this.password = opts.password ?? 'ClueCon';
    this.speed = opts.speed ?? 1;
    if (!(this.speed > 0)) throw new RangeError('speed must be > 0');
    this.host = opts.host ?? '127.0.0.1';
    this.port = opts.port ?? 0;
    this.onLog = opts.onLog ?? (() => undefined);
    this.parse = opts.parseOriginate ?? ((args) => defaultParseOriginate(args));
    this.select = opts.selectScenario ?? defaultSelectScenario;
    this.contexts = new Set(opts.dialplanContexts ?? ['default', 'clicktocall']);
  }

  /** Starts listening (again, on the same port, after {@link FakeSwitch.stop}). */
  start(): Promise<{ port: number }> {
    if (this.server) return Promise.resolve({ port: this.port });
    return new Promise((resolve, reject) => {
      const server = net.createServer((socket) => this.accept(socket));
      server.once('error', reject);
      server.listen({ host: this.host, port: this.port }, () => {
        server.off('error', reject);
        const address = server.address();
        if (address && typeof address === 'object') this.port = address.port;
        this.server = server;
        resolve({ port: this.port });
      });
    });
  }

  /** Stops listening, drops every connection (no notice) and stops every call. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const call of this.calls.values()) if (call.timer) clearTimeout(call.timer);
    this.calls.clear();
    this.dropConnections();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The port listened on (after {@link FakeSwitch.start}). */
  get listeningPort(): number {
    return this.port;
  }

  /** Number of open client connections. */
  get connectionCount(): number {
    return this.conns.size;
  }

  /** Calls still playing or with legs up, by call id. */
  get activeCalls(): ReadonlyMap<string, FakeCall> {
    return this.calls;
  }

  /** Fault: destroys every client socket at once, without a disconnect notice (a crash or cable cut). */
  dropConnections(): void {
    for (const conn of this.conns) conn.socket.destroy();
    this.conns.clear();
  }

  /** Fault: refuse every `auth` (as for a wrong password: `-ERR invalid`, notice, close). */
  refuseAuth(on: boolean): void {
    this.authRefused = on;
  }

  /**
   * Fault: stop answering commands. Commands received while stalled are recorded, held, and answered in
   * order once `stall(false)` is called (replies are never lost, as with a slow switch).
   */
  stall(on: boolean): void {
    this.isStalled = on;
    if (on) return;
    for (const conn of this.conns) {
      const held = conn.stalled.splice(0);
      for (const cmd of held) this.dispatch(conn, cmd);
    }
  }

  /** Fault: writes raw bytes (e.g. a garbage frame) to every authenticated connection. */
  sendRaw(bytes: Buffer | string): void {
    for (const conn of this.conns) if (conn.authed) conn.socket.write(bytes);
  }

  /**
   * Sends an event to every connection whose subscription and filters pass it.
   *
   * @param headers - headers in order, raw values
   * @param body - optional body
   */
  emitEvent(headers: ReadonlyArray<readonly [string, string]>, body?: string): void {
    let frame: Buffer | undefined;
    for (const conn of this.conns) {
      if (!conn.authed || conn.closing || conn.sub.format !== 'plain' || !conn.sub.passes(headers)) continue;
      frame ??= eventPlainFrame(headers, body);
      conn.socket.write(frame);
    }
  }

  private accept(socket: net.Socket): void {
    const conn: Conn = {
      id: this.nextConnId++,
      socket,
      reader: new CommandReader(),
      authed: false,
      sub: new Subscription(),
      stalled: [],
      closing: false,
    };
    this.conns.add(conn);
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    socket.on('close', () => this.conns.delete(conn));
    socket.on('data', (chunk: Buffer) => {
      let commands: ClientCommand[];
      try {
        commands = conn.reader.push(chunk);
      } catch {
        socket.destroy();
        return;
      }
      for (const cmd of commands) this.receive(conn, cmd);
    });
    socket.write(authRequestFrame());
  }

  private receive(conn: Conn, cmd: ClientCommand): void {
    const shown = /^(auth|userauth)\b/i.test(cmd.line)
      ? `${cmd.line.split(' ')[0] ?? 'auth'} ${REDACTED}`
      : cmd.line;
    this.commands.push(shown);
    this.requests.push({ connection: conn.id, command: shown, headers: cmd.headers, at: new Date() });
    this.onLog(`[conn ${conn.id}] ${shown}`);
    if (conn.closing) return;
    if (this.isStalled) {
      conn.stalled.push(cmd);
      return;
    }
    this.dispatch(conn, cmd);
  }

  private dispatch(conn: Conn, cmd: ClientCommand): void {
    if (conn.closing || conn.socket.destroyed) return;
    const line = cmd.line;
    const sp = line.indexOf(' ');
    const verb = (sp < 0 ? line : line.slice(0, sp)).toLowerCase();
    const args = sp < 0 ? '' : line.slice(sp + 1);
    const reply = (text: string, extra: ReadonlyArray<readonly [string, string]> = []): void => {
      conn.socket.write(commandReplyFrame(text, extra));
    };
    if (/mod_event_socket/i.test(line) && /(unload|reload)/i.test(line)) {
      // FreeSWITCH rewrites such a command into `unload mod_event_socket` (docs/originate.md#event-socket-rewrite): everyone is cut off.
      this.onLog(`[conn ${conn.id}] unload mod_event_socket: dropping every connection`);
      this.dropConnections();
      return;
    }
    if (!conn.authed) {
      if (verb === 'auth' && sp > 0) {
        if (!this.authRefused && args === this.password) {
          conn.authed = true;
          reply('+OK accepted');
        } else {
          reply('-ERR invalid');
          this.closeWithNotice(conn);
        }
      } else {
        reply('-ERR command not found');
      }
      return;
    }
    switch (verb) {
      case 'event':
        reply(conn.sub.event(args));
        return;
      case 'filter':
        reply(sp < 0 ? '-ERR command not found' : conn.sub.filter(args));
        return;
      case 'nixevent':
        reply(conn.sub.nixevent(args));
        return;
      case 'noevents':
        reply(conn.sub.noevents());
        return;
      case 'exit':
        reply('+OK bye');
        this.closeWithNotice(conn);
        return;
      case 'api':
        conn.socket.write(apiResponseFrame(this.runApi(args)));
        return;
      case 'bgapi': {
        const jobUuid = cmd.headers.find(([k]) => k.toLowerCase() === 'job-uuid')?.[1] ?? randomUUID();
        reply(`+OK Job-UUID: ${jobUuid}`, [['Job-UUID', jobUuid]]);
        setImmediate(() => this.runBackground(args, jobUuid));
        return;
      }
      default:
        reply('-ERR command not found');
    }
  }

  private closeWithNotice(conn: Conn): void {
    conn.closing = true;
    conn.socket.write(disconnectNoticeFrame());
    conn.socket.end();
  }

  private runApi(commandLine: string): string {
    const sp = commandLine.indexOf(' ');
    const cmd = sp < 0 ? commandLine : commandLine.slice(0, sp);
    const args = sp < 0 ? '' : commandLine.slice(sp + 1);
    switch (cmd) {
      case 'status':
        return statusText(Date.now() - this.bootedAt, this.sessionsSinceStart, this.aliveLegs().length);
      case 'version':
        return 'FreeSWITCH Version 1.10.12-release~64bit ( 64bit)\n';
      case 'hupall':
        return this.hupall(args);
      case 'show':
        return showChannels(args, this.aliveLegs());
      case 'uuid_kill': {
        const [uuid = '', cause = 'NORMAL_CLEARING'] = args.split(' ');
        const call = [...this.calls.values()].find((c) => c.legs.get(uuid)?.alive === true);
        if (!call) return '-ERR No such channel!\n';
        this.hangUp(call, cause);
        return '+OK\n';
      }
      case 'xml_locate': {
        // Only the lookup the service makes; FreeSWITCH answers a missing section with this line.
        const m = /^dialplan context name (\S+)$/.exec(args.trim());
        if (!m?.[1] || !this.contexts.has(m[1])) return "can't find anything\n";
        return `<context name="${m[1]}">\n</context>\n`;
      }
      case 'uuid_exists': {
        const uuid = args.trim();
        return this.aliveLegs().some((l) => l.uuid === uuid) ? 'true' : 'false';
      }
      default:
        return `-ERR ${cmd} Command not found!\n`;
    }
  }

  private hupall(args: string): string {
    const [causeArg = '', variable, value] = args.split(' ').filter((w) => w !== '');
    const cause = causeArg.toUpperCase() || 'NORMAL_CLEARING';
    for (const call of [...this.calls.values()]) {
      if (variable === undefined || value === undefined) {
        this.hangUp(call, cause);
        continue;
      }
      const matches =
        call.ctx.parsed.vars[variable] === value ||
        [...call.legs.values()].some((leg) => leg.alive && leg.headers.get(`variable_${variable}`) === value);
      if (matches) this.hangUp(call, cause);
    }
    return hupallReply(cause, variable, value);
  }

  private runBackground(commandLine: string, jobUuid: string): void {
    const sp = commandLine.indexOf(' ');
    const cmd = sp < 0 ? commandLine : commandLine.slice(0, sp);
    const args = sp < 0 ? '' : commandLine.slice(sp + 1);
    if (cmd === 'originate') {
      const parsed = this.parse(args);
      if ('error' in parsed) {
        const body = parsed.error.startsWith('-') ? `${parsed.error}\n` : `-ERR ${parsed.error}\n`;
        this.onLog(`[job ${jobUuid}] originate refused: ${body.trim()}`);
        this.emitJob(jobUuid, cmd, args, body);
        return;
      }
      this.startCall(parsed, jobUuid);
      return;
    }
    const body = this.runApi(commandLine);
    this.emitJob(jobUuid, cmd, args, body);
  }

  private emitJob(jobUuid: string, cmd: string, args: string, body: string): void {
    const headers: Array<[string, string]> = [
      ['Event-Name', 'BACKGROUND_JOB'],
      ['Core-UUID', FAKE_SWITCH_CORE_UUID],
      ['FreeSWITCH-Hostname', 'switch.example'],
      ['FreeSWITCH-Switchname', 'switch.example'],
      ['FreeSWITCH-IPv4', '127.0.0.1'],
      ['FreeSWITCH-IPv6', '::1'],
      ...eventDates(new Date()),
      ['Event-Calling-File', 'mod_event_socket.c'],
      ['Event-Calling-Function', 'api_exec'],
      ['Event-Calling-Line-Number', '1572'],
      ['Event-Sequence', String(this.sequence++)],
      ['Job-UUID', jobUuid],
      ['Job-Command', cmd],
    ];
    if (args !== '') headers.push(['Job-Command-Arg', args]);
    this.emitEvent(headers, body);
  }

  private startCall(parsed: ParsedOriginate, jobUuid: string): void {
    const requested = parsed.vars['origination_uuid'];
    // A duplicate origination_uuid still places a call, under a random UUID (capture h1-duplicate).
    const callId =
      requested !== undefined && requested !== '' && !this.calls.has(requested) ? requested : randomUUID();
    const ctx: ScenarioContext = {
      callId,
      jobUuid,
      parsed,
      uuids: { loopbackB: randomUUID(), firstSip: randomUUID(), secondSip: randomUUID() },
      startedAt: new Date(),
    };
    const scenario = this.select(parsed);
    const steps = [...scenario.steps(ctx)].sort((a, b) => a.atMs - b.atMs);
    const call: PlayingCall = {
      ctx,
      scenario,
      legs: new Map(),
      queue: steps,
      startedMs: Date.now(),
      timer: undefined,
      hungUp: false,
    };
    this.calls.set(callId, call);
    this.onLog(`[call ${callId}] scenario ${scenario.name}: ${steps.length} events (job ${jobUuid})`);
    this.schedule(call);
  }

  /** Scenario time (ms since the originate, at speed 1) of a call now. */
  private scenarioNow(call: PlayingCall): number {
    return (Date.now() - call.startedMs) * this.speed;
  }

  /** Plays every due step in order, then arms one timer for the next (keeps the order strict). */
  private schedule(call: PlayingCall): void {
    call.timer = undefined;
    while (call.queue.length > 0) {
      const next = call.queue[0] as ScenarioStep;
      const wait = (next.atMs - this.scenarioNow(call)) / this.speed;
      if (wait > 0) {
        call.timer = setTimeout(() => this.schedule(call), Math.ceil(wait));
        return;
      }
      call.queue.shift();
      this.play(call, next);
    }
    const anyAlive = [...call.legs.values()].some((l) => l.alive);
    if (!anyAlive && this.calls.get(call.ctx.callId) === call) {
      this.calls.delete(call.ctx.callId);
      this.onLog(`[call ${call.ctx.callId}] finished`);
    }
  }

  private play(call: PlayingCall, step: ScenarioStep): void {
    const event = step.event.map(([k, v]) => [k, v] as [string, string]);
    const name = event.find(([k]) => k === 'Event-Name')?.[1];
    if (name === 'BACKGROUND_JOB') {
      const i = event.findIndex(([k]) => k === 'Job-UUID');
      if (i < 0) event.push(['Job-UUID', call.ctx.jobUuid]);
      else event[i] = ['Job-UUID', call.ctx.jobUuid];
    }
    this.track(call, event);
    this.emitEvent(event, step.body);
  }

  private track(call: PlayingCall, event: ReadonlyArray<readonly [string, string]>): void {
    const uuid = event.find(([k]) => k === 'Unique-ID')?.[1];
    const name = event.find(([k]) => k === 'Event-Name')?.[1];
    if (uuid === undefined) return;
    let leg = call.legs.get(uuid);
    if (!leg && name === 'CHANNEL_CREATE') {
      leg = {
        uuid,
        name: this.legName(call.ctx, uuid),
        alive: true,
        headers: new Map(),
        initial: new Map(event),
      };
      call.legs.set(uuid, leg);
      this.sessionsSinceStart += 1;
    }
    if (!leg) return;
    for (const [k, v] of event) leg.headers.set(k, v);
    if (name === 'CHANNEL_HANGUP_COMPLETE') leg.alive = false;
  }

  private legName(ctx: ScenarioContext, uuid: string): LegName | undefined {
    if (uuid === ctx.callId) return 'loopbackA';
    if (uuid === ctx.uuids.loopbackB) return 'loopbackB';
    if (uuid === ctx.uuids.firstSip) return 'firstSip';
    if (uuid === ctx.uuids.secondSip) return 'secondSip';
    return undefined;
  }

  private hangUp(call: PlayingCall, cause: string): void {
    if (call.hungUp) return;
    call.hungUp = true;
    if (call.timer) clearTimeout(call.timer);
    call.timer = undefined;
    const atMs = this.scenarioNow(call);
    const alive = [...call.legs.values()].flatMap((l) => (l.alive && l.name ? [l.name] : []));
    // Steps are on the call's timeline; a scenario that answers with offsets from "now" (all < atMs)
    // is shifted to start now.
    const steps = [...call.scenario.onHangup(call.ctx, cause, atMs, alive)];
    const relative = steps.length > 0 && steps.every((s) => s.atMs < atMs);
    call.queue = steps
      .map((s) => (relative ? { ...s, atMs: s.atMs + atMs } : s))
      .sort((a, b) => a.atMs - b.atMs);
    this.onLog(`[call ${call.ctx.callId}] hangup ${cause}: ${call.queue.length} events`);
    this.schedule(call);
  }

  private aliveLegs(): LegRecord[] {
    const legs: LegRecord[] = [];
    for (const call of this.calls.values())
      for (const leg of call.legs.values()) if (leg.alive) legs.push(leg);
    return legs;
  }
}
