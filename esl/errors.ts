/**
 * Typed errors of the ESL layer.
 *
 * Every error thrown or rejected by `esl/` is an {@link EslError}; callers branch on the class (or on
 * {@link isConnectionError}) and never on message text. No error message ever contains the ESL password.
 */

/** Stable machine-readable codes of {@link EslError}. */
export type EslErrorCode =
  | 'ESL_CONNECTION'
  | 'ESL_TIMEOUT'
  | 'ESL_PROTOCOL'
  | 'ESL_AUTH'
  | 'ESL_INVALID_COMMAND'
  | 'ESL_COMMAND_FAILED';

/** Base class of every error raised by the ESL layer. */
export class EslError extends Error {
  /** Stable code, one per subclass. */
  readonly code: EslErrorCode;

  /**
   * @param code - stable code of the subclass
   * @param message - human-readable message (never contains secrets)
   * @param options - optional `cause`
   */
  constructor(code: EslErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * The link to FreeSWITCH is down, dropped while the command was pending, or was never up: the command
 * was not sent, or its outcome is unknown. Retrying later (after reconnect) may succeed.
 */
export class EslConnectionError extends EslError {
  /** @param message - what happened, e.g. `not connected` or `connection lost` */
  constructor(message: string, options?: { cause?: unknown }) {
    super('ESL_CONNECTION', message, options);
  }
}

/** No reply arrived within the command's timeout. The link itself may still be up. */
export class EslTimeoutError extends EslError {
  /** How long the command waited, in milliseconds. */
  readonly timeoutMs: number;

  /**
   * @param what - short description of what timed out (e.g. `api status`), never the full command
   * @param timeoutMs - the timeout that elapsed
   */
  constructor(what: string, timeoutMs: number) {
    super('ESL_TIMEOUT', `${what}: no reply within ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}

/**
 * The peer violated the ESL wire protocol (garbage frame, absurd `Content-Length`, missing
 * `Content-Type`, …). The connection that produced it is closed and re-established.
 */
export class EslProtocolError extends EslError {
  /** @param message - what was wrong with the frame */
  constructor(message: string) {
    super('ESL_PROTOCOL', message);
  }
}

/** FreeSWITCH refused the password (`-ERR invalid`). The client keeps retrying with backoff. */
export class EslAuthError extends EslError {
  constructor() {
    super('ESL_AUTH', 'authentication refused by FreeSWITCH');
  }
}

/**
 * The command was refused locally, before anything was written to the socket: it contains CR or LF
 * (ESL command injection), contains `mod_event_socket` (FreeSWITCH rewrites such commands into
 * `unload mod_event_socket`), or is empty.
 */
export class EslInvalidCommandError extends EslError {
  /** @param reason - why the command was refused (the command text itself is not included) */
  constructor(reason: string) {
    super('ESL_INVALID_COMMAND', `command refused: ${reason}`);
  }
}

/** FreeSWITCH answered a command with `-ERR …` in a `command/reply` (e.g. a rejected `bgapi`). */
export class EslCommandError extends EslError {
  /** The `Reply-Text` FreeSWITCH sent, e.g. `-ERR command not found`. */
  readonly replyText: string;

  /** @param replyText - the `Reply-Text` header of the reply */
  constructor(replyText: string) {
    super('ESL_COMMAND_FAILED', `FreeSWITCH replied ${replyText}`);
    this.replyText = replyText;
  }
}

/**
 * True when `err` means "the switch is not reachable right now" (not connected, link dropped, or no
 * reply in time): the service maps this to 503 `switch_unavailable`.
 */
export function isConnectionError(err: unknown): boolean {
  return err instanceof EslConnectionError || err instanceof EslTimeoutError;
}

/** True when retrying the same command later may succeed (connection and timeout errors). */
export function isRecoverable(err: unknown): boolean {
  return isConnectionError(err);
}
