/**
 * The domain types: accounts, click-to-call configurations and call history records, as the services, the
 * HTTP layer and the store ports speak of them. No behaviour, no storage.
 */
/** A SIP header value as stored in a configuration. */
export type SipHeaderValue = string | number | boolean;

/** A click-to-call configuration as stored and returned by the API (unknown keys are kept). */
export type ClickToCallDoc = {
  id: string;
  name: string;
  extension: string;
  auth_required: boolean;
  custom_application_vars: Record<string, string>;
  bypass_media?: boolean | 'true' | 'false' | 'auto';
  caller_id_number?: string;
  custom_sip_headers?: {
    in?: Record<string, SipHeaderValue>;
    out?: Record<string, SipHeaderValue>;
    [header: string]: SipHeaderValue | Record<string, SipHeaderValue> | undefined;
  };
  dial_first?: 'extension' | 'contact';
  media?: { ignore_early_media?: boolean; [k: string]: unknown };
  music_on_hold?: { media_id?: string; [k: string]: unknown };
  outbound_callee_id_name?: string;
  outbound_callee_id_number?: string;
  presence_id?: string;
  ringback?: string;
  throttle?: number;
  timeout?: number;
  whitelist?: string[];
  status_callback?: StatusCallback;
  [unknown: string]: unknown;
};

/** An account: the tenant that owns click-to-call configurations. */
export type Account = {
  id: string;
  name: string;
  realm: string;
  parent_id: string | null;
  /** Dialplan context for this account's calls; null = the service's DIALPLAN_CONTEXT. */
  context: string | null;
  /** Whether connects of this account may take a `sip:user@host` contact (default false). */
  allow_sip_uri?: boolean;
};

/** An account as stored: with its creation time. */
export type StoredAccount = Account & { created_at: string };

/** A stored click-to-call configuration. `seq` orders the configurations of the store (newest last). */
export type ClickToCallRecord = {
  seq: number;
  id: string;
  account_id: string;
  doc: Record<string, unknown>;
  revision: string;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
};

/**
 * Where a call's status events are sent (docs/webhooks.md): a configuration's `status_callback`, or the one given
 * with a connect, which overrides it for that call.
 */
export type StatusCallback = {
  url: string;
  method: 'POST' | 'PUT';
  /** The call statuses that send an event. */
  events: string[];
};

/** A public link to a configuration (docs/links.md): what a website's "call me" button connects through. */
export type ClickToCallLink = {
  id: string;
  account_id: string;
  clicktocall_id: string;
  created_ms: number;
  expires_ms: number;
  /** Connects allowed through the link in all (undefined: no such limit). */
  max_calls?: number;
  /** Connects accepted so far. */
  calls: number;
  /** Connects a minute through the link, at most. */
  calls_per_minute: number;
  /** The web origins (`https://shop.example`) whose pages may use it. */
  origins: string[];
  /** The one contact it calls, when fixed. */
  contact?: string;
  /** The prefixes a visitor's number must start with (after normalization), when set. */
  contact_prefixes?: string[];
  revoked_ms?: number;
};

/** A call's history record as the API shows it (docs/history.md). */
export type HistoryDoc = Record<string, unknown> & { id: string; call_id: string; status: string };

/**
 * A stored history record: the record, its indexed fields, and the tracker's state beside it (opaque to the
 * store). `seq` breaks ties between records created in the same millisecond.
 */
export type HistoryRecord = {
  seq: number;
  account_id: string;
  clicktocall_id: string;
  created_ms: number;
  final: boolean;
  doc: HistoryDoc;
  /** The tracker's state, absent for records written before tracking. */
  state: unknown;
  /** Where the call's status events go, when somewhere. */
  status_callback?: StatusCallback;
};
