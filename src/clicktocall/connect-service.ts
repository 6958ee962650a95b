import crypto from 'node:crypto';
import { OriginateInputError } from '../../esl';
import type { AccountService } from '../accounts/account-service';
import { CallTracker } from '../calls/call-tracker';
import type { RecordBase } from '../calls/history-record';
import type { SwitchPort } from '../calls/switch-port';
import type { TrackingScope } from '../calls/tracking-scope';
import type { SwitchMember } from '../switches/switch-set';
import { gregorianSeconds } from '../calls/time';
import type { Account, ClickToCallDoc, StatusCallback } from '../domain';
import { AppError, fieldError, invalidCredentials, linkGone } from '../errors';
import { newId, randomHex } from '../ids';
import type { Logger } from '../logger';
import type { ConnectMetrics } from '../metrics';
import type { Store } from '../store/ports';
import type { ClickToCallService } from './clicktocall-service';
import { normalizeContact } from './contact';
import { causeOf } from '../calls/esl-events';
import { buildOriginateRequest } from './originate-request';
import { statusEvent, withDefaults } from '../webhooks/events';
import type { RequestVarsValidator, StatusCallbackValidator } from './validation';
import { whitelistAllows } from './whitelist';

export type { SwitchPort };

export type ConnectServiceDeps = {
  accounts: AccountService;
  clicktocall: ClickToCallService;
  store: Pick<Store, 'history' | 'unitOfWork'>;
  tracker: CallTracker;
  /** The switch for a new call (docs/switches.md): undefined when none is up. */
  switches: { choose(): SwitchMember | undefined };
  /** The switches whose calls this process follows; another process follows the others' (docs/switches.md). */
  scope: TrackingScope;
  validateRequestVars: RequestVarsValidator;
  validateStatusCallback: StatusCallbackValidator;
  now: () => Date;
  dialplanContext: string;
  /** Where a Kazoo media id of `music_on_hold.media_id` is played from (Config's mediaLocation). */
  mediaLocation?: string;
  logger: Logger;
  metrics?: ConnectMetrics;
  /** The random part of a call id, 10 hex digits (tests pin it). */
  randomHex?: () => string;
  /** How long the switch may take to accept an originate (default 5 s); past it the connect is 503. */
  commandTimeoutMs?: number;
  /** Told when a connect wrote a status event (the delivery worker). */
  onEvents?: () => void;
};

/** What a public link lets its visitor do (docs/links.md#connecting-through-a-link). */
export type LinkGrant = { id: string; contact?: string; contact_prefixes?: string[] };

/** The caller of a connect: a token's account, nobody (anonymous connect), or a public link's visitor. */
export type Caller = { token: string } | { anonymous: true } | { link: LinkGrant };

export type ConnectInput = {
  /** The request's logger (it carries the request id); the service's when absent. */
  log?: Logger;
  contact: unknown;
  blocking: boolean;
  customApplicationVars: unknown;
  /**
   * The connect's query-string variables (every parameter but the service's own: docs/originate.md#variables),
   * which overlay the body's custom_application_vars as crossbar merges them.
   */
  queryVars?: Record<string, unknown>;
  /** Kazoo's `auto_answer` query parameter; default true for a token's connect, never for others. */
  autoAnswer?: boolean;
  /** Where this call's status events go, in place of the configuration's (token connects only). */
  statusCallback?: unknown;
};

export type ConnectResult = { status: 200 | 202; data: unknown };

const THROTTLE_WINDOW_MS = 60_000;
const BGAPI_TIMEOUT_MS = 5_000;
const DEFAULT_TIMEOUT_S = 30;
const CONTACT_REQUIRED = 'The contact extension for this click to call has not been set';

const switchUnavailable = (): AppError =>
  new AppError('switch_unavailable', { message: 'the switch is not connected; try again shortly' });

/** Connect (README, Connect): one validated originate per request, one history record per accepted call. */
export class ConnectService {
  constructor(private readonly deps: ConnectServiceDeps) {}

  /**
   * Who may connect: a token must be valid and open the account (401/404/403); without one, only a
   * configuration with `auth_required: false` may be used, and an unknown one answers 401 as well, so
   * an anonymous caller learns nothing of what exists.
   */
  async authorize(
    accountId: string,
    clicktocallId: string,
    caller: Caller,
  ): Promise<{ account: Account; config: ClickToCallDoc; revision: string }> {
    const { accounts, clicktocall } = this.deps;
    if ('token' in caller) {
      const account = await accounts.authorize(await accounts.authenticate(caller.token), accountId);
      const { doc, revision } = await clicktocall.get(account.id, clicktocallId);
      return { account, config: doc, revision };
    }
    const account = await accounts.getAccount(accountId);
    const found = account && (await clicktocall.findVersioned(account.id, clicktocallId));
    if (!account || !found || found.doc.auth_required !== false) throw invalidCredentials();
    return { account, config: found.doc, revision: found.revision };
  }

  async connect(
    account: Account,
    config: ClickToCallDoc,
    caller: Caller,
    input: ConnectInput,
  ): Promise<ConnectResult> {
    const metrics = this.deps.metrics;
    if (!metrics) return this.place(account, config, caller, input);
    try {
      const result = await this.place(account, config, caller, input);
      metrics.connect(outcomeOf(result));
      return result;
    } catch (err) {
      metrics.connect(err instanceof AppError ? err.code : 'error');
      throw err;
    }
  }

  private async place(
    account: Account,
    config: ClickToCallDoc,
    caller: Caller,
    input: ConnectInput,
  ): Promise<ConnectResult> {
    // An empty extension is a valid configuration (Kazoo sets no minimum) but cannot be dialled.
    if (config.extension === '')
      throw fieldError('extension', 'required', 'The extension of this click to call must be set to connect');
    const contact = this.contactOf(
      'link' in caller ? this.linkContact(caller.link, input.contact) : input.contact,
      account,
    );
    if ('link' in caller) this.checkPrefixes(caller.link, contact);
    if (!whitelistAllows(config.whitelist, contact)) throw new AppError('contact_not_whitelisted', contact);
    const requestVars = {
      ...this.deps.validateRequestVars(input.customApplicationVars ?? {}),
      ...(input.queryVars && this.deps.validateRequestVars(input.queryVars)),
    };
    // A visitor's click (anonymous, link) must not make the staff's phone pick up by itself.
    const autoAnswer = 'token' in caller ? (input.autoAnswer ?? true) : false;
    const statusCallback = this.statusCallbackOf(input.statusCallback, config, caller);
    const member = this.deps.switches.choose();
    if (!member) throw switchUnavailable();
    const esl = member.link;

    const callId = await this.newCallId(config.id);
    const originate = this.build(account, config, contact, requestVars, callId, autoAnswer);
    const now = this.deps.now();
    const base: RecordBase = {
      account_id: account.id,
      clicktocall_id: config.id,
      id: newId(),
      call_id: callId,
      timestamp: gregorianSeconds(now),
      contact,
      extension: config.extension,
      dial_first: config.dial_first ?? 'extension',
      created: now.toISOString(),
      custom_application_vars: originate.echo['custom_application_vars'],
      requested_by: 'token' in caller ? 'token' : 'link' in caller ? 'link' : 'anonymous',
      ...('link' in caller && { link_id: caller.link.id }),
      ...(statusCallback && { status_callback: statusCallback }),
      switch: member.name,
    };
    await this.recordWithinThrottle(account, config, base, now, {
      callbackNamed: input.statusCallback !== undefined,
      ...('link' in caller && { linkId: caller.link.id }),
    });

    // The call id rides on each line rather than on a child logger made per call.
    const log = input.log ?? this.deps.logger;
    const jobUuid = crypto.randomUUID();
    try {
      await esl.bgapi(originate.command, {
        jobUuid,
        timeoutMs: this.deps.commandTimeoutMs ?? BGAPI_TIMEOUT_MS,
      });
    } catch (err) {
      log.warn('originate not accepted by the switch', {
        call_id: callId,
        switch: member.name,
        error: (err as Error).message,
      });
      // The call never reached the switch, so no process will hear of it: closed here, tracked or not.
      this.deps.tracker.resume(base, undefined);
      this.deps.tracker.apply(callId, {
        type: 'gone',
        cause: 'SWITCH_UNAVAILABLE',
        at: this.deps.now().toISOString(),
      });
      throw switchUnavailable();
    }
    log.info('originate accepted', {
      call_id: callId,
      job_uuid: jobUuid,
      account_id: account.id,
      clicktocall_id: config.id,
      switch: member.name,
    });
    const timeoutMs = ((config.timeout ?? DEFAULT_TIMEOUT_S) + 5) * 1000;
    void this.followJob(esl, jobUuid, callId, timeoutMs);
    if (!input.blocking) return { status: 202, data: originate.echo };
    await this.waitForVerdict(callId, timeoutMs);
    return { status: 200, data: (await this.deps.store.history.byCallId(callId))?.doc };
  }

  /**
   * Until the first party's fate is known: from the tracker when this process follows the call, otherwise from
   * its record, which the process that follows it writes (read every 200 ms).
   */
  private async waitForVerdict(callId: string, timeoutMs: number): Promise<void> {
    if (this.deps.tracker.knows(callId)) return this.deps.tracker.waitForVerdict(callId, timeoutMs);
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const record = await this.deps.store.history.byCallId(callId);
      if (!record || record.final || record.doc['result'] !== undefined) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /**
   * Feeds the originate's BACKGROUND_JOB to the tracker (bounded wait; never rejects). A `+OK` with another
   * uuid than the call id means FreeSWITCH placed the call under a uuid of its own (docs/originate.md#call-id):
   * that channel is hung up and the call recorded as failed. It logs through the service's logger with the call id:
   * a per-call child logger kept for the whole wait cost about 1 KB per call in flight (README, Performance).
   */
  private async followJob(
    esl: SwitchPort,
    jobUuid: string,
    callId: string,
    timeoutMs: number,
  ): Promise<void> {
    const log = this.deps.logger;
    try {
      const job = await esl.waitForJob(jobUuid, { timeoutMs });
      const at = this.deps.now().toISOString();
      const uuid = job.result.trim();
      this.deps.tracker.apply(
        callId,
        job.ok
          ? { type: 'job', ok: true, uuid, at }
          : { type: 'job', ok: false, cause: causeOf(job.result), at },
      );
      if (job.ok && uuid !== callId && /^[0-9a-fA-F-]{36}$/.test(uuid)) {
        log.error('originate placed under another uuid; hanging it up', { call_id: callId, uuid });
        await esl.api(`uuid_kill ${uuid}`, { timeoutMs: BGAPI_TIMEOUT_MS });
      }
    } catch (err) {
      log.warn('no originate result in time', { call_id: callId, error: (err as Error).message });
    }
  }

  /**
   * `c2c-<configuration id>-<10 random hex>` (docs/originate.md#call-id). 40 random bits collide once in a
   * million calls of one configuration with a chance of about one in three, so an id already in history is drawn
   * again; the insert of the record (unique call id) settles a race between two connects.
   */
  private async newCallId(configId: string): Promise<string> {
    for (;;) {
      const random = this.deps.randomHex?.() ?? randomHex(5);
      const callId = `c2c-${configId}-${random}`;
      if (!(await this.deps.store.history.exists(callId))) return callId;
    }
  }

  /**
   * The call's callback: the connect's own (validated like a configuration's; not for anonymous connects, whose
   * caller must not choose where a call's record is sent), else the configuration's, else none.
   */
  private statusCallbackOf(raw: unknown, config: ClickToCallDoc, caller: Caller): StatusCallback | undefined {
    if (raw !== undefined && raw !== null && raw !== '') {
      if (!('token' in caller))
        throw fieldError(
          'status_callback',
          'forbidden',
          'only a connect with a token may set status_callback',
        );
      return this.deps.validateStatusCallback(raw);
    }
    return config.status_callback && withDefaults(config.status_callback);
  }

  /** A link's fixed contact, when it has one: the visitor may repeat it, not change it. */
  private linkContact(link: LinkGrant, raw: unknown): unknown {
    if (link.contact === undefined) return raw;
    if (raw !== undefined && raw !== null && raw !== '' && raw !== link.contact)
      throw fieldError('contact', 'fixed', 'this link calls one number only');
    return link.contact;
  }

  /** A link's prefixes, when it has some: the normalized contact starts with one of them. */
  private checkPrefixes(link: LinkGrant, contact: string): void {
    const prefixes = link.contact_prefixes;
    if (prefixes === undefined || prefixes.some((p) => contact.startsWith(p))) return;
    throw fieldError(
      'contact',
      'not_allowed',
      `this link calls numbers starting with ${prefixes.join(', ')}`,
    );
  }

  private contactOf(raw: unknown, account: Account): string {
    if (raw === undefined || raw === null || raw === '')
      throw fieldError('contact', 'required', CONTACT_REQUIRED);
    if (typeof raw !== 'string' && typeof raw !== 'number')
      throw fieldError('contact', 'invalid', 'must be a string');
    const normalized = normalizeContact(String(raw), { allowSip: account.allow_sip_uri === true });
    if (!normalized.ok) throw fieldError('contact', 'invalid', normalized.reason);
    return normalized.contact;
  }

  private build(
    account: Account,
    config: ClickToCallDoc,
    contact: string,
    requestVars: Record<string, string>,
    callId: string,
    autoAnswer: boolean,
  ) {
    try {
      return buildOriginateRequest({
        config,
        account,
        context: account.context ?? this.deps.dialplanContext,
        contact,
        requestVars,
        callId,
        autoAnswer,
        ...(this.deps.mediaLocation !== undefined && { mediaLocation: this.deps.mediaLocation }),
      });
    } catch (err) {
      if (err instanceof OriginateInputError) throw fieldError(err.field, 'invalid', err.problem);
      throw err;
    }
  }

  /** The throttle check and the history insert are one unit of work: concurrent connects cannot both pass. */
  private async recordWithinThrottle(
    account: Account,
    config: ClickToCallDoc,
    base: RecordBase,
    now: Date,
    opts: { callbackNamed: boolean; linkId?: string },
  ): Promise<void> {
    const limit = config.throttle ?? 0;
    let eventWritten = false;
    try {
      await this.deps.store.unitOfWork(async (tx) => {
        if (limit > 0) {
          const recent = await tx.history.recentConnects(config.id, now.getTime() - THROTTLE_WINDOW_MS);
          if (recent.count >= limit) {
            const retryAfter = Math.max(
              1,
              Math.ceil(((recent.oldestMs ?? now.getTime()) + THROTTLE_WINDOW_MS - now.getTime()) / 1000),
            );
            throw new AppError(
              'too_many_requests',
              { message: `at most ${limit} connects in any 60 seconds`, retry_after: retryAfter },
              { headers: { 'Retry-After': String(retryAfter) } },
            );
          }
        }
        // A call through a link is one of its calls: refused when the link is used up or no longer live.
        if (opts.linkId !== undefined) {
          const claim = await tx.links.claimCall(opts.linkId, now.getTime());
          if (claim !== 'ok') throw linkGone(claim === 'unknown' ? 'revoked' : claim);
        }
        // A connect that names a receiver again lifts its 410 stop (docs/webhooks.md#retries).
        if (opts.callbackNamed && base.status_callback)
          await tx.outbox.unstop(account.id, base.status_callback.url);
        // Tracking starts with the record; nothing is tracked for a refused connect.
        const { doc, state } = this.deps.scope.tracks(base.switch ?? '')
          ? this.deps.tracker.begin(base)
          : CallTracker.initial(base);
        const event = statusEvent(base, doc, now.getTime());
        await tx.history.insert(
          {
            account_id: account.id,
            clicktocall_id: config.id,
            created_ms: now.getTime(),
            final: false,
            doc,
            state,
            ...(base.status_callback && { status_callback: base.status_callback }),
          },
          event ? [event] : [],
        );
        eventWritten = event !== undefined;
      });
    } catch (err) {
      this.deps.tracker.abandon(base.call_id);
      throw err;
    }
    if (eventWritten) this.deps.onEvents?.();
  }
}

/** A connect's outcome for the metrics: `accepted` (202), or the blocking verdict. */
function outcomeOf(result: ConnectResult): string {
  if (result.status === 202) return 'accepted';
  const verdict = (result.data as { result?: unknown } | undefined)?.result;
  return verdict === 'success' ? 'answered' : verdict === 'error' ? 'failed' : 'pending';
}
