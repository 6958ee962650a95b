import type { HistoryDoc } from '../store/history-repo';

/** The first party's fate, read from the originate's BACKGROUND_JOB (PRODUCT §6–§7). */
export type JobOutcome = { ok: true; uuid: string } | { ok: false; cause: string };

export type CallStatus =
  | 'originating'
  | 'ringing'
  | 'answered'
  | 'connected'
  | 'completed'
  | 'busy'
  | 'no_answer'
  | 'failed'
  | 'canceled';

export const FINAL_STATUSES: ReadonlySet<CallStatus> = new Set([
  'completed',
  'busy',
  'no_answer',
  'failed',
  'canceled',
]);

/** The status a failed party's hang-up cause means (PRODUCT §7). */
export function statusOfCause(cause: string): CallStatus {
  switch (cause) {
    case 'USER_BUSY':
      return 'busy';
    case 'NO_ANSWER':
    case 'NO_USER_RESPONSE':
      return 'no_answer';
    case 'ORIGINATOR_CANCEL':
      return 'canceled';
    default:
      return 'failed';
  }
}

/**
 * The history record after the job's result: `+OK <uuid>` means the first party answered (`result:
 * success`); `-ERR <CAUSE>` that it did not (`result: error`, the cause, a final status). A `+OK` whose uuid
 * is not the call id means FreeSWITCH placed the call under another uuid (capture h1-duplicate): failed.
 * Idempotent: a record already past `originating`/`ringing` keeps its later status.
 */
export function applyJobOutcome(
  doc: HistoryDoc,
  outcome: JobOutcome,
  at: Date,
): { doc: HistoryDoc; final: boolean } {
  if (doc['result'] !== 'pending') return { doc, final: FINAL_STATUSES.has(doc.status as CallStatus) };
  const early = doc.status === 'originating' || doc.status === 'ringing';
  if (outcome.ok && outcome.uuid === doc.call_id) {
    const next: HistoryDoc = { ...doc, result: 'success', ...(early && { status: 'answered' }) };
    if (next['answered_at'] === undefined) next['answered_at'] = at.toISOString();
    return { doc: next, final: FINAL_STATUSES.has(next.status as CallStatus) };
  }
  const cause = outcome.ok ? 'UUID_MISMATCH' : outcome.cause;
  const status = outcome.ok ? 'failed' : statusOfCause(cause);
  return {
    doc: {
      ...doc,
      result: 'error',
      cause,
      status,
      hangup_cause: cause,
      ended_at: doc['ended_at'] ?? at.toISOString(),
    },
    final: true,
  };
}
