import crypto from 'node:crypto';
import { OriginateInputError } from '../../esl/originate';
import type { AccountService } from '../accounts/account-service';
import { applyJobOutcome, type JobOutcome } from '../calls/job-outcome';
import { gregorianSeconds } from '../calls/time';
import { AppError, fieldError, invalidCredentials } from '../errors';
import type { Logger } from '../logger';
import type { HistoryDoc, HistoryRepo } from '../store/history-repo';
import { newId } from '../store/ids';
import type { ClickToCallService } from './clicktocall-service';
import type { Account, ClickToCallDoc } from './clicktocall-types';
import { normalizeContact } from './contact';
import { buildOriginateRequest } from './originate-request';
import type { RequestVarsValidator } from './validation';
import { whitelistAllows } from './whitelist';

/** What the connect service needs of the switch link (the ESL client satisfies it). */
export type SwitchPort = {
  readonly connected: boolean;
  bgapi(command: string, options: { jobUuid: string; timeoutMs?: number }): Promise<{ jobUuid: string }>;
  waitForJob(jobUuid: string, options: { timeoutMs: number }): Promise<{ ok: boolean; result: string }>;
};

export type ConnectServiceDeps = {
  accounts: AccountService;
  clicktocall: ClickToCallService;
  history: HistoryRepo;
  esl: SwitchPort;
  validateRequestVars: RequestVarsValidator;
  transaction: <T>(fn: () => T) => T;
  now: () => Date;
  dialplanContext: string;
  logger: Logger;
};

/** The caller of a connect: a token's account, or nobody (anonymous connect). */
export type Caller = { token: string } | { anonymous: true };

export type ConnectInput = {
  contact: unknown;
  blocking: boolean;
  customApplicationVars: unknown;
};

export type ConnectResult = { status: 200 | 202; data: unknown };

const THROTTLE_WINDOW_MS = 60_000;
const BGAPI_TIMEOUT_MS = 5_000;
const DEFAULT_TIMEOUT_S = 30;
const CONTACT_REQUIRED = 'The contact extension for this click to call has not been set';

const switchUnavailable = (): AppError =>
  new AppError('switch_unavailable', { message: 'the switch is not connected; try again shortly' });

/** Connect (PRODUCT §5): one validated originate per request, one history record per accepted call. */
export class ConnectService {
  constructor(private readonly deps: ConnectServiceDeps) {}

  /**
   * Who may connect: a token must be valid and open the account (401/404/403); without one, only a
   * configuration with `auth_required: false` may be used, and an unknown one answers 401 as well, so
   * an anonymous caller learns nothing of what exists.
   */
  authorize(
    accountId: string,
    clicktocallId: string,
    caller: Caller,
  ): { account: Account; config: ClickToCallDoc } {
    const { accounts, clicktocall } = this.deps;
    if ('token' in caller) {
      const account = accounts.authorize(accounts.authenticate(caller.token), accountId);
      return { account, config: clicktocall.get(account.id, clicktocallId).doc };
    }
    const account = accounts.getAccount(accountId);
    const config = account && clicktocall.find(account.id, clicktocallId);
    if (!account || !config || config.auth_required !== false) throw invalidCredentials();
    return { account, config };
  }

  async connect(
    account: Account,
    config: ClickToCallDoc,
    caller: Caller,
    input: ConnectInput,
  ): Promise<ConnectResult> {
    const contact = this.contactOf(input.contact, account);
    if (!whitelistAllows(config.whitelist, contact)) throw new AppError('contact_not_whitelisted', contact);
    const requestVars = this.deps.validateRequestVars(input.customApplicationVars ?? {});
    if (!this.deps.esl.connected) throw switchUnavailable();

    const callId = `c2c-${config.id}-${crypto.randomBytes(5).toString('hex')}`;
    const originate = this.build(account, config, contact, requestVars, callId);
    const now = this.deps.now();
    const doc: HistoryDoc = {
      id: newId(),
      call_id: callId,
      timestamp: gregorianSeconds(now),
      contact,
      result: 'pending',
      status: 'originating',
      extension: config.extension,
      dial_first: config.dial_first ?? 'extension',
      created: now.toISOString(),
      legs: {},
      custom_application_vars: originate.echo['custom_application_vars'],
      requested_by: 'token' in caller ? 'token' : 'anonymous',
    };
    this.recordWithinThrottle(account, config, doc, now);

    const log = this.deps.logger.child({ call_id: callId });
    const jobUuid = crypto.randomUUID();
    try {
      await this.deps.esl.bgapi(originate.command, { jobUuid, timeoutMs: BGAPI_TIMEOUT_MS });
    } catch (err) {
      log.warn('originate not accepted by the switch', { error: (err as Error).message });
      this.applyOutcome(callId, { ok: false, cause: 'SWITCH_UNAVAILABLE' });
      throw switchUnavailable();
    }
    log.info('originate accepted', { job_uuid: jobUuid, account_id: account.id, clicktocall_id: config.id });
    const outcome = this.followJob(jobUuid, callId, ((config.timeout ?? DEFAULT_TIMEOUT_S) + 5) * 1000, log);
    if (!input.blocking) {
      void outcome;
      return { status: 202, data: originate.echo };
    }
    await outcome;
    return { status: 200, data: this.deps.history.byCallId(callId)?.doc ?? doc };
  }

  /** Waits (bounded) for the originate's BACKGROUND_JOB and records it; never rejects. */
  private async followJob(jobUuid: string, callId: string, timeoutMs: number, log: Logger): Promise<void> {
    try {
      const job = await this.deps.esl.waitForJob(jobUuid, { timeoutMs });
      this.applyOutcome(
        callId,
        job.ok ? { ok: true, uuid: job.result.trim() } : { ok: false, cause: causeOf(job.result) },
      );
    } catch (err) {
      log.warn('no originate result in time', { error: (err as Error).message });
    }
  }

  /** Records the job's outcome in the call's history (idempotent). */
  applyOutcome(callId: string, outcome: JobOutcome): void {
    const row = this.deps.history.byCallId(callId);
    if (!row) return;
    const now = this.deps.now();
    const next = applyJobOutcome(row.doc, outcome, now);
    if (next.doc !== row.doc) this.deps.history.update(next.doc, next.final, now.getTime());
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
  ) {
    try {
      return buildOriginateRequest({
        config,
        account,
        context: account.context ?? this.deps.dialplanContext,
        contact,
        requestVars,
        callId,
      });
    } catch (err) {
      if (err instanceof OriginateInputError) throw fieldError(err.field, 'invalid', err.problem);
      throw err;
    }
  }

  /** The throttle check and the history insert are one transaction: concurrent connects cannot both pass. */
  private recordWithinThrottle(account: Account, config: ClickToCallDoc, doc: HistoryDoc, now: Date): void {
    const limit = config.throttle ?? 0;
    this.deps.transaction(() => {
      if (limit > 0) {
        const recent = this.deps.history.recentConnects(config.id, now.getTime() - THROTTLE_WINDOW_MS);
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
      this.deps.history.insert({
        account_id: account.id,
        clicktocall_id: config.id,
        created_ms: now.getTime(),
        final: false,
        doc,
      });
    });
  }
}

/** `-ERR USER_BUSY` → `USER_BUSY`; anything odd → `NORMAL_TEMPORARY_FAILURE`. */
function causeOf(result: string): string {
  const cause = result.trim().split(/\s+/)[0] ?? '';
  return /^[A-Z_]{3,64}$/.test(cause) ? cause : 'NORMAL_TEMPORARY_FAILURE';
}
