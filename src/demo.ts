import { execFile, spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { serveShop, shopPage } from './demo-shop';

/**
 * `npm run demo`: the fake switch (127.0.0.1:8021), the service (127.0.0.1:8000) and a webhook receiver
 * (127.0.0.1:8001) together, for a first try without FreeSWITCH. Once the service is up it creates a demo account
 * (the admin command line), a configuration whose status events go to the receiver, and places one call; the
 * receiver verifies each event's signature as a CRM would and prints it. Every line is prefixed with the process
 * it came from; Ctrl-C stops everything. It also serves a shop page (127.0.0.1:8002, src/demo-shop.ts) with a link's
 * "call me" widget. Ports: ESL_PORT, PORT, DEMO_RECEIVER_PORT, DEMO_SHOP_PORT.
 */
const root = path.resolve(__dirname, '..', '..');
const children: ChildProcess[] = [];
const eslPort = process.env['ESL_PORT'] ?? '8021';
const port = process.env['PORT'] ?? '8000';
const receiverPort = Number(process.env['DEMO_RECEIVER_PORT'] ?? '8001');
const shopPort = Number(process.env['DEMO_SHOP_PORT'] ?? '8002');
const base = `http://127.0.0.1:${port}`;
// The receiver is on this machine: the service must be allowed to deliver to a private address.
const env = { ...process.env, PORT: port, ESL_PORT: eslPort, WEBHOOKS_ALLOW_PRIVATE_NETWORKS: 'true' };

const say = (name: string, line: string): void => {
  process.stdout.write(`[${name}] ${line}\n`);
};

function run(name: string, script: string, args: string[]): ChildProcess {
  const child = spawn(process.execPath, [path.join(root, script), ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  const prefix = (chunk: Buffer) =>
    chunk
      .toString()
      .split('\n')
      .filter(Boolean)
      .forEach((line) => say(name, line));
  child.stdout?.on('data', prefix);
  child.stderr?.on('data', prefix);
  child.on('exit', (code) => {
    say(name, `exited ${code ?? 'by signal'}`);
    stop();
  });
  children.push(child);
  return child;
}

let receiver: http.Server | undefined;
let shop: http.Server | undefined;
let stopped = false;
function stop(): void {
  stopped = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  for (const server of [receiver, shop]) {
    server?.close();
    server?.closeAllConnections();
  }
}

/** The receiver a CRM would run: verify the signature, then read the event. */
function startReceiver(secretOf: () => string | undefined): void {
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const secret = secretOf();
      try {
        if (secret === undefined) throw new Error('no secret yet');
        const event = new Webhook(secret).verify(
          Buffer.concat(chunks).toString('utf8'),
          req.headers as Record<string, string>,
        ) as {
          type: string;
          data: { sequence: number; call_id: string };
        };
        say('receiver', `${event.type} #${event.data.sequence} of ${event.data.call_id}: signature verified`);
        res.writeHead(204).end();
      } catch (err) {
        say('receiver', `refused an event: ${(err as Error).message}`);
        res.writeHead(400).end();
      }
    });
  });
  receiver.listen(receiverPort, '127.0.0.1');
}

async function json(
  method: string,
  url: string,
  token?: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token !== undefined && { 'X-Auth-Token': token }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return (await res.json()) as Record<string, unknown>;
}

const cli = (args: string[]): Promise<string> =>
  new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      [path.join(root, 'dist/src/cli.js'), ...args],
      { cwd: root, env },
      (err, out) => (err ? reject(new Error(err.message)) : resolve(out)),
    ),
  );

/** Waits for the service to answer and be connected to the switch. */
async function ready(): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const up = await fetch(`${base}/health`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (up) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('the service did not come up');
}

/** A demo account, a configuration sending every status to the receiver, and one call. */
async function walkthrough(setSecret: (s: string) => void): Promise<void> {
  await ready();
  const account = JSON.parse(
    await cli(['accounts', 'create', '--name', 'Demo', '--realm', 'demo.example']),
  ) as {
    id: string;
    api_key: string;
  };
  const token = (await json('PUT', '/v2/api_auth', undefined, { data: { api_key: account.api_key } }))[
    'auth_token'
  ] as string;
  const a = `/v2/accounts/${account.id}`;
  setSecret(((await json('GET', `${a}/webhook_secret`, token))['data'] as { secret: string }).secret);
  const url = `http://127.0.0.1:${receiverPort}/hooks`;
  const config = (
    await json('PUT', `${a}/clicktocall`, token, {
      data: {
        name: 'Demo',
        extension: '2600',
        status_callback: { url, events: ['ringing', 'answered', 'connected', 'completed'] },
      },
    })
  )['data'] as { id: string };
  const placed = (
    await json('POST', `${a}/clicktocall/${config.id}/connect`, token, { data: { contact: '+15551234567' } })
  )['data'] as { call_id: string };
  say('demo', `account ${account.id}, configuration ${config.id}: placed ${placed.call_id}`);
  say(
    'demo',
    `its status events go to ${url}; GET ${a}/webhook_deliveries shows them (Ctrl-C stops the demo)`,
  );
  // A public link for a web page of another origin, and that page: the "call me" widget.
  const shopUrl = `http://127.0.0.1:${shopPort}`;
  const link = (
    await json('PUT', `${a}/clicktocall/${config.id}/links`, token, {
      data: { expires_in: 86400, origins: [shopUrl] },
    })
  )['data'] as { snippet: string };
  shop = await serveShop('127.0.0.1', shopPort, () => shopPage(link.snippet));
  if (stopped) return stop();
  say('demo', `open ${shopUrl}/ to try the call-me widget`);
}

process.once('SIGINT', stop);
process.once('SIGTERM', stop);
let secret: string | undefined;
startReceiver(() => secret);
run('fake-switch', 'dist/fake-switch/cli.js', ['--port', eslPort]);
setTimeout(() => {
  run('service', 'dist/src/main.js', []);
  walkthrough((s) => (secret = s)).catch((err: unknown) =>
    say('demo', `walkthrough failed: ${(err as Error).message}`),
  );
}, 300);
