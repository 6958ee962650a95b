/**
 * Health of the ESL link and the logger interface the ESL layer writes to.
 */
import type { EslErrorCode } from './errors';

/** Snapshot of the link's health, readable synchronously via `EslClient.health`. */
export type EslHealth = {
  /** True once authenticated and subscribed; false while connecting, backing off or closed. */
  readonly connected: boolean;
  /** When `connected` last changed (or when the client was created). */
  readonly since: Date;
  /**
   * The last failure, as a short message without secrets (absent until the first failure, and after
   * {@link EslClient.close}: a deliberate close is no failure).
   */
  readonly lastError?: string;
  /** The {@link EslError} code of the last failure when it was one, e.g. `ESL_AUTH` for a refused password. */
  readonly lastErrorCode?: EslErrorCode;
  /** Number of successful connections after the first one. */
  readonly reconnects: number;
};

/**
 * Logger the ESL layer writes to (winston-compatible, but `esl/` depends on no logging library).
 * Messages are short and fixed; variables go in `meta`. The ESL password never appears in either.
 */
export type EslLogger = {
  debug(msg: string, meta?: object): void;
  info(msg: string, meta?: object): void;
  warn(msg: string, meta?: object): void;
  error(msg: string, meta?: object): void;
};

/** A logger that drops everything (the default). */
export const silentLogger: EslLogger = Object.freeze({
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
});
