/**
 * SIP phones for the live tier: one SIPp process per phone, playing a scenario of `test/live/sipp/`, with
 * `-trace_msg` so that every SIP message the phone sees can be read back (the INVITE's caller id and headers).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { SIPP_SCENARIOS } from './package';

/** `answer`: rings 200 ms, answers, waits for BYE. `answer-bye`: the same, then sends BYE after `holdMs`.
 * `ring`: rings until cancelled. */
export type PhoneScenario = 'answer' | 'answer-bye' | 'ring';

export type PhoneOptions = {
  name: string;
  port: number;
  mediaPort: number;
  scenario: PhoneScenario;
  /** How long `answer-bye` stays in the call before hanging up (ms). */
  holdMs?: number;
  /** Folder for the message trace. */
  dir: string;
};

/** One SIP message as the phone's trace shows it. */
export type SipMessage = {
  direction: 'received' | 'sent';
  /** The first line: `INVITE sip:… SIP/2.0`, `SIP/2.0 180 Ringing`. */
  startLine: string;
  /** Header lines by lower-case name, in order (a name may repeat). */
  headers: Array<[string, string]>;
  text: string;
};

/** Splits a SIPp `-trace_msg` file into messages. */
export function parseSippTrace(trace: string): SipMessage[] {
  const out: SipMessage[] = [];
  for (const block of trace.split(/^-{20,} .*$/m)) {
    const m = /^\s*\w+ message (received|sent)[^\n]*\n\n([\s\S]*)$/.exec(block);
    if (!m) continue;
    const text = (m[2] ?? '').replace(/\s+$/, '');
    const [head = ''] = text.split(/\r?\n\r?\n/, 1);
    const [startLine = '', ...lines] = head.split(/\r?\n/);
    const headers: Array<[string, string]> = [];
    for (const line of lines) {
      const i = line.indexOf(':');
      if (i > 0) headers.push([line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim()]);
    }
    out.push({ direction: m[1] as 'received' | 'sent', startLine, headers, text });
  }
  return out;
}

export const header = (msg: SipMessage, name: string): string | undefined =>
  msg.headers.find(([k]) => k === name.toLowerCase())?.[1];

export class Phone {
  readonly name: string;
  readonly port: number;
  private readonly child: ChildProcess;
  private readonly traceFile: string;
  private readonly errorFile: string;
  private output = '';

  private constructor(opts: PhoneOptions, child: ChildProcess) {
    this.name = opts.name;
    this.port = opts.port;
    this.child = child;
    this.traceFile = path.join(opts.dir, `${opts.name}.msg`);
    this.errorFile = path.join(opts.dir, `${opts.name}.err`);
    child.stderr?.on('data', (c: Buffer) => (this.output += c.toString()));
  }

  /** Starts SIPp on 127.0.0.1:`port` and resolves once it listens (or rejects with what it printed). */
  static async start(opts: PhoneOptions): Promise<Phone> {
    const traceFile = path.join(opts.dir, `${opts.name}.msg`);
    const args = [
      '-sf',
      path.join(SIPP_SCENARIOS, `${opts.scenario}.xml`),
      '-i',
      '127.0.0.1',
      '-p',
      String(opts.port),
      '-mp',
      String(opts.mediaPort),
      '-nostdin',
      // Answer NOTIFY, INFO and UPDATE with 200 as a phone does: an auto-answer INVITE is followed by a NOTIFY
      // (Event: talk) while the phone rings (docs/originate.md#auto-answer).
      '-aa',
      '-trace_msg',
      '-message_file',
      traceFile,
      '-trace_err',
      '-error_file',
      path.join(opts.dir, `${opts.name}.err`),
      ...(opts.holdMs === undefined ? [] : ['-d', String(opts.holdMs)]),
    ];
    const child = spawn('sipp', args, { stdio: ['ignore', 'ignore', 'pipe'], cwd: opts.dir });
    const phone = new Phone(opts, child);
    await new Promise<void>((resolve, reject) => {
      // SIPp has no "ready" line without a screen: it is listening once it created its trace file.
      const timer = setInterval(() => {
        if (fs.existsSync(traceFile)) {
          clearInterval(timer);
          resolve();
        }
      }, 20);
      child.once('exit', (code) => {
        clearInterval(timer);
        reject(new Error(`sipp ${opts.name} exited ${String(code)}: ${phone.output}`));
      });
    });
    return phone;
  }

  /** Every SIP message the phone saw or sent so far. */
  messages(): SipMessage[] {
    return parseSippTrace(fs.existsSync(this.traceFile) ? fs.readFileSync(this.traceFile, 'utf8') : '');
  }

  /** The INVITEs this phone received whose headers include `name: value`. */
  invitesWith(name: string, value: string): SipMessage[] {
    return this.messages().filter(
      (m) => m.direction === 'received' && m.startLine.startsWith('INVITE ') && header(m, name) === value,
    );
  }

  /** SIPp's own error log (unexpected messages, retransmission timeouts). */
  errors(): string {
    return fs.existsSync(this.errorFile) ? fs.readFileSync(this.errorFile, 'utf8') : '';
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        resolve();
        return;
      }
      this.child.once('exit', () => resolve());
      this.child.kill('SIGKILL');
    });
  }
}
