/**
 * One inbound ESL session: TCP connect, the `auth/request` handshake, command/reply correlation, and
 * event decoding. No reconnect logic here (see `client.ts`).
 *
 * Replies (`command/reply` and `api/response`) come back in the order the commands were sent, so
 * pending commands form a FIFO. A command that times out keeps its slot (marked abandoned) so that its
 * late reply is consumed by it and not by the next command. When the socket closes, every pending
 * command is rejected at once with {@link EslConnectionError}.
 */
import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import {
  EslAuthError,
  EslConnectionError,
  EslError,
  EslInvalidCommandError,
  EslProtocolError,
  EslTimeoutError,
} from './errors';
import { parsePlainEvent, type EslEvent } from './event';
import type { EslLogger } from './health';
import { EslParser, frameHeader, type EslFrame, type ParserLimits } from './parser';

/** Options of {@link EslConnection.open}. */
export type EslConnectionOptions = {
  host: string;
  port: number;
  password: string;
  /** Bound on TCP connect + `auth/request` + `auth` reply, in milliseconds. */
  connectTimeoutMs: number;
  logger: EslLogger;
  /** Log every frame sent and received at `debug` (the `auth` line is redacted). */
  traceWire: boolean;
  limits?: Partial<ParserLimits>;
  /** Aborts the connect/authenticate phase. */
  signal?: AbortSignal;
};

type Pending = {
  resolve: (frame: EslFrame) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout | undefined;
  abandoned: boolean;
};

/** Events of an {@link EslConnection}. */
export type EslConnectionEvents = {
  event: [EslEvent];
  close: [Error];
};

/**
 * Checks a command (or header value) before it is written: no CR/LF (command injection, capture
 * h7-newline-injection), no `mod_event_socket` (FreeSWITCH turns such a command into
 * `unload mod_event_socket`: docs/originate.md#event-socket-rewrite), not empty.
 *
 * @throws EslInvalidCommandError
 */
export function assertSafeCommand(text: string): void {
  if (typeof text !== 'string' || text.trim() === '') throw new EslInvalidCommandError('empty command');
  if (/[\r\n]/.test(text)) throw new EslInvalidCommandError('contains CR or LF');
  if (/mod_event_socket/i.test(text)) throw new EslInvalidCommandError('mentions mod_event_socket');

  if (/\x00/.test(text)) throw new EslInvalidCommandError('contains NUL');
}

/** The command as it may appear in a log line: `auth …` is redacted, the password scrubbed. */
export function redactCommand(command: string, password: string): string {
  if (/^auth\b/i.test(command) || /^userauth\b/i.test(command)) return 'auth [redacted]';
  if (password.length >= 3 && command.includes(password)) return command.split(password).join('[redacted]');
  return command;
}

/** An authenticated ESL session. Create with {@link EslConnection.open}. */
export class EslConnection extends EventEmitter<EslConnectionEvents> {
  private readonly socket: net.Socket;
  private readonly parser: EslParser;
  private readonly opts: EslConnectionOptions;
  private readonly pending: Pending[] = [];
  private closedWith: Error | undefined;
  private authWaiter: ((frame: EslFrame) => void) | undefined;

  private constructor(socket: net.Socket, opts: EslConnectionOptions) {
    super();
    this.socket = socket;
    this.opts = opts;
    this.parser = new EslParser(opts.limits);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) =>
      this.fail(new EslConnectionError(`socket error: ${err.message}`, { cause: err })),
    );
    socket.on('close', () => this.fail(new EslConnectionError('connection closed')));
  }

  /**
   * Connects and authenticates.
   *
   * @returns a connection whose `auth` was accepted
   * @throws EslAuthError when the password is refused; EslConnectionError, EslTimeoutError or
   *   EslProtocolError otherwise (the socket is destroyed in every failure case)
   */
  static open(opts: EslConnectionOptions): Promise<EslConnection> {
    return new Promise<EslConnection>((resolve, reject) => {
      const socket = net.connect({ host: opts.host, port: opts.port });
      socket.setNoDelay(true);
      const conn = new EslConnection(socket, opts);
      let settled = false;
      const finish = (err?: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        conn.off('close', onClose);
        opts.signal?.removeEventListener('abort', onAbort);
        conn.authWaiter = undefined;
        if (err) {
          conn.destroy(err);
          reject(err);
        } else {
          resolve(conn);
        }
      };
      const onClose = (err: Error): void => finish(err);
      conn.on('close', onClose);
      const onAbort = (): void => finish(new EslConnectionError('connect aborted'));
      if (opts.signal?.aborted) {
        queueMicrotask(onAbort);
      } else {
        opts.signal?.addEventListener('abort', onAbort, { once: true });
      }
      const timer = setTimeout(
        () => finish(new EslTimeoutError('connect and authenticate', opts.connectTimeoutMs)),
        opts.connectTimeoutMs,
      );
      let stage: 'request' | 'reply' = 'request';
      conn.authWaiter = (frame) => {
        if (stage === 'request') {
          if (frame.contentType !== 'auth/request') {
            finish(new EslProtocolError(`expected auth/request, got ${frame.contentType}`));
            return;
          }
          stage = 'reply';
          conn.trace('send', 'auth [redacted]');
          socket.write(`auth ${opts.password}\n\n`);
          return;
        }
        if (frame.contentType !== 'command/reply') {
          finish(new EslProtocolError(`expected command/reply to auth, got ${frame.contentType}`));
          return;
        }
        const reply = frameHeader(frame, 'Reply-Text') ?? '';
        finish(reply.startsWith('+OK') ? undefined : new EslAuthError());
      };
    });
  }

  /** True until the socket closed or the connection was destroyed. */
  get isOpen(): boolean {
    return this.closedWith === undefined;
  }

  /**
   * Sends one command and resolves with its reply frame (`command/reply` or `api/response`).
   *
   * @param command - the command line, e.g. `api status` (validated by {@link assertSafeCommand})
   * @param headers - extra header lines, e.g. `[['Job-UUID', id]]` (validated too)
   * @param timeoutMs - how long to wait for the reply
   */
  send(
    command: string,
    headers: ReadonlyArray<readonly [string, string]>,
    timeoutMs: number,
  ): Promise<EslFrame> {
    try {
      assertSafeCommand(command);
      for (const [k, v] of headers) {
        assertSafeCommand(k);
        assertSafeCommand(v);
      }
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    if (this.closedWith) return Promise.reject(new EslConnectionError('not connected'));
    return new Promise<EslFrame>((resolve, reject) => {
      const entry: Pending = { resolve, reject, timer: undefined, abandoned: false };
      entry.timer = setTimeout(() => {
        entry.abandoned = true;
        entry.timer = undefined;
        reject(new EslTimeoutError(command.split(' ', 2).join(' '), timeoutMs));
      }, timeoutMs);
      this.pending.push(entry);
      let wire = `${command}\n`;
      for (const [k, v] of headers) wire += `${k}: ${v}\n`;
      wire += '\n';
      this.trace('send', redactCommand(command, this.opts.password), { headers: headers.map(([k]) => k) });
      this.socket.write(wire);
    });
  }

  /**
   * Closes the connection: rejects every pending command with EslConnectionError and destroys the
   * socket. Idempotent.
   *
   * @param reason - why (becomes the `close` event's error)
   */
  destroy(reason: Error = new EslConnectionError('connection closed by client')): void {
    this.fail(reason);
  }

  private onData(chunk: Buffer): void {
    let frames: EslFrame[];
    try {
      frames = this.parser.push(chunk);
    } catch (err) {
      this.opts.logger.warn('esl protocol violation', { error: (err as Error).message });
      this.fail(err as Error);
      return;
    }
    for (const frame of frames) {
      if (this.closedWith) return;
      try {
        this.onFrame(frame);
      } catch (err) {
        if (err instanceof EslProtocolError) {
          this.opts.logger.warn('esl protocol violation', { error: err.message });
          this.fail(err);
          return;
        }
        this.opts.logger.error('esl frame handler failed', { error: (err as Error).message });
      }
    }
  }

  private onFrame(frame: EslFrame): void {
    if (this.opts.traceWire) {
      this.trace('recv', frame.contentType, {
        replyText: frameHeader(frame, 'Reply-Text'),
        bytes: frame.body?.length ?? 0,
      });
    }
    if (this.authWaiter) {
      this.authWaiter(frame);
      return;
    }
    switch (frame.contentType) {
      case 'command/reply':
      case 'api/response': {
        const head = this.pending.shift();
        if (!head) throw new EslProtocolError(`unsolicited ${frame.contentType}`);
        if (head.timer) clearTimeout(head.timer);
        if (!head.abandoned) head.resolve(frame);
        return;
      }
      case 'text/event-plain': {
        if (!frame.body) throw new EslProtocolError('event without body');
        const event = parsePlainEvent(frame.body);
        this.emit('event', event);
        return;
      }
      case 'text/disconnect-notice':
        this.opts.logger.info('esl disconnect notice received');
        return;
      default:
        // log/data, text/event-json, … are not subscribed to; ignore them rather than fail.
        this.opts.logger.debug('esl frame ignored', { contentType: frame.contentType });
    }
  }

  private fail(reason: Error): void {
    if (this.closedWith) return;
    this.closedWith = reason;
    const err =
      reason instanceof EslConnectionError
        ? reason
        : new EslConnectionError(`connection lost: ${reason.message}`, { cause: reason });
    for (const entry of this.pending.splice(0)) {
      if (entry.timer) clearTimeout(entry.timer);
      if (!entry.abandoned) entry.reject(err);
    }
    this.socket.destroy();
    this.emit('close', reason instanceof EslError ? reason : err);
  }

  private trace(direction: 'send' | 'recv', what: string, meta: object = {}): void {
    if (!this.opts.traceWire) return;
    this.opts.logger.debug(`esl ${direction}`, { ...meta, what: redactCommand(what, this.opts.password) });
  }
}
