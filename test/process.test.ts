import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { pollUntil } from './support/poll';

const MAIN = path.resolve(__dirname, '../src/main.js');

/** Starts the real service process; resolves once it logged `listening`, with its port and output so far. */
function start(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; port: number; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    // A deadline for "eventually": a start takes well under a second when idle, a few on a loaded 2-core machine.
    const timer = setTimeout(() => reject(new Error(`no "listening" within 30 s:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /"message":"listening"[^\n]*"port":(\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]), output: () => output });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    child.on('exit', (code) => reject(new Error(`exited ${code} before listening:\n${output}`)));
  });
}

const stop = (child: ChildProcess): Promise<number | null> =>
  new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });

describe('the service process (src/main.ts)', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'c2c-proc-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('when started on an empty database with no switch, then it bootstraps an account, serves the CRUD API and stops cleanly', async () => {
    const { child, port, output } = await start({
      DB_PATH: path.join(dir, 'c2c.db'),
      PORT: '0',
      ESL_PORT: '1',
    });
    try {
      const key = /api_key:\s+([0-9a-f]{64})/.exec(output())?.[1];
      const account = /account_id:\s+([0-9a-f]{32})/.exec(output())?.[1];
      expect(key, output()).to.be.a('string');
      const base = `http://127.0.0.1:${port}`;
      const auth = (await (
        await fetch(`${base}/v2/api_auth`, {
          method: 'PUT',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ data: { api_key: key } }),
        })
      ).json()) as { auth_token: string };
      const created = await fetch(`${base}/v2/accounts/${account}/clicktocall`, {
        method: 'PUT',
        headers: { 'X-Auth-Token': auth.auth_token, 'Content-Type': 'application/json' },
        body: JSON.stringify({ data: { name: 'Sales', extension: '2600' } }),
      });
      expect(created.status, `${JSON.stringify(auth)} ${await created.text()}`).to.equal(201);
      const list = await fetch(`${base}/v2/accounts/${account}/clicktocall`, {
        headers: { 'X-Auth-Token': auth.auth_token },
      });
      expect(((await list.json()) as { data: unknown[] }).data).to.have.length(1);
      // It says plainly that the switch is not reachable, once, and never shows the ESL password.
      await pollUntil('the outage logged', () => output().includes('FreeSWITCH is not reachable'));
      expect(output().match(/FreeSWITCH is not reachable/g)).to.have.length(1);
      expect(output()).to.not.include('ClueCon');
    } finally {
      expect(await stop(child)).to.equal(0);
    }
    // The key is printed once, on the first start only; never on a log line.
    const again = await start({ DB_PATH: path.join(dir, 'c2c.db'), PORT: '0', ESL_PORT: '1' });
    expect(again.output()).to.not.include('api_key');
    await stop(again.child);
  });

  it('when the configuration is invalid, then it refuses to start with one message listing every problem', async () => {
    const child = spawn(process.execPath, [MAIN], {
      env: {
        ...process.env,
        PORT: 'x',
        ESL_PORT: '99999',
        LOG_LEVEL: 'chatty',
        DB_PATH: path.join(dir, 'c2c.db'),
      },
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).to.equal(2);
    expect(stderr.trim().split('\n')).to.have.length(1);
    for (const name of ['PORT', 'ESL_PORT', 'LOG_LEVEL']) expect(stderr).to.include(name);
    expect(fs.existsSync(path.join(dir, 'c2c.db'))).to.equal(false);
  });
});
