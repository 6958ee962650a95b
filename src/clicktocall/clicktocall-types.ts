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
