/**
 * Row 3: ESL event ingest. The bench process holds a fake switch (for the auth handshake and the
 * subscription replies) and blasts a pre-built, capture-derived event stream at full speed to a child
 * process running the real ESL client + tracker + SQLite, then the same bytes to a raw-socket baseline.
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeSwitch } from '../fake-switch/server';
import type { IngestSetup } from './ingest-worker';
import { BENCH_ACCOUNT_ID, interleavedStream } from './lib/streams';

export type IngestResult = {
  events: number;
  calls: number;
  bytes: number;
  seconds: number;
  eventsPerS: number;
  callsPerS: number;
  mbPerS: number;
  detail: unknown;
};

const PASSWORD = 'ClueCon';

async function once(
  mode: 'service' | 'baseline',
  stream: ReturnType<typeof interleavedStream>,
  execArgv: string[],
): Promise<IngestResult> {
  const sw = new FakeSwitch({ password: PASSWORD });
  const { port } = await sw.start();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'c2c-bench-ingest-'));
  const child = fork(path.join(__dirname, 'ingest-worker.js'), [], { execArgv, stdio: 'inherit' });
  try {
    const setup: IngestSetup = {
      mode,
      port,
      password: PASSWORD,
      dbPath: path.join(dir, 'ingest.db'),
      accountId: BENCH_ACCOUNT_ID,
      calls: stream.streams.map((s) => ({ callId: s.callId, configId: s.configId })),
      channelEvents: stream.events - stream.jobEvents,
      events: stream.events,
    };
    const done = new Promise<{ doneAt: string; [k: string]: unknown }>((resolve, reject) => {
      child.on('message', (m: { type: string; doneAt: string; message?: string }) => {
        if (m.type === 'ready') {
          // Wait for the subscription to be in place (the client is connected once its filters are set).
          const at = process.hrtime.bigint();
          child.send({ type: 'go', at: String(at) });
          startAt = at;
          sw.sendRaw(stream.bytes);
        } else if (m.type === 'done') resolve(m);
        else if (m.type === 'error') reject(new Error(m.message));
      });
      child.on('exit', (code) => reject(new Error(`ingest worker exited (${String(code)})`)));
    });
    let startAt = 0n;
    child.send({ type: 'setup', setup });
    const result = await done;
    const seconds = Number(BigInt(result.doneAt) - startAt) / 1e9;
    const { doneAt: _d, type: _t, ...detail } = result;
    return {
      events: stream.events,
      calls: stream.streams.length,
      bytes: stream.bytes.length,
      seconds,
      eventsPerS: stream.events / seconds,
      callsPerS: stream.streams.length / seconds,
      mbPerS: stream.bytes.length / 1e6 / seconds,
      detail,
    };
  } finally {
    child.removeAllListeners('exit');
    // A clean exit, so that a --cpu-prof child writes its profile.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        child.kill();
        resolve();
      }, 10_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      if (child.connected) child.send({ type: 'exit' });
      else child.kill();
    });
    await sw.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the baseline and the service on the same bytes. */
export async function benchIngest(
  calls: number,
  execArgv: string[] = [],
): Promise<{ service: IngestResult; baseline: IngestResult }> {
  const configIds = Array.from({ length: 10 }, (_, i) => i.toString(16).repeat(32));
  const stream = interleavedStream(calls, 5, configIds);
  const baseline = await once('baseline', stream, []);
  const service = await once('service', stream, execArgv);
  return { service, baseline };
}

if (require.main === module) {
  const calls = Number(process.argv[2] ?? 2000);
  const prof = process.argv.includes('--prof');
  benchIngest(calls, prof ? ['--cpu-prof', '--cpu-prof-dir=bench/profiles'] : [])
    .then((r) => console.log(JSON.stringify(r, null, 2)))
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
