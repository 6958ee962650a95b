import type { HistoryRepository } from '../store/ports';
import type { CallState } from './call-state';
import type { CallTracker } from './call-tracker';
import { baseOf } from './history-record';

/** The shape of the call ids this service gives (the switch may carry others). */
export const CALL_ID = /^c2c-[0-9a-f]{32}-[0-9a-f]{10}$/;

/**
 * Makes sure the tracker follows a call: already in memory, or an open record of an earlier run of the service
 * (its tracking resumes from the stored state). False when there is no such open call.
 */
export async function ensureTracked(
  tracker: CallTracker,
  history: HistoryRepository,
  callId: string,
): Promise<boolean> {
  if (tracker.knows(callId)) return true;
  if (!CALL_ID.test(callId)) return false;
  const record = await history.byCallId(callId);
  if (!record || record.final) return tracker.knows(callId);
  tracker.resume(baseOf(record), record.state as CallState | undefined);
  return true;
}
