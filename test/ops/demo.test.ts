/**
 * `npm run demo` as a new user runs it: the fake switch, the service and a webhook receiver start, a call is placed,
 * and its signed status events arrive and verify. The secret itself is never printed.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { pollUntil } from '../support/poll';
import { stopService } from '../support/service-process';

const DEMO = path.resolve(__dirname, '../../src/demo.js');

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });

describe('npm run demo', function () {
  this.timeout(30_000);

  it('when run, then a call is placed and its status events arrive at the receiver, each signature verified', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'c2c-demo-'));
    const [port, eslPort, receiverPort] = [await freePort(), await freePort(), await freePort()];
    const child = spawn(process.execPath, [DEMO], {
      env: {
        ...process.env,
        DB_PATH: path.join(dir, 'demo.db'),
        PORT: String(port),
        ESL_PORT: String(eslPort),
        DEMO_RECEIVER_PORT: String(receiverPort),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    try {
      await pollUntil(
        'the completed event verified',
        () => /call\.completed #4 of c2c-\S+: signature verified/.test(output),
        {
          timeoutMs: 25_000,
          intervalMs: 100,
        },
      );
      const received = output.split('\n').filter((l) => l.startsWith('[receiver]'));
      expect(received.map((l) => /(call\.\w+) #(\d)/.exec(l)?.slice(1).join(' '))).to.deep.equal([
        'call.ringing 1',
        'call.answered 2',
        'call.connected 3',
        'call.completed 4',
      ]);
      expect(output).to.not.match(/whsec_/);
    } finally {
      await stopService(child);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
