/**
 * The service under test, as a production install runs it (`node dist/src/main.js`), and a small client of
 * its API: a token from the first account's API key, configurations, connects, records, hang-ups.
 */
import type { ChildProcess } from 'node:child_process';
import { startService, stopService, tokenFor } from '../../support/service-process';
import { pollUntil } from '../../support/poll';

export type Answer = { status: number; body: Record<string, unknown> & { data?: unknown } };

/** A history record as the API renders it (the fields the live tests read). */
export type CallRecord = {
  call_id: string;
  status: string;
  result?: string;
  cause?: string;
  hangup_cause?: string;
  hung_up_by?: string;
  answered_at?: string;
  bridged_at?: string;
  ended_at?: string;
  legs: Record<
    string,
    {
      uuid?: string;
      destination?: string;
      answered_at?: string;
      ended_at?: string;
      hangup_cause?: string;
      sip_status?: string;
    }
  >;
  [key: string]: unknown;
};

export const FINAL_STATUSES = new Set(['completed', 'busy', 'no_answer', 'failed', 'canceled']);

export class ServiceClient {
  readonly base: string;
  readonly accountId: string;
  private readonly token: string;
  private readonly child: ChildProcess;
  private readonly out: () => string;

  private constructor(p: {
    base: string;
    accountId: string;
    token: string;
    child: ChildProcess;
    output: () => string;
  }) {
    this.base = p.base;
    this.accountId = p.accountId;
    this.token = p.token;
    this.child = p.child;
    this.out = p.output;
  }

  /** Starts the service process on an empty database and takes a token for its first account. */
  static async start(env: Record<string, string>): Promise<ServiceClient> {
    const proc = await startService(env);
    if (!proc.accountId || !proc.apiKey) throw new Error(`no first account printed:\n${proc.output()}`);
    const token = await tokenFor(proc.base, proc.apiKey);
    return new ServiceClient({
      base: proc.base,
      accountId: proc.accountId,
      token,
      child: proc.child,
      output: proc.output,
    });
  }

  /** Everything the process printed so far (JSON log lines). */
  output(): string {
    return this.out();
  }

  /** The log lines (parsed) whose message matches. */
  logLines(message: RegExp): Array<Record<string, unknown>> {
    return this.out()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => message.test(String(l['message'])));
  }

  async request(method: string, path: string, body?: unknown, auth = true): Promise<Answer> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        ...(auth && { 'X-Auth-Token': this.token }),
        ...(body !== undefined && { 'Content-Type': 'application/json' }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Answer['body'] };
  }

  private get account(): string {
    return `/v2/accounts/${this.accountId}`;
  }

  async createConfig(data: Record<string, unknown>): Promise<string> {
    const res = await this.request('PUT', `${this.account}/clicktocall`, { data });
    if (res.status !== 201) throw new Error(`create: ${res.status} ${JSON.stringify(res.body)}`);
    return (res.body.data as { id: string }).id;
  }

  /** `POST …/connect` with the body's `data` (contact, custom_application_vars, blocking). */
  connect(configId: string, data: Record<string, unknown>): Promise<Answer> {
    return this.request('POST', `${this.account}/clicktocall/${configId}/connect`, { data });
  }

  /** A non-blocking connect that must be accepted; resolves with the call id. */
  async place(configId: string, contact: string, extra: Record<string, unknown> = {}): Promise<string> {
    const res = await this.connect(configId, { contact, ...extra });
    if (res.status !== 202) throw new Error(`connect: ${res.status} ${JSON.stringify(res.body)}`);
    return (res.body.data as { call_id: string }).call_id;
  }

  async record(configId: string, callId: string): Promise<CallRecord> {
    const res = await this.request('GET', `${this.account}/clicktocall/${configId}/history/${callId}`);
    if (res.status !== 200) throw new Error(`record: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.data as CallRecord;
  }

  /** Polls the record until `accept` says yes. */
  waitRecord(
    configId: string,
    callId: string,
    what: string,
    accept: (r: CallRecord) => boolean,
    timeoutMs = 15_000,
  ): Promise<CallRecord> {
    return pollUntil(
      `${callId} ${what}`,
      async () => {
        const r = await this.record(configId, callId);
        return accept(r) ? r : undefined;
      },
      { timeoutMs, intervalMs: 100 },
    );
  }

  waitFinal(configId: string, callId: string, timeoutMs = 15_000): Promise<CallRecord> {
    return this.waitRecord(configId, callId, 'final', (r) => FINAL_STATUSES.has(r.status), timeoutMs);
  }

  /** Kazoo's channel action: hang up a call of the account. */
  hangup(callId: string): Promise<Answer> {
    return this.request('POST', `${this.account}/channels/${callId}`, { data: { action: 'hangup' } });
  }

  async health(): Promise<number> {
    return (await fetch(`${this.base}/health`)).status;
  }

  /** Waits until `/health` answers 200 (the switch link is up). */
  async waitHealthy(timeoutMs = 15_000): Promise<void> {
    await pollUntil('the service healthy', async () => (await this.health()) === 200, {
      timeoutMs,
      intervalMs: 50,
    });
  }

  async stop(): Promise<number | string | null> {
    return stopService(this.child);
  }
}
