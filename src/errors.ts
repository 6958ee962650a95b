import { StoreBusyError } from './store/ports';

/**
 * The one error catalogue. Every error the service answers with is an AppError whose `code` is one of
 * these entries; src/http/error-handler.ts is the only place that turns them into HTTP answers.
 * `message` is Kazoo's error message (the envelope's `message`); `status` is the HTTP code.
 */
export const ERROR_CATALOGUE = {
  validation: { status: 400, message: 'validation error' },
  invalid_body: { status: 400, message: 'invalid request body' },
  contact_not_whitelisted: { status: 400, message: "Contact doesn't match whitelist" },
  invalid_credentials: { status: 401, message: 'invalid_credentials' },
  forbidden: { status: 403, message: 'forbidden' },
  bad_identifier: { status: 404, message: 'bad_identifier' },
  not_found: { status: 404, message: 'not_found' },
  invalid_method: { status: 405, message: 'invalid_method' },
  link_gone: { status: 410, message: 'gone' },
  precondition_failed: { status: 412, message: 'precondition_failed' },
  payload_too_large: { status: 413, message: 'payload_too_large' },
  unsupported_media_type: { status: 415, message: 'unsupported_media_type' },
  too_many_requests: { status: 429, message: 'too_many_requests' },
  internal: { status: 500, message: 'internal_error' },
  originate_failed: { status: 502, message: 'originate_failed' },
  switch_unavailable: { status: 503, message: 'switch_unavailable' },
  unhealthy: { status: 503, message: 'unhealthy' },
  storage_busy: { status: 503, message: 'storage_busy' },
} as const;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** Per-field validation details, Kazoo's shape: `{ "<path>": { "<rule>": { message, value? } } }`. */
/** `data.<path>.<rule>` of a validation error: Kazoo's entry (`target` and `cause` as its validator gives them). */
export type ValidationDetails = Record<
  string,
  Record<string, { message: string; target?: unknown; cause?: unknown; value?: unknown }>
>;

/** An error the service means to answer with. `data` is the envelope's `data`; `headers` go on the answer. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly data: unknown;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    code: ErrorCode,
    data?: unknown,
    options?: { headers?: Record<string, string>; cause?: unknown; message?: string },
  ) {
    super(options?.message ?? ERROR_CATALOGUE[code].message, { cause: options?.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_CATALOGUE[code].status;
    this.data = data;
    this.headers = options?.headers ?? {};
  }
}

export const validationError = (details: ValidationDetails): AppError => new AppError('validation', details);

export const fieldError = (path: string, rule: string, message: string, value?: unknown): AppError =>
  validationError({ [path]: { [rule]: value === undefined ? { message } : { message, value } } });

export const badIdentifier = (id: string): AppError =>
  new AppError('bad_identifier', { cause: id, message: 'bad identifier' });

export const invalidCredentials = (): AppError =>
  new AppError('invalid_credentials', { message: 'invalid credentials' });

export const forbidden = (): AppError => new AppError('forbidden', { message: 'forbidden' });

/** A public link that no longer works: `expired`, `revoked` or `used_up` (docs/links.md#when-a-link-stops). */
export const linkGone = (reason: 'expired' | 'revoked' | 'used_up'): AppError =>
  new AppError('link_gone', {
    reason,
    message:
      reason === 'expired'
        ? 'this link has expired'
        : reason === 'revoked'
          ? 'this link was revoked'
          : 'this link has placed all the calls it may',
  });

export const preconditionFailed = (message: string): AppError =>
  new AppError('precondition_failed', { message });

/**
 * The catalogue's error for an error of a layer below the services (the store), or undefined: the error
 * handler answers these as it answers an AppError.
 */
export function fromLowerLayer(err: unknown): AppError | undefined {
  if (err instanceof StoreBusyError)
    return new AppError(
      'storage_busy',
      { message: 'the database is busy; try again shortly' },
      { headers: { 'Retry-After': '1' }, cause: err },
    );
  return undefined;
}
