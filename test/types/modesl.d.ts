/**
 * Type declarations for modesl 1.2.1 (which ships none), limited to what its `lib/esl/*.js` really do.
 *
 * The production client (`esl/client.ts`) does not run modesl's Connection or Parser, because of a
 * throwing `decodeURIComponent` in its data handler, an automatic
 * `event json BACKGROUND_JOB CHANNEL_EXECUTE_COMPLETE` subscription after `auth`, `CHANNEL_EXECUTE_COMPLETE`
 * appended to every `events()` call, the bgapi `command/reply` dropped, no reconnect and no limits.
 * These declarations serve the compatibility test (test/esl/modesl-compat.test.ts) that drives the fake
 * switch with modesl, a development dependency only: they live under test/ so that esl/ needs nothing.
 */
declare module 'modesl' {
  import { EventEmitter } from 'node:events';
  import type { Socket } from 'node:net';

  /** An ESL event or reply, as modesl decodes it (header values already URL-decoded). */
  export class Event {
    constructor(type: string, subclass?: string);
    constructor(headers: Record<string, string | number>, body?: string);
    type: string;
    subclass: string | undefined;
    body: string;
    headers: Array<{ name: string; value: string }>;
    getHeader(name: string): string | null;
    addHeader(name: string, value: string): void;
    delHeader(name: string): void;
    getBody(): string;
    getType(): string;
    addBody(value: string): void;
    serialize(format?: 'plain' | 'json' | 'xml'): string;
  }

  /** Callback receiving the reply event. */
  export type EventCallback = (event: Event) => void;

  /**
   * modesl's connection, an EventEmitter2 with `::` as the wildcard delimiter. Emits `esl::ready`
   * after a successful `auth`, `esl::event::auth::fail`, `esl::end`, `error`, and
   * `esl::event::<EVENT-NAME>::<uuid>` for events.
   */
  export class Connection extends EventEmitter {
    /** Inbound: connects to host:port and answers `auth/request` with `auth <password>`. */
    constructor(host: string, port: number, password: string, readyCallback?: () => void);
    /** Outbound: wraps a socket that FreeSWITCH opened to us. */
    constructor(socket: Socket, readyCallback?: () => void);
    socket: Socket | null;
    authed: boolean;
    connected(): boolean;
    /** Writes `command\n`, then `key: value\n` per arg, then `\n`. No reply tracking. */
    send(command: string, args?: Record<string, string>): void;
    /** {@link Connection.send} + the next `command/reply` (FIFO). */
    sendRecv(command: string, args: Record<string, string> | null, cb?: EventCallback): void;
    sendRecv(command: string, cb?: EventCallback): void;
    /** `api <command> <args>`; `cb` gets the next `api/response` (FIFO). */
    api(command: string, args: string | string[], cb?: EventCallback): void;
    api(command: string, cb?: EventCallback): void;
    /**
     * `bgapi <command> <args>` with header `Job-UUID: <jobid>`. `cb` gets the BACKGROUND_JOB event,
     * not the `command/reply`. Pass `jobid`: without it modesl calls `require('uuid').v4()`.
     */
    bgapi(command: string, args: string | string[], jobid: string, cb?: EventCallback): void;
    bgapi(command: string, args: string | string[], cb?: EventCallback): void;
    bgapi(command: string, cb?: EventCallback): void;
    /** `event <type> <events…>`, with `BACKGROUND_JOB CHANNEL_EXECUTE_COMPLETE` appended unless `all`. */
    events(type: 'plain' | 'json' | 'xml', events: string | string[], cb?: EventCallback): void;
    filter(header: string, value: string, cb?: EventCallback): void;
    filterDelete(header: string, value?: string, cb?: EventCallback): void;
    subscribe(events: string | string[], cb?: EventCallback): void;
    disconnect(): void;
  }

  /** modesl's outbound server (FreeSWITCH connects to us). */
  export class Server extends EventEmitter {
    constructor(
      opts: { host?: string; port: number; server?: unknown; myevents?: boolean },
      readyCb?: () => void,
    );
    close(callback?: () => void): void;
  }

  /** modesl's internal parser: frames from a socket, emitted as `esl::event`. */
  export class Parser extends EventEmitter {
    constructor(socket: Socket);
  }

  export function setLogLevel(level: number): void;
  export function eslSetLogLevel(level: number): void;
}
