import type { CallTracker } from '../calls/call-tracker';
import type { Reconciler } from '../calls/reconciler';
import { CALL_ID, ensureTracked } from '../calls/resume';
import type { SwitchPort } from '../calls/switch-port';
import { unixMsOfGregorian } from '../calls/time';
import type { HistoryDoc } from '../domain';
import { AppError, badIdentifier, fieldError } from '../errors';
import { isId } from '../ids';
import type { Logger } from '../logger';
import type { ClickToCallRepository, HistoryRepository } from '../store/ports';
import { cutPage, pageWindow, type PageOptions } from './paging';

export type HistoryServiceDeps = {
  history: HistoryRepository;
  configs: ClickToCallRepository;
  tracker: CallTracker;
  reconciler: Reconciler;
  esl: SwitchPort;
  now: () => Date;
  logger: Logger;
};

/** Kazoo's `created_from` / `created_to`: Gregorian seconds, inclusive. */
export type HistoryWindow = { createdFrom?: number; createdTo?: number };

/** History pages are keyed by (created_ms, seq), their order: an opaque key to pass back. */
const encodeHistoryKey = (row: { created_ms: number; seq: number }): string =>
  Buffer.from(`h${row.created_ms}.${row.seq}`).toString('base64url');

const decodeHistoryKey = (key: string): { createdMs: number; seq: number } | undefined => {
  const m = /^h(\d{1,15})\.([1-9]\d{0,15})$/.exec(Buffer.from(key, 'base64url').toString('latin1'));
  return m ? { createdMs: Number(m[1]), seq: Number(m[2]) } : undefined;
};

const switchUnavailable = (message: string, cause?: unknown): AppError =>
  new AppError('switch_unavailable', { message }, cause === undefined ? undefined : { cause });

/** Reading call history, and hanging up a call of an account (docs/history.md; Kazoo's channel action). */
export class HistoryService {
  constructor(private readonly deps: HistoryServiceDeps) {}

  /** A configuration's calls, newest first. A deleted configuration keeps its history; an unknown one is 404. */
  async list(
    accountId: string,
    clicktocallId: string,
    options: PageOptions & HistoryWindow,
  ): Promise<{ items: HistoryDoc[]; startKey?: string; nextStartKey?: string }> {
    await this.existing(accountId, clicktocallId);
    const { createdFrom, createdTo } = options;
    if (createdFrom !== undefined && createdTo !== undefined && createdFrom > createdTo)
      throw fieldError('created_to', 'range', 'must not be before created_from');
    const { start, pageSize, limit } = pageWindow(options, decodeHistoryKey);
    const rows = await this.deps.history.list({
      accountId,
      clicktocallId,
      ...(start !== undefined && { start }),
      ...(createdFrom !== undefined && { fromMs: unixMsOfGregorian(createdFrom) }),
      ...(createdTo !== undefined && { toMs: unixMsOfGregorian(createdTo) + 999 }),
      ...(limit !== undefined && { limit }),
    });
    const { page, next } = cutPage(rows, pageSize, encodeHistoryKey);
    return {
      items: page.map((r) => r.doc),
      ...(options.startKey !== undefined && { startKey: options.startKey }),
      ...(next !== undefined && { nextStartKey: next }),
    };
  }

  /** One call of a configuration: for status polling. */
  async get(accountId: string, clicktocallId: string, callId: string): Promise<HistoryDoc> {
    await this.existing(accountId, clicktocallId);
    const row = CALL_ID.test(callId) ? await this.deps.history.byCallId(callId) : undefined;
    if (!row || row.account_id !== accountId || row.clicktocall_id !== clicktocallId)
      throw badIdentifier(callId);
    return row.doc;
  }

  /**
   * Hangs up a call of this account that is not over yet (`hupall ORIGINATOR_CANCEL c2c_call_id <id>`, which
   * reaches whichever legs are left: docs/originate.md#ending-a-call); any other channel id is 404, so nothing
   * else on the switch can be touched this way. 503 when the switch is not connected. The record ends `canceled`
   * once the legs are gone.
   */
  async hangup(accountId: string, callId: string): Promise<HistoryDoc> {
    const { history, tracker, esl } = this.deps;
    const row = CALL_ID.test(callId) ? await history.byCallId(callId) : undefined;
    if (!row || row.account_id !== accountId || row.final) throw badIdentifier(callId);
    if (!esl.connected) throw switchUnavailable('the switch is not connected; try again shortly');
    try {
      if (await ensureTracked(tracker, history, callId))
        tracker.apply(callId, { type: 'cancel_requested', at: this.deps.now().toISOString() });
      const reply = await esl.api(`hupall ORIGINATOR_CANCEL c2c_call_id ${callId}`, { timeoutMs: 5000 });
      this.deps.logger.info('call cancel sent', { call_id: callId, reply: reply.trim().slice(0, 120) });
      if (!reply.startsWith('+OK')) await this.deps.reconciler.check(callId);
    } catch (err) {
      throw switchUnavailable('the switch did not take the hangup; try again shortly', err);
    }
    return (await history.byCallId(callId))?.doc ?? row.doc;
  }

  private async existing(accountId: string, clicktocallId: string): Promise<void> {
    if (!isId(clicktocallId) || !(await this.deps.configs.get(clicktocallId, accountId)))
      throw badIdentifier(clicktocallId);
  }
}
