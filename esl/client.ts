/**
 * The ESL client: one persistent, authenticated inbound connection to FreeSWITCH, re-established
 * forever with capped, jittered backoff until {@link EslClient.close}; re-subscribed after every
 * (re)connect; `api` / `bgapi` with a timeout each; `BACKGROUND_JOB` correlation by our own Job-UUID.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
import { EslConnection, assertSafeCommand } from './connection';
import {
  EslCommandError,
  EslConnectionError,
  EslError,
  EslInvalidCommandError,
  EslProtocolError,
  EslTimeoutError,
} from './errors';
import type { EslEvent } from './event';
import { silentLogger, type EslHealth, type EslLogger } from './health';
import { frameHeader, type EslFrame, type ParserLimits } from './parser';

/** Events and filters sent after every (re)connect. */
export type EslSubscription = {
  /** Words after `event plain` (never `ALL`); `CUSTOM` is followed by the subclasses it wants. */
  readonly events: readonly string[];
  /** `filter <header> <value>` commands, in order. */
  readonly filters: ReadonlyArray<readonly [string, string]>;
};

/** The default: nothing subscribed (see {@link EslClientOptions.subscription}). */
const NO_SUBSCRIPTION: EslSubscription = Object.freeze({
  events: Object.freeze([]),
  filters: Object.freeze([]),
});

/** Options of {@link EslClient}. */
export type EslClientOptions = {
  host: string;
  port: number;
  /** The ESL password. Never logged, never part of an error message. */
  password: string;
  logger?: EslLogger;
  /**
   * Events and filters sent after every (re)connect. Default none: no `event` command is sent and no event
   * arrives, not even a `bgapi`'s `BACKGROUND_JOB` ({@link EslClient.waitForJob} would time out). With no
   * events but filters, only the filters are sent. FreeSWITCH sends every subscribed event of the whole
   * switch: ask for what you need and filter for your own calls.
   */
  subscription?: EslSubscription;
  /**
   * Reconnect backoff; default 250 ms doubling to 10 s, ±20 % jitter. It grows only while attempts keep failing:
   * after a session that authenticated and subscribed drops, the next attempt comes after `initialMs` again.
   */
  backoff?: Partial<BackoffOptions>;
  /** Default timeout of `api`/`bgapi` and of the subscription commands (default 10 000 ms). */
  commandTimeoutMs?: number;
  /** Bound on TCP connect + authentication (default 5000 ms). */
  connectTimeoutMs?: number;
  /** Log every frame at `debug` (the `auth` line is redacted). Default false. */
  traceWire?: boolean;
  /** Parser limits (default: Content-Length ≤ 8 MiB, header block ≤ 64 KiB). */
  limits?: Partial<ParserLimits>;
  /** How long an issued Job-UUID is remembered for its BACKGROUND_JOB (default 15 min). */
  jobRetentionMs?: number;
  /** Randomness for the jitter (tests). */
  random?: () => number;
};

/** Per-command options. */
export type CommandOptions = {
  /** Overrides the client's `commandTimeoutMs`. */
  timeoutMs?: number;
};

/** Options of {@link EslClient.bgapi}. */
export type BgapiOptions = CommandOptions & {
  /** The Job-UUID to send (default: a random UUID). Must be unique. */
  jobUuid?: string;
};

/** What `bgapi` resolves with: FreeSWITCH accepted the job. */
export type BgapiAccepted = {
  /** Our Job-UUID (sent in the `Job-UUID:` header). */
  readonly jobUuid: string;
  /** The `Reply-Text`, e.g. `+OK Job-UUID: 7d1d9cb1-…`. */
  readonly reply: string;
};

/** The outcome of a background job, from its `BACKGROUND_JOB` event. */
export type EslJobResult = {
  readonly jobUuid: string;
  /** False when the body starts with `-` (`-ERR …`, `-USAGE: …`), true otherwise (`+OK …`, command output). */
  readonly ok: boolean;
  /** The body without its `+OK ` / `-ERR ` / `-` prefix and trailing newline, e.g. the uuid or `USER_BUSY`. */
  readonly result: string;
  /** The raw body, e.g. `-ERR USER_BUSY\n`. */
  readonly body: string;
  /**
   * The event itself, for the `job` emission and the waiters registered before it arrived. A result kept
   * for a later {@link EslClient.waitForJob} carries none: the event (a few KB, the whole originate
   * among its headers) is not retained for the job's retention time.
   */
  readonly event?: EslEvent;
};

/** Events emitted by {@link EslClient}. */
export type EslClientEvents = {
  /** A subscribed event (every name except `BACKGROUND_JOB`, which goes to `job`). */
  event: [EslEvent];
  /** The `BACKGROUND_JOB` of one of OUR jobs (other clients' jobs are dropped). */
  job: [EslJobResult];
  /** Health changed (connected flipped, or a connection attempt failed). */
  state: [EslHealth];
  /** Authenticated and subscribed; `reconnect` is false the first time. */
  connected: [{ reconnect: boolean }];
  /** The link went down (after having been connected). */
  disconnected: [{ reason: string }];
};

type JobWaiter = { resolve: (r: EslJobResult) => void; reject: (e: Error) => void; timer: NodeJS.Timeout };
type JobEntry = { issuedAt: number; result?: EslJobResult; waiters: JobWaiter[] };

const MAX_JOBS = 10_000;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** A `BACKGROUND_JOB` event's outcome: `-…` is a failure, anything else (`+OK …`, command output) a success. */
export function jobResultOf(jobUuid: string, event: EslEvent): EslJobResult {
  const body = event.body ?? '';
  const line = body.replace(/\n$/, '');
  const ok = !line.startsWith('-');
  let result = line;
  if (line.startsWith('+OK')) result = line.slice(3).trimStart();
  else if (line.startsWith('-ERR')) result = line.slice(4).trimStart();
  else if (line.startsWith('-')) result = line.slice(1);
  return { jobUuid, ok, result, body, event };
}

/**
 * The ESL client. Construct, call {@link EslClient.start}, listen to `event` / `job` / `state`, and
 * send commands with {@link EslClient.api} and {@link EslClient.bgapi}. Commands never queue: while
 * the link is down they reject at once with {@link EslConnectionError}.
 */
export class EslClient extends EventEmitter<EslClientEvents> {
  private readonly opts: Required<Omit<EslClientOptions, 'limits' | 'backoff'>> & {
    limits: Partial<ParserLimits>;
    backoff: BackoffOptions;
  };
  private readonly log: EslLogger;
  private conn: EslConnection | undefined;
  private started = false;
  private closed = false;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private healthState: EslHealth;
  private everConnected = false;
  private readonly jobs = new Map<string, JobEntry>();

  /**
   * @param options - connection target, password and tuning; see {@link EslClientOptions}
   * @throws EslInvalidCommandError when the subscription contains `ALL`, CR/LF or `mod_event_socket`
   */
  constructor(options: EslClientOptions) {
    super();
    const subscription = options.subscription ?? NO_SUBSCRIPTION;
    for (const word of subscription.events) {
      assertSafeCommand(word);
      if (/\s/.test(word)) throw new EslInvalidCommandError('event name contains a blank');
      if (word.toUpperCase() === 'ALL') throw new EslInvalidCommandError('subscribing to ALL is not allowed');
    }
    for (const [h, v] of subscription.filters) assertSafeCommand(`filter ${h} ${v}`);
    this.opts = {
      host: options.host,
      port: options.port,
      password: options.password,
      logger: options.logger ?? silentLogger,
      subscription,
      backoff: { ...DEFAULT_BACKOFF, ...options.backoff },
      commandTimeoutMs: options.commandTimeoutMs ?? 10_000,
      connectTimeoutMs: options.connectTimeoutMs ?? 5000,
      traceWire: options.traceWire ?? false,
      limits: options.limits ?? {},
      jobRetentionMs: options.jobRetentionMs ?? 15 * 60_000,
      random: options.random ?? Math.random,
    };
    this.log = this.opts.logger;
    this.healthState = Object.freeze({ connected: false, since: new Date(), reconnects: 0 });
  }

  /** Current health, synchronously. */
  get health(): EslHealth {
    return this.healthState;
  }

  /** True while authenticated and subscribed. */
  get connected(): boolean {
    return this.healthState.connected;
  }

  /** Starts connecting (and reconnecting forever). Idempotent; a no-op after {@link EslClient.close}. */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.loop = this.run();
  }

  /**
   * Resolves once connected (immediately if already connected).
   *
   * @param timeoutMs - rejects with EslTimeoutError after this long
   */
  waitConnected(timeoutMs: number): Promise<void> {
    if (this.connected) return Promise.resolve();
    if (this.closed) return Promise.reject(new EslConnectionError('client closed'));
    return new Promise((resolve, reject) => {
      const onConnected = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.off('connected', onConnected);
        reject(new EslTimeoutError('connect', timeoutMs));
      }, timeoutMs);
      this.once('connected', onConnected);
    });
  }

  /**
   * Stops for good: no more reconnects, pending commands and job waiters rejected with
   * EslConnectionError, socket closed. Idempotent.
   */
  async close(): Promise<void> {
    if (this.closed) {
      await this.loop;
      return;
    }
    this.closed = true;
    this.abort.abort();
    this.conn?.destroy(new EslConnectionError('client closed'));
    for (const entry of this.jobs.values()) {
      for (const w of entry.waiters.splice(0)) {
        clearTimeout(w.timer);
        w.reject(new EslConnectionError('client closed'));
      }
    }
    this.jobs.clear();
    await this.loop;
    this.setHealth({ connected: false, since: new Date(), reconnects: this.healthState.reconnects });
    this.log.info('esl client closed');
  }

  /**
   * Runs `api <command>` and resolves with the `api/response` body (e.g. `+OK …`, `-ERR …`, JSON).
   * A `-ERR` body is returned, not thrown: its meaning depends on the command.
   *
   * @param command - e.g. `status`, `hupall ORIGINATOR_CANCEL c2c_call_id c2c-…`
   * @throws EslInvalidCommandError, EslConnectionError, EslTimeoutError, EslCommandError
   */
  async api(command: string, options: CommandOptions = {}): Promise<string> {
    assertSafeCommand(command);
    const frame = await this.send(`api ${command}`, [], options.timeoutMs);
    if (frame.contentType !== 'api/response') {
      throw new EslCommandError(frameHeader(frame, 'Reply-Text') ?? frame.contentType);
    }
    return frame.body?.toString('utf8') ?? '';
  }

  /**
   * Sends `bgapi <command>` with our own `Job-UUID:` header and resolves when FreeSWITCH accepted it
   * (`+OK Job-UUID: …`). The job's outcome arrives later as a `job` event and through
   * {@link EslClient.waitForJob}, when the subscription has `BACKGROUND_JOB`.
   *
   * @param command - e.g. `originate {…}loopback/2600/default +15551234567 XML default`
   * @throws EslInvalidCommandError, EslConnectionError, EslTimeoutError, EslCommandError (`-ERR` reply)
   */
  async bgapi(command: string, options: BgapiOptions = {}): Promise<BgapiAccepted> {
    const jobUuid = options.jobUuid ?? randomUUID();
    assertSafeCommand(command);
    assertSafeCommand(jobUuid);
    if (this.jobs.has(jobUuid)) throw new EslInvalidCommandError('Job-UUID already used');
    if (!this.conn || !this.connected) throw new EslConnectionError('not connected');
    this.rememberJob(jobUuid);
    let frame;
    try {
      frame = await this.send(`bgapi ${command}`, [['Job-UUID', jobUuid]], options.timeoutMs);
    } catch (err) {
      // On a timeout or a drop the job may still run and its BACKGROUND_JOB may still arrive (it is
      // broadcast to every subscriber, also on the next connection), so the Job-UUID stays ours.
      if (err instanceof EslInvalidCommandError) this.jobs.delete(jobUuid);
      throw err;
    }
    const reply = frameHeader(frame, 'Reply-Text') ?? '';
    if (frame.contentType !== 'command/reply' || !reply.startsWith('+OK')) {
      this.jobs.delete(jobUuid);
      throw new EslCommandError(reply || frame.contentType);
    }
    const echoed = frameHeader(frame, 'Job-UUID');
    if (echoed !== undefined && echoed !== jobUuid) {
      this.log.warn('esl bgapi reply carries another Job-UUID', { jobUuid, echoed });
    }
    return { jobUuid, reply };
  }

  /**
   * Resolves with the outcome of one of our jobs (immediately if it already arrived). Waiters survive
   * reconnects: the `BACKGROUND_JOB` is broadcast to every subscribed connection.
   *
   * @param jobUuid - a Job-UUID returned by {@link EslClient.bgapi}
   * @throws EslTimeoutError after `timeoutMs`; EslInvalidCommandError for an unknown Job-UUID;
   *   EslConnectionError when the client is closed
   */
  waitForJob(jobUuid: string, options: CommandOptions = {}): Promise<EslJobResult> {
    const entry = this.jobs.get(jobUuid);
    if (!entry) return Promise.reject(new EslInvalidCommandError('unknown Job-UUID'));
    if (entry.result) return Promise.resolve(entry.result);
    const timeoutMs = options.timeoutMs ?? this.opts.commandTimeoutMs;
    return new Promise((resolve, reject) => {
      const waiter: JobWaiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          entry.waiters = entry.waiters.filter((w) => w !== waiter);
          reject(new EslTimeoutError('background job', timeoutMs));
        }, timeoutMs),
      };
      entry.waiters.push(waiter);
    });
  }

  private send(
    command: string,
    headers: ReadonlyArray<readonly [string, string]>,
    timeoutMs: number | undefined,
  ): Promise<EslFrame> {
    try {
      assertSafeCommand(command);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    const conn = this.conn;
    if (!conn || !this.connected) return Promise.reject(new EslConnectionError('not connected'));
    return conn.send(command, headers, timeoutMs ?? this.opts.commandTimeoutMs);
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (!this.closed) {
      let conn: EslConnection | undefined;
      try {
        conn = await EslConnection.open({
          host: this.opts.host,
          port: this.opts.port,
          password: this.opts.password,
          connectTimeoutMs: this.opts.connectTimeoutMs,
          logger: this.log,
          traceWire: this.opts.traceWire,
          limits: this.opts.limits,
          signal: this.abort.signal,
        });
        if (this.closed) {
          conn.destroy();
          break;
        }
        conn.on('event', (event) => this.onEvent(event));
        const closedPromise = new Promise<Error>((resolve) => conn?.once('close', resolve));
        // Stored before subscribing so that close() can destroy it; commands still refuse until
        // `connected` is true.
        this.conn = conn;
        await this.subscribe(conn);
        if (this.closed) {
          conn.destroy();
          break;
        }
        const reconnect = this.everConnected;
        this.everConnected = true;
        this.setHealth({
          connected: true,
          since: new Date(),
          reconnects: this.healthState.reconnects + (reconnect ? 1 : 0),
          ...(this.healthState.lastError === undefined ? {} : { lastError: this.healthState.lastError }),
        });
        this.log.info(reconnect ? 'esl reconnected' : 'esl connected', {
          host: this.opts.host,
          port: this.opts.port,
          reconnects: this.healthState.reconnects,
        });
        this.safeEmit('connected', { reconnect });
        // A healthy session: when it drops, the first reconnect comes quickly and the backoff starts over.
        attempt = 0;
        const reason = await closedPromise;
        this.conn = undefined;
        if (this.closed) break;
        this.setHealth({
          ...this.healthState,
          connected: false,
          since: new Date(),
          lastError: reason.message,
          lastErrorCode: reason instanceof EslError ? reason.code : undefined,
        });
        this.log.warn('esl disconnected', { error: reason.message });
        this.safeEmit('disconnected', { reason: reason.message });
      } catch (err) {
        conn?.destroy();
        this.conn = undefined;
        if (this.closed) break;
        const message = err instanceof Error ? err.message : String(err);
        this.setHealth({
          ...this.healthState,
          lastError: message,
          lastErrorCode: err instanceof EslError ? err.code : undefined,
        });
        // Every attempt at debug: the client's user reports an outage once (see the `state` event).
        this.log.debug('esl connect failed', {
          host: this.opts.host,
          port: this.opts.port,
          error: message,
          code: err instanceof EslError ? err.code : undefined,
        });
      }
      if (this.closed) break;
      const delay = backoffDelay(attempt, this.opts.backoff, this.opts.random);
      attempt += 1;
      this.log.debug('esl reconnect scheduled', { delayMs: delay, attempt });
      await sleep(delay, this.abort.signal);
    }
  }

  /** Sends `event plain …` (when there are events) and the filters; any `-ERR` or timeout fails this connection. */
  private async subscribe(conn: EslConnection): Promise<void> {
    const { events, filters } = this.opts.subscription;
    const commands = [
      ...(events.length > 0 ? [`event plain ${events.join(' ')}`] : []),
      ...filters.map(([h, v]) => `filter ${h} ${v}`),
    ];
    for (const command of commands) {
      const frame = await conn.send(command, [], this.opts.commandTimeoutMs);
      const reply = frameHeader(frame, 'Reply-Text') ?? '';
      if (frame.contentType !== 'command/reply' || !reply.startsWith('+OK')) {
        throw new EslProtocolError(`subscription refused: ${command.split(' ')[0] ?? ''} → ${reply}`);
      }
    }
  }

  private onEvent(event: EslEvent): void {
    if (event.name !== 'BACKGROUND_JOB') {
      this.safeEmit('event', event);
      return;
    }
    const jobUuid = event.header('Job-UUID');
    const entry = jobUuid === undefined ? undefined : this.jobs.get(jobUuid);
    if (jobUuid === undefined || !entry) {
      // Another connection's job (FreeSWITCH sends every job's outcome to every subscriber): an event like any
      // other, for a listener that follows the jobs of others.
      this.safeEmit('event', event);
      return;
    }
    if (entry.result) return;
    const result = jobResultOf(jobUuid, event);
    entry.result = { jobUuid: result.jobUuid, ok: result.ok, result: result.result, body: result.body };
    for (const w of entry.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.resolve(result);
    }
    this.safeEmit('job', result);
  }

  /**
   * Keeps a new job's entry. Entries are kept in the order they were issued, so the ones past their retention are
   * dropped from the front, and the walk stops at the first one still kept: each entry is visited about once in
   * all, not once per command (a walk over every entry on each bgapi cost the connect a share growing with the
   * jobs of the last 15 minutes). An expired entry that a waiter still waits on is kept until its waiter's timer.
   */
  private rememberJob(jobUuid: string): void {
    const now = Date.now();
    for (const [id, entry] of this.jobs) {
      if (now - entry.issuedAt <= this.opts.jobRetentionMs) break;
      if (entry.waiters.length === 0) this.jobs.delete(id);
      else break;
    }
    while (this.jobs.size >= MAX_JOBS) {
      const oldest = this.jobs.keys().next().value;
      if (oldest === undefined) break;
      const entry = this.jobs.get(oldest);
      for (const w of entry?.waiters ?? []) {
        clearTimeout(w.timer);
        w.reject(new EslTimeoutError('background job (evicted)', 0));
      }
      this.jobs.delete(oldest);
    }
    this.jobs.set(jobUuid, { issuedAt: now, waiters: [] });
  }

  private setHealth(next: EslHealth): void {
    this.healthState = Object.freeze({ ...next });
    this.safeEmit('state', this.healthState);
  }

  private safeEmit<K extends keyof EslClientEvents>(name: K, ...args: EslClientEvents[K]): void {
    try {
      (this.emit as (n: K, ...a: EslClientEvents[K]) => boolean)(name, ...args);
    } catch (err) {
      this.log.error('esl listener threw', { event: name, error: (err as Error).message });
    }
  }
}
