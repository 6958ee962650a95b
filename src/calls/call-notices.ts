/**
 * What the call tracker tells the rest of the service: a call changed (its state or record moved on), and a call
 * ended (reached a final status). Persistence, metrics (and later features: "when a call ends, do X") subscribe
 * here; the tracker knows none of them.
 */
import type { HistoryDoc } from '../domain';
import type { CallState, CallStatus } from './call-state';
import type { RecordBase } from './history-record';

export type CallChanged = {
  type: 'changed';
  callId: string;
  /** What the connect gave the call: whose it is, where its events go. */
  base: RecordBase;
  previous: CallState;
  state: CallState;
  /** The history record as it reads now. */
  record: HistoryDoc;
  /** The call is final now (it ended with this change, or an ended call's late details came in). */
  final: boolean;
};

export type CallEnded = {
  type: 'ended';
  callId: string;
  status: CallStatus;
  cause: string | undefined;
  record: HistoryDoc;
};

export type CallNotice = CallChanged | CallEnded;

/** The one small interface between the tracker and its subscribers. */
export type CallNotices = {
  publish(notice: CallNotice): void;
  /** Returns the function that unsubscribes. */
  subscribe(listener: (notice: CallNotice) => void): () => void;
};

/**
 * Notices delivered synchronously, in subscription order. A subscriber that throws is reported to `onError` and
 * does not keep the notice from the others.
 */
export function callNotices(onError: (err: unknown, notice: CallNotice) => void): CallNotices {
  const listeners: Array<(notice: CallNotice) => void> = [];
  return {
    publish(notice) {
      for (const listener of listeners) {
        try {
          listener(notice);
        } catch (err) {
          onError(err, notice);
        }
      }
    },
    subscribe(listener) {
      listeners.push(listener);
      return () => {
        const at = listeners.indexOf(listener);
        if (at >= 0) listeners.splice(at, 1);
      };
    },
  };
}
