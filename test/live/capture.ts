/**
 * `npm run capture:live -- <name> [--extension N] [--contact N] [--timeout S] [--dial-first contact]`: re-takes a
 * recording from the live switch. Starts the packaged FreeSWITCH (FREESWITCH_PACKAGE) with the live tier's phones
 * and routes, opens one event socket session subscribed to `event plain ALL`, sends the originate this service
 * builds for that configuration, and writes the session, byte for byte, in the capture format of
 * test/fixtures/esl/ (`##ESL-CAPTURE v1`) to test/fixtures/esl/<name>.plain.txt once every leg of the call is gone.
 *
 * One edit is made to what the switch sent: the four headers that name the machine (FreeSWITCH-Hostname,
 * -Switchname, -IPv4, -IPv6) get the values of the other captures (switch.example, 127.0.0.1, ::1), with the
 * event's Content-Length recomputed, so that no machine's name or address lands in the repository.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { buildOriginateRequest } from '../../src/clicktocall/originate-request';
import type { ClickToCallDoc } from '../../src/domain';
import { LiveSwitch } from './support/freeswitch';
import { livePackage, missingForLive } from './support/package';
import { freeTcpPort, freeUdpPort } from './support/ports';
import { LIVE_ROUTES, livePhones, stopAll, workDir } from './support/rig';

const FIXTURES = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'esl');

const MACHINE_HEADERS: Record<string, string> = {
  'FreeSWITCH-Hostname': 'switch.example',
  'FreeSWITCH-Switchname': 'switch.example',
  'FreeSWITCH-IPv4': '127.0.0.1',
  'FreeSWITCH-IPv6': '%3A%3A1',
};

export type CaptureOptions = {
  name: string;
  extension: string;
  contact: string;
  timeout?: number;
  dialFirst?: 'extension' | 'contact';
};

/** The switch's machine-naming headers of a text/event-plain message replaced (Content-Length kept true). */
export function anonymize(message: Buffer): Buffer {
  const sep = message.indexOf('\n\n');
  const outer = message.subarray(0, sep).toString('utf8');
  if (!/^Content-Type: text\/event-plain$/m.test(outer)) return message;
  const body = message
    .subarray(sep + 2)
    .toString('utf8')
    .replace(
      /^(FreeSWITCH-(?:Hostname|Switchname|IPv4|IPv6)): .*$/gm,
      (_m, k: string) => `${k}: ${MACHINE_HEADERS[k] ?? ''}`,
    );
  const head = outer.replace(/^Content-Length: \d+$/m, `Content-Length: ${Buffer.byteLength(body)}`);
  return Buffer.from(`${head}\n\n${body}`);
}

/** Splits the byte stream of an event socket into whole messages (header block, then Content-Length bytes). */
class Framer {
  private buf = Buffer.alloc(0);
  push(chunk: Buffer): Buffer[] {
    this.buf = Buffer.concat([this.buf, chunk]);
    const out: Buffer[] = [];
    for (;;) {
      const sep = this.buf.indexOf('\n\n');
      if (sep < 0) return out;
      const m = /^Content-Length: (\d+)$/m.exec(this.buf.subarray(0, sep).toString('utf8'));
      const end = sep + 2 + (m ? Number(m[1]) : 0);
      if (this.buf.length < end) return out;
      out.push(this.buf.subarray(0, end));
      this.buf = this.buf.subarray(end);
    }
  }
}

export async function captureCall(opts: CaptureOptions, sw: LiveSwitch): Promise<string> {
  const configId = randomBytes(16).toString('hex');
  const callId = `c2c-${configId}-${randomBytes(5).toString('hex')}`;
  const config = {
    id: configId,
    name: 'Sales',
    extension: opts.extension,
    ...(opts.timeout !== undefined && { timeout: opts.timeout }),
    ...(opts.dialFirst !== undefined && { dial_first: opts.dialFirst }),
  } as ClickToCallDoc;
  const account = {
    id: randomBytes(16).toString('hex'),
    name: 'Capture',
    realm: 'capture.example.com',
    parent_id: null,
    context: null,
  };
  const { command } = buildOriginateRequest({
    config,
    account,
    context: 'default',
    contact: opts.contact,
    requestVars: {},
    callId,
  });
  const jobUuid = randomUUID();

  const lines: Buffer[] = [];
  const started = process.hrtime.bigint();
  const t = (): string => (Number(process.hrtime.bigint() - started) / 1e9).toFixed(6);
  const record = (kind: '<<< RECV' | '>>> SENT', bytes: Buffer): void => {
    lines.push(Buffer.from(`##ESL-CAPTURE ${kind} t=${t()} len=${bytes.length}\n`), bytes, Buffer.from('\n'));
  };
  const { eslPort, password } = sw.settings;
  lines.push(
    Buffer.from(
      `##ESL-CAPTURE v1 connected to 127.0.0.1:${eslPort} at ${new Date().toISOString().replace(/\.\d+Z$/, '+00:00')} scenario=${opts.name} format=plain\n`,
    ),
  );
  const socket = net.connect({ host: '127.0.0.1', port: eslPort });
  const framer = new Framer();
  const created = new Set<string>();
  const gone = new Set<string>();
  let jobDone = false;
  let step = 0;
  const send = (text: string): void => {
    const bytes = Buffer.from(text);
    record('>>> SENT', bytes);
    socket.write(bytes);
  };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the call did not end within 90 s')), 90_000);
    let finishing = false;
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.on('data', (chunk: Buffer) => {
      for (const raw of framer.push(chunk)) {
        const message = anonymize(raw);
        record('<<< RECV', message);
        const text = message.toString('utf8');
        if (step === 0 && text.startsWith('Content-Type: auth/request')) {
          step = 1;
          send(`auth ${password}\n\n`);
        } else if (step === 1 && text.includes('Reply-Text: +OK accepted')) {
          step = 2;
          send('event plain ALL\n\n');
        } else if (step === 2 && text.includes('+OK event listener enabled')) {
          step = 3;
          send(`bgapi ${command}\nJob-UUID: ${jobUuid}\n\n`);
        } else if (step === 3) {
          const name = /^Event-Name: (\w+)$/m.exec(text)?.[1];
          const uuid = /^Unique-ID: (\S+)$/m.exec(text)?.[1];
          const ours = new RegExp(`^variable_c2c_call_id: ${callId}$`, 'm').test(text);
          if (name === 'BACKGROUND_JOB' && text.includes(`Job-UUID: ${jobUuid}`)) jobDone = true;
          if (ours && uuid && name === 'CHANNEL_CREATE') created.add(uuid);
          if (ours && uuid && name === 'CHANNEL_DESTROY') gone.add(uuid);
          if (!finishing && jobDone && created.size > 0 && [...created].every((u) => gone.has(u))) {
            finishing = true;
            // a last second for what follows the call (the job, late events), then the session ends
            setTimeout(() => send('exit\n\n'), 1000);
          }
        }
      }
    });
  });
  const file = path.join(FIXTURES, `${opts.name}.plain.txt`);
  fs.writeFileSync(file, Buffer.concat(lines));
  return file;
}

function parseArgs(argv: string[]): CaptureOptions {
  const [name, ...rest] = argv;
  if (!name || !/^[a-z0-9][a-z0-9-]*$/.test(name))
    throw new Error(
      'usage: capture:live -- <name> [--extension N] [--contact N] [--timeout S] [--dial-first contact]',
    );
  const flags = new Map<string, string>();
  for (let i = 0; i < rest.length; i += 2) flags.set(rest[i] ?? '', rest[i + 1] ?? '');
  const timeout = flags.get('--timeout');
  const dialFirst = flags.get('--dial-first');
  return {
    name,
    extension: flags.get('--extension') ?? '1000',
    contact: flags.get('--contact') ?? '+15552223333',
    ...(timeout !== undefined && { timeout: Number(timeout) }),
    ...(dialFirst === 'contact' && { dialFirst: 'contact' as const }),
  };
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const pkg = livePackage();
  if (!pkg) throw new Error('set FREESWITCH_PACKAGE to the folder of the packaged FreeSWITCH');
  const missing = missingForLive(pkg);
  if (missing.length > 0) throw new Error(`missing: ${missing.join(', ')}`);
  const sw = new LiveSwitch(pkg, path.join(workDir('c2c-capture-'), 'freeswitch'), {
    eslPort: await freeTcpPort(),
    sipPort: await freeUdpPort(),
    password: 'ClueCon',
  });
  try {
    await sw.start();
    await sw.addDefaultRoutes('00-fs-clicktocall-live.xml', LIVE_ROUTES);
    await livePhones();
    const file = await captureCall(opts, sw);
    process.stdout.write(`${file}\n`);
  } finally {
    await sw.stop();
    await stopAll();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`capture:live: ${(err as Error).message}\n`);
    process.exitCode = 1;
  });
}
