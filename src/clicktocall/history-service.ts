import type { CallTracker } from '../calls/call-tracker';
import type { Reconciler } from '../calls/reconciler';
import { CALL_ID, ensureTracked } from '../calls/resume';
import type { SwitchDirectory } from '../calls/switch-port';
import type { TrackingScope } from '../calls/tracking-scope';
import { unixMsOfGregorian } from '../calls/time';
import type { HistoryDoc } from '../domain';
import { AppError, badIdentifier } from '../errors';
import { isId } from '../ids';
import type { Logger } from '../logger';
import type { ClickToCallRepository, HistoryRepository } from '../store/ports';
import { matchesAll, type Filter } from './filters';
import { pageWindow, scanPage, type ListOptions, type ListPage } from './paging';

export type HistoryServiceDeps = {
  history: HistoryRepository;
  configs: ClickToCallRepository;
  tracker: CallTracker;
  reconciler: Reconciler;
  switches: Pick<SwitchDirectory, 'link'>;
  scope: TrackingScope;
  now: () => Date;
  logger: Logger;
};

/**
 * crossbar's widest `created_from`..`created_to` window in seconds: its default maximum range, 31 days and an hour.
 * Only a window given whole is held to it: with one bound or none the list is open-ended (README, History).
 */
export const MAX_RANGE_S = 2_682_000;

/** crossbar's date_range error, on `created_from` whichever bound is off. */
const dateRangeError = (message: string, cause: number): AppError =>
  new AppError('validation', { created_from: { date_range: { message, cause } } });

/**
 * The creation window a list is read through (Unix ms, inclusive): `created_from` / `created_to`, Gregorian seconds.
 * An inverted or too wide window is a 400 as crossbar answers it.
 */
function creationWindow(filters: readonly Filter[]): { fromMs?: number; toMs?: number } {
  const bound = (kind: 'created_from' | 'created_to'): number | undefined => {
    const found = filters.find((f) => f.kind === kind);
    return found && 'seconds' in found ? found.seconds : undefined;
  };
  const from = bound('created_from');
  const to = bound('created_to');
  if (from !== undefined && to !== undefined) {
    if (to < from) throw dateRangeError(`created_to ${to} is prior to created_from ${from}`, from);
    if (to - from > MAX_RANGE_S)
      throw dateRangeError(
        `created_to ${to} is more than ${MAX_RANGE_S} seconds from created_from ${from}`,
        to,
      );
  }
  return {
    ...(from !== undefined && { fromMs: unixMsOfGregorian(from) }),
    ...(to !== undefined && { toMs: unixMsOfGregorian(to) + 999 }),
  };
}

const isWindowBound = (filter: Filter): boolean =>
  filter.kind === 'created_from' || filter.kind === 'created_to';

/** History pages are keyed by (created_ms, seq), their order: an opaque key to pass back. */
type HistoryKey = { createdMs: number; seq: number };

const encodeHistoryKey = (key: HistoryKey): string =>
  Buffer.from(`h${key.createdMs}.${key.seq}`).toString('base64url');

const decodeHistoryKey = (key: string): HistoryKey | undefined => {
  const m = /^h(\d{1,15})\.([1-9]\d{0,15})$/.exec(Buffer.from(key, 'base64url').toString('latin1'));
  return m ? { createdMs: Number(m[1]), seq: Number(m[2]) } : undefined;
};

const switchUnavailable = (message: string, cause?: unknown): AppError =>
  new AppError('switch_unavailable', { message }, cause === undefined ? undefined : { cause });

/** Reading call history, and hanging up a call of an account (docs/history.md; Kazoo's channel action). */
export class HistoryService {
  constructor(private readonly deps: HistoryServiceDeps) {}

  /**
   * A configuration's calls, newest first (`ascending`: oldest first), inside the creation window, through Kazoo's
   * crossbar filters on each record as it is returned (src/clicktocall/filters.ts); `modified_` bounds read its last
   * change. A deleted configuration keeps its history; an unknown one is 404.
   */
  async list(accountId: string, clicktocallId: string, options: ListOptions): Promise<ListPage<HistoryDoc>> {
    await this.existing(accountId, clicktocallId);
    const window = creationWindow(options.filters);
    // The window bounds the read itself; the other filters are matched on each row read.
    const filters = options.filters.filter((f) => !isWindowBound(f));
    const { start, pageSize } = pageWindow(options, decodeHistoryKey);
    const ascending = options.ascending === true;
    const { page, next } = await scanPage({
      read: (from: HistoryKey | undefined, limit) =>
        this.deps.history.list({ accountId, clicktocallId, ascending, start: from, ...window, limit }),
      keyOf: (row) => ({ createdMs: row.created_ms, seq: row.seq }),
      matches: (row) =>
        matchesAll(filters, row.doc, { createdMs: row.created_ms, modifiedMs: row.updated_ms }),
      start,
      pageSize,
      filtered: filters.length > 0,
    });
    return {
      items: page.map((r) => r.doc),
      paginated: options.paginate,
      ...(options.startKey !== undefined && { startKey: options.startKey }),
      ...(next !== undefined && { nextStartKey: encodeHistoryKey(next) }),
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
   * else on the switch can be touched this way. It is sent to the switch that carries the call; 503 when that switch
   * is not connected. The record ends `canceled` once the legs are gone (when another process tracks the switch,
   * that process sees them go: docs/switches.md).
   */
  async hangup(accountId: string, callId: string): Promise<HistoryDoc> {
    const { history, tracker, scope } = this.deps;
    const row = CALL_ID.test(callId) ? await history.byCallId(callId) : undefined;
    if (!row || row.account_id !== accountId || row.final) throw badIdentifier(callId);
    const switchName = scope.switchOf(row.doc['switch'] as string | undefined);
    const esl = this.deps.switches.link(switchName);
    if (!esl?.connected) throw switchUnavailable('the switch is not connected; try again shortly');
    try {
      if (scope.tracks(switchName) && (await ensureTracked(tracker, history, callId)))
        tracker.apply(callId, { type: 'cancel_requested', at: this.deps.now().toISOString() });
      const reply = await esl.api(`hupall ORIGINATOR_CANCEL c2c_call_id ${callId}`, { timeoutMs: 5000 });
      this.deps.logger.info('call cancel sent', { call_id: callId, reply: reply.trim().slice(0, 120) });
      if (!reply.startsWith('+OK')) await this.deps.reconciler.check(callId, switchName);
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
