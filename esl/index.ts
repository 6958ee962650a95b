/**
 * The public surface of the ESL layer. Nothing else under `esl/` is imported from outside.
 *
 * @example
 * ```ts
 * const subscription = { events: ['CHANNEL_ANSWER', 'BACKGROUND_JOB'], filters: [] };
 * const esl = new EslClient({ host: '127.0.0.1', port: 8021, password, logger, subscription });
 * esl.on('event', (e) => tracker.onEvent(e));
 * esl.start();
 * const { jobUuid } = await esl.bgapi(originateArgs, { timeoutMs: 5000 });
 * const job = await esl.waitForJob(jobUuid, { timeoutMs: 60_000 });
 * ```
 */
export {
  EslClient,
  jobResultOf,
  type EslClientOptions,
  type EslClientEvents,
  type EslSubscription,
  type CommandOptions,
  type BgapiOptions,
  type BgapiAccepted,
  type EslJobResult,
} from './client';
export { type EslEvent, parsePlainEvent, percentDecode } from './event';
export { type EslHealth, type EslLogger, silentLogger } from './health';
export { type BackoffOptions, DEFAULT_BACKOFF, backoffDelay } from './backoff';
export { EslParser, frameHeader, DEFAULT_PARSER_LIMITS, type EslFrame, type ParserLimits } from './parser';
export { assertSafeCommand, redactCommand } from './connection';
export {
  buildOriginate,
  escapeChannelValue,
  channelValueProblem,
  routeProblem,
  OriginateInputError,
  type OriginateSpec,
  type OriginateVar,
} from './originate';
export {
  EslError,
  EslConnectionError,
  EslTimeoutError,
  EslProtocolError,
  EslAuthError,
  EslInvalidCommandError,
  EslCommandError,
  isConnectionError,
  isRecoverable,
  type EslErrorCode,
} from './errors';
