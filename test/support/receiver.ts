import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a receiver got. */
export type Received = {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  at: number;
};

/** How a receiver answers a request: a status (and headers), or `hang` (never answers). */
export type Reply = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

export type Receiver = {
  url: string;
  port: number;
  received: Received[];
  /** Parsed bodies of the requests answered 2xx, in the order they came. */
  delivered: Array<{ headers: Record<string, string>; body: string; json: WebhookBody }>;
  /** Changes how later requests are answered (default 204). */
  answer(reply: (r: Received, n: number) => Reply): void;
  /** Stops listening (connections refused) until `start` again on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
};

export type WebhookBody = {
  type: string;
  timestamp: string;
  data: {
    event_id: string;
    call_id: string;
    account_id: string;
    clicktocall_id: string;
    sequence: number;
    status: string;
    record: Record<string, unknown> & { status: string };
  };
};

/** A webhook receiver on 127.0.0.1 (an ephemeral port, kept across stop/start) that records what it gets. */
export async function receiver(path = '/hooks'): Promise<Receiver> {
  let reply: (r: Received, n: number) => Reply = () => ({ status: 204 });
  const received: Received[] = [];
  const delivered: Receiver['delivered'] = [];
  const sockets = new Set<import('node:net').Socket>();
  let server: http.Server | undefined;
  let port = 0;
  const listen = (): Promise<void> =>
    new Promise((resolve, reject) => {
      server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const r: Received = {
            method: req.method ?? '',
            path: req.url ?? '',
            headers: Object.fromEntries(
              Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]),
            ),
            body: Buffer.concat(chunks).toString('utf8'),
            at: Date.now(),
          };
          received.push(r);
          const answer = reply(r, received.length);
          if (answer === 'hang') return;
          if (answer.status >= 200 && answer.status < 300)
            delivered.push({ headers: r.headers, body: r.body, json: JSON.parse(r.body) as WebhookBody });
          res.writeHead(answer.status, answer.headers).end(answer.body ?? '');
        });
      });
      server.on('connection', (s) => {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as AddressInfo).port;
        resolve();
      });
    });
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      if (!server) return resolve();
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
      server = undefined;
    });
  await listen();
  return {
    get url() {
      return `http://127.0.0.1:${port}${path}`;
    },
    get port() {
      return port;
    },
    received,
    delivered,
    answer: (fn) => {
      reply = fn;
    },
    stop,
    start: listen,
    close: stop,
  };
}
