/**
 * `npm run demo` as a new user runs it: the fake switch, the service and a webhook receiver start, a call is placed,
 * and its signed status events arrive and verify. The secret itself is never printed. Its shop page (src/demo-shop.ts)
 * carries a link's "call me" widget.
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
    const [port, eslPort, receiverPort, shopPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const child = spawn(process.execPath, [DEMO], {
      env: {
        ...process.env,
        DB_PATH: path.join(dir, 'demo.db'),
        PORT: String(port),
        ESL_PORT: String(eslPort),
        DEMO_RECEIVER_PORT: String(receiverPort),
        DEMO_SHOP_PORT: String(shopPort),
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

      const shopUrl = `http://127.0.0.1:${shopPort}/`;
      await pollUntil(
        'the shop page announced',
        () => output.includes(`open ${shopUrl} to try the call-me widget`),
        {
          timeoutMs: 5_000,
          intervalMs: 50,
        },
      );
      const shop = await fetch(shopUrl);
      expect(shop.status).to.equal(200);
      const html = await shop.text();
      const widget = `http://127.0.0.1:${port}/widget/click-to-call.js`;
      expect(html).to.include(`<script src="${widget}" defer></script>`);
      expect(html).to.match(/<click-to-call link="[\w.-]+"><\/click-to-call>/);
      const script = await fetch(widget);
      expect(script.status).to.equal(200);
      expect(await script.text()).to.include("customElements.define('click-to-call'");
    } finally {
      await stopService(child);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
