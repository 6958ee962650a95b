/**
 * Child process of the ingest bench (row 3). Mode `service`: the real ESL client, the call intake, tracker and
 * persistence on a SQLite file, wired by the runtime builder as the service wires them. Mode `baseline`: a raw
 * socket read with an eager split-and-decode of every header of the same bytes. Driven over IPC by run.ts.
 */
import crypto from 'node:crypto';
import * as net from 'node:net';
import { EslClient } from '../esl';
import { CALL_SUBSCRIPTION } from '../src/calls/subscription';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { buildRuntime } from '../src/runtime';

export type IngestSetup = {
  mode: 'service' | 'baseline';
  port: number;
  password: string;
  dbPath: string;
  accountId: string;
  calls: Array<{ callId: string; configId: string }>;
  /** Events delivered to the tracker (BACKGROUND_JOB excluded: the client routes those to job waiters). */
  channelEvents: number;
  /** Every event of the stream. */
  events: number;
};

type Msg = { type: 'setup'; setup: IngestSetup } | { type: 'go'; at: string } | { type: 'exit' };

const send = (m: object): void => {
  process.send?.(m);
};

let goAt: bigint | undefined;
let doneAt: bigint | undefined;

function finish(extra: object): void {
  doneAt = process.hrtime.bigint();
  send({ type: 'done', doneAt: String(doneAt), ...extra });
}

async function service(s: IngestSetup): Promise<void> {
  const logger = createLogger({ level: 'warn' });
  const client = new EslClient({
    host: '127.0.0.1',
    port: s.port,
    password: s.password,
    logger,
    subscription: CALL_SUBSCRIPTION,
  });
  const runtime = buildRuntime({
    config: { ...loadConfig({}), dbPath: s.dbPath },
    logger,
    esl: client,
    metrics: false,
  });
  const { store } = runtime;
  const { tracker, intake, persistence } = runtime.calls;
  const now = new Date();
  await store.unitOfWork(async (tx) => {
    if (!(await tx.accounts.get(s.accountId)))
      await tx.accounts.insert(
        { id: s.accountId, name: 'Bench', realm: 'bench.example.com', parent_id: null, context: null },
        now.toISOString(),
      );
    for (const c of s.calls) {
      if (!(await tx.clicktocalls.get(c.configId, s.accountId)))
        await tx.clicktocalls.insert({
          id: c.configId,
          account_id: s.accountId,
          doc: { name: 'Sales', extension: '2600' },
          revision: '1-a',
          now: now.toISOString(),
        });
      const { doc, state } = tracker.begin({
        account_id: s.accountId,
        clicktocall_id: c.configId,
        id: crypto.createHash('md5').update(c.callId).digest('hex'),
        call_id: c.callId,
        timestamp: 63_900_000_000,
        contact: '+15551234567',
        extension: '2600',
        dial_first: 'extension',
        created: now.toISOString(),
        custom_application_vars: {},
        requested_by: 'token',
      });
      await tx.history.insert({
        account_id: s.accountId,
        clicktocall_id: c.configId,
        created_ms: now.getTime(),
        final: false,
        doc,
        state,
      });
    }
  });
  // What runtime.start() does, without the reconciliation and sweeper timers.
  client.on('event', (event) => {
    intake.onEslEvent(event);
    if (intake.stats.events === s.channelEvents) {
      doneAt = process.hrtime.bigint();
      const stats = { ...intake.stats, updates: persistence.stats.updates };
      void store.history.openPage(0, s.calls.length + 1).then((open) =>
        send({
          type: 'done',
          doneAt: String(doneAt),
          stats,
          finals: s.calls.length - open.length,
          inFlight: tracker.inFlight,
        }),
      );
    }
  });
  client.start();
  await client.waitConnected(5000);
  send({ type: 'ready' });
}

/** Raw socket + eager header parse: framing on the blank line and Content-Length, every value decoded. */
function baseline(s: IngestSetup): void {
  const socket = net.connect({ host: '127.0.0.1', port: s.port });
  let buf: Buffer = Buffer.alloc(0);
  let authed = false;
  let events = 0;
  let headersSeen = 0;
  const BLANK = Buffer.from('\n\n');
  socket.on('data', (chunk: Buffer) => {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    for (;;) {
      const end = buf.indexOf(BLANK);
      if (end < 0) break;
      const head = buf.subarray(0, end).toString('latin1');
      const m = /Content-Length: (\d+)/.exec(head);
      const length = m ? Number(m[1]) : 0;
      if (buf.length < end + 2 + length) break;
      const body = buf.subarray(end + 2, end + 2 + length);
      buf = buf.subarray(end + 2 + length);
      if (!authed) {
        if (head.includes('auth/request')) socket.write(`auth ${s.password}\n\n`);
        else if (head.includes('+OK accepted')) {
          authed = true;
          send({ type: 'ready' });
        }
        continue;
      }
      if (!head.includes('text/event-plain')) continue;
      const bodyEnd = body.indexOf(BLANK);
      const text = body.subarray(0, bodyEnd < 0 ? body.length : bodyEnd).toString('utf8');
      const headers = new Map<string, string>();
      for (const line of text.split('\n')) {
        const sep = line.indexOf(': ');
        if (sep <= 0) continue;
        let value = line.slice(sep + 2);
        try {
          value = decodeURIComponent(value);
        } catch {
          // keep it raw
        }
        headers.set(line.slice(0, sep), value);
        headersSeen += 1;
      }
      if (headers.has('Event-Name')) events += 1;
      if (events === s.events) finish({ headersSeen });
    }
  });
}

process.on('message', (m: Msg) => {
  if (m.type === 'setup') {
    if (m.setup.mode === 'service') {
      service(m.setup).catch((err: unknown) => {
        send({ type: 'error', message: (err as Error).message });
      });
    } else {
      baseline(m.setup);
    }
  } else if (m.type === 'exit') {
    process.exit(0);
  } else if (m.type === 'go') {
    goAt = BigInt(m.at);
  }
});
void goAt;
void doneAt;
