import type { CallTracker } from '../calls/call-tracker';
import type { SwitchPort } from '../calls/switch-port';
import { unixMsOfGregorian } from '../calls/time';
import { AppError, badIdentifier, fieldError } from '../errors';
import type { HistoryDoc, HistoryRepo } from '../store/history-repo';
import type { ClickToCallRepo } from '../store/clicktocall-repo';
import { isId } from '../store/ids';
import { cutPage, pageWindow, type PageOptions } from './paging';

export type HistoryServiceDeps = {
  history: HistoryRepo;
  configs: ClickToCallRepo;
  tracker: CallTracker;
  esl: SwitchPort;
};

/** Kazoo's `created_from` / `created_to`: Gregorian seconds, inclusive. */
export type HistoryWindow = { createdFrom?: number; createdTo?: number };

const CALL_ID = /^c2c-[0-9a-f]{32}-[0-9a-f]{10}$/;

/** History pages are keyed by (created_ms, rowid), their order: an opaque key to pass back. */
const encodeHistoryKey = (row: { created_ms: number; rowid: number }): string =>
  Buffer.from(`h${row.created_ms}.${row.rowid}`).toString('base64url');

const decodeHistoryKey = (key: string): { createdMs: number; rowid: number } | undefined => {
  const m = /^h(\d{1,15})\.([1-9]\d{0,15})$/.exec(Buffer.from(key, 'base64url').toString('latin1'));
  return m ? { createdMs: Number(m[1]), rowid: Number(m[2]) } : undefined;
};

/** Reading call history, and hanging up a call of an account (PRODUCT §7; Kazoo's channel action). */
export class HistoryService {
  constructor(private readonly deps: HistoryServiceDeps) {}

  /** A configuration's calls, newest first. A deleted configuration keeps its history; an unknown one is 404. */
  list(
    accountId: string,
    clicktocallId: string,
    options: PageOptions & HistoryWindow,
  ): { items: HistoryDoc[]; startKey?: string; nextStartKey?: string } {
    this.existing(accountId, clicktocallId);
    const { createdFrom, createdTo } = options;
    if (createdFrom !== undefined && createdTo !== undefined && createdFrom > createdTo)
      throw fieldError('created_to', 'range', 'must not be before created_from');
    const { start, pageSize, limit } = pageWindow(options, decodeHistoryKey);
    const rows = this.deps.history.list({
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
  get(accountId: string, clicktocallId: string, callId: string): HistoryDoc {
    this.existing(accountId, clicktocallId);
    const row = CALL_ID.test(callId) ? this.deps.history.byCallId(callId) : undefined;
    if (!row || row.account_id !== accountId || row.clicktocall_id !== clicktocallId)
      throw badIdentifier(callId);
    return row.doc;
  }

  /**
   * Hangs up a call of this account that is not over yet; any other channel id is 404, so nothing else
   * on the switch can be touched this way. 503 when the switch is not connected.
   */
  async hangup(accountId: string, callId: string): Promise<HistoryDoc> {
    const row = CALL_ID.test(callId) ? this.deps.history.byCallId(callId) : undefined;
    if (!row || row.account_id !== accountId || row.final === 1) throw badIdentifier(callId);
    if (!this.deps.esl.connected)
      throw new AppError('switch_unavailable', { message: 'the switch is not connected; try again shortly' });
    try {
      await this.deps.tracker.cancel(callId);
    } catch (err) {
      throw new AppError(
        'switch_unavailable',
        { message: 'the switch did not take the hangup; try again shortly' },
        { cause: err },
      );
    }
    return this.deps.history.byCallId(callId)?.doc ?? row.doc;
  }

  private existing(accountId: string, clicktocallId: string): void {
    if (!isId(clicktocallId) || !this.deps.configs.get(clicktocallId, accountId))
      throw badIdentifier(clicktocallId);
  }
}
