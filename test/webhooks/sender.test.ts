import http from 'node:http';
import net from 'node:net';
import { Readable } from 'node:stream';
import { expect } from 'chai';
import { createSender } from '../../src/webhooks/sender';
import type { SendRequest, Sender, SenderLookup, SenderOptions } from '../../src/webhooks/sender';
import { pollUntil } from '../support/poll';

/** A local receiver: what it saw of each request, and how many connections it was offered. */
type Seen = { method: string; url: string; headers: http.IncomingHttpHeaders; body: Buffer };
type Receiver = { port: number; url: string; seen: Seen[]; connections: number; open: number };
type Answer = (req: http.IncomingMessage, res: http.ServerResponse) => void;

const post = (url: string): SendRequest => ({ url, method: 'POST', headers: {}, body: '{"type":"ringing"}' });

describe('webhooks/sender', function () {
  this.timeout(10_000);
  const servers: http.Server[] = [];
  const senders: Sender[] = [];

  /** A receiver on 127.0.0.1 (port 0) that records each request, body included, then answers. */
  async function receiver(answer: Answer): Promise<Receiver> {
    const server = http.createServer();
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    const rx: Receiver = { port, url: `http://127.0.0.1:${port}/hook`, seen: [], connections: 0, open: 0 };
    server.on('connection', (socket: net.Socket) => {
      rx.connections += 1;
      rx.open += 1;
      socket.on('close', () => (rx.open -= 1));
    });
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const { method = '', url = '', headers } = req;
        rx.seen.push({ method, url, headers, body: Buffer.concat(chunks) });
        answer(req, res);
      });
    });
    return rx;
  }

  const answerWith =
    (status: number, body = '', headers: Record<string, string> = {}): Answer =>
    (_req, res) =>
      res.writeHead(status, headers).end(body);

  function sender(options: Partial<SenderOptions> = {}): Sender {
    const s = createSender({ allowPrivateNetworks: true, timeoutMs: 3000, ...options });
    senders.push(s);
    return s;
  }

  /** A lookup answering from a script: the n-th call gets answers[n] (the last one once they run out). */
  function scriptedLookup(...answers: string[][]): { lookup: SenderLookup; names: string[] } {
    const names: string[] = [];
    const lookup: SenderLookup = (hostname, _options, cb) => {
      const ips = answers[Math.min(names.length, answers.length - 1)] ?? [];
      names.push(hostname);
      const found = ips.map((address) => ({ address, family: net.isIP(address) }));
      cb(null, found);
    };
    return { lookup, names };
  }

  afterEach(async () => {
    for (const s of senders.splice(0)) s.close();
    for (const server of servers) server.closeAllConnections();
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  });

  describe('answers', () => {
    it('when a PUT is sent, then its method, headers and UTF-8 body arrive byte for byte and the answer is the outcome', async () => {
      const rx = await receiver(answerWith(200, '{"ok":"reçu"}'));
      const body = '{"name":"Zoë","note":"€ and 😀"}';
      const headers = { 'webhook-id': 'msg_2Kq', 'webhook-signature': 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnk=' };
      const outcome = await sender().send({ url: `${rx.url}?x=1`, method: 'PUT', headers, body });
      expect(outcome).to.deep.equal({ kind: 'answered', status: 200, body: '{"ok":"reçu"}' });
      const { method, url, headers: got, body: bytes } = rx.seen[0] ?? {};
      expect([method, url]).to.deep.equal(['PUT', '/hook?x=1']);
      expect(got).to.include(headers);
      const length = String(Buffer.byteLength(body, 'utf8'));
      expect(got).to.include({ 'content-type': 'application/json', 'content-length': length });
      expect(got).to.include({ 'user-agent': 'fs-clicktocall-webhooks' });
      expect(bytes?.equals(Buffer.from(body, 'utf8'))).to.equal(true);
    });

    it("when the caller gives a Content-Type and a wrong Content-Length, then the caller's type and the true length go out", async () => {
      const rx = await receiver(answerWith(200));
      const headers = { 'content-type': 'application/webhook+json', 'Content-Length': '1' };
      await sender({ userAgent: 'c2c/1.2' }).send({ url: rx.url, method: 'POST', headers, body: 'été' });
      const got = rx.seen[0]?.headers;
      expect(got).to.include({ 'content-type': 'application/webhook+json', 'content-length': '5' });
      expect(got).to.have.property('user-agent', 'c2c/1.2');
      expect(rx.seen[0]?.body.toString('utf8')).to.equal('été');
    });

    it('when the receiver answers 302 with a Location, then the 302 is the outcome and the redirect is not followed', async () => {
      const target = await receiver(answerWith(200, 'followed'));
      const rx = await receiver(answerWith(302, '', { Location: target.url }));
      const outcome = await sender().send(post(rx.url));
      expect(outcome).to.deep.equal({ kind: 'answered', status: 302, body: '' });
      expect(target.connections).to.equal(0);
    });

    const RETRY_AFTER: Array<[value: string, retryAfterMs: number | undefined]> = [
      ['7', 7000],
      ['0', 0],
      ['Sun, 06 Nov 1994 08:49:37 GMT', 0], // a date in the past: retry now
      ...['soon', '-5', '1.5', '', 'Tomorrow, 10:00'].map((value): [string, undefined] => [value, undefined]),
    ];
    for (const [value, retryAfterMs] of RETRY_AFTER) {
      it(`when a 429 comes with Retry-After: ${JSON.stringify(value)}, then retryAfterMs is ${retryAfterMs}`, async () => {
        const rx = await receiver(answerWith(429, 'slow down', { 'Retry-After': value }));
        const outcome = await sender().send(post(rx.url));
        const expected = { kind: 'answered', status: 429, body: 'slow down' };
        expect(outcome).to.deep.equal(retryAfterMs === undefined ? expected : { ...expected, retryAfterMs });
      });
    }

    it('when the receiver answers 503 with an HTTP-date Retry-After, then retryAfterMs is the time until that date', async () => {
      const at = new Date(Date.now() + 120_000).toUTCString(); // whole seconds: up to 1 s earlier
      const rx = await receiver(answerWith(503, '', { 'Retry-After': at }));
      const outcome = await sender().send(post(rx.url));
      expect(outcome).to.include({ kind: 'answered', status: 503 });
      expect(outcome.kind === 'answered' && outcome.retryAfterMs).to.be.within(115_000, 120_000);
    });

    it('when two requests go to one receiver, then one keep-alive connection carries both, until close()', async () => {
      const rx = await receiver(answerWith(200, 'ok'));
      const s = sender();
      expect(await s.send(post(rx.url))).to.include({ kind: 'answered' });
      expect(await s.send(post(rx.url))).to.include({ kind: 'answered' });
      expect([rx.seen.length, rx.connections, rx.open]).to.deep.equal([2, 1, 1]);
      s.close();
      await pollUntil('the receiver sees the connection closed', () => rx.open === 0, { timeoutMs: 2000 });
    });
  });

  describe('bodies and time', () => {
    it('when the receiver streams 10 MB without end, then the outcome keeps at most the cap and comes at once', async () => {
      const rx = await receiver((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        // 10 MB, never ended: a sender that reads to the end waits for its timeout.
        const tenMegabytes = Array.from({ length: 160 }, () => Buffer.alloc(64 * 1024, 'x'));
        Readable.from(tenMegabytes).pipe(res, { end: false });
      });
      const started = Date.now();
      // A timeout (60 s) far above the bound: a sender that read to the end would wait it out (and this test's own
      // 10 s); one that stops at the cap answers in milliseconds, with room here for a loaded machine.
      const outcome = await sender({ timeoutMs: 60_000, maxResponseBytes: 1024 }).send(post(rx.url));
      expect(Date.now() - started).to.be.below(5000);
      expect(outcome).to.deep.equal({ kind: 'answered', status: 200, body: 'x'.repeat(1024) });
      await pollUntil('the receiver sees its connection closed', () => rx.open === 0, { timeoutMs: 2000 });
    });

    it('when the cap cuts a UTF-8 character, then the body ends before it, with no replacement character', async () => {
      const rx = await receiver(answerWith(200, 'ééé')); // 6 bytes
      const outcome = await sender({ maxResponseBytes: 5 }).send(post(rx.url));
      expect(outcome).to.deep.equal({ kind: 'answered', status: 200, body: 'éé' });
    });

    const SILENT: Array<[string, Answer]> = [
      ['never answers', () => undefined],
      ['sends its headers but never ends its body', (_req, res) => void res.writeHead(200).write('partial')],
    ];
    for (const [what, answer] of SILENT) {
      it(`when the receiver ${what}, then the one timeout ends the attempt as failed within timeoutMs`, async () => {
        const rx = await receiver(answer);
        const started = Date.now();
        const outcome = await sender({ timeoutMs: 1000 }).send(post(rx.url));
        // Not before the timeout; before a second one would have run out (one timeout for the whole attempt, not
        // one for the headers and another for the body), with a second's room for a loaded machine.
        expect(Date.now() - started).to.be.within(990, 1990);
        expect(outcome).to.deep.equal({ kind: 'failed', error: 'timeout after 1000 ms' });
        expect(rx.seen).to.have.length(1);
      });
    }

    it('when nothing listens on the port, then the outcome is failed with the connection error', async () => {
      const rx = await receiver(answerWith(200));
      await new Promise((resolve) => servers.pop()?.close(resolve));
      const outcome = await sender().send(post(rx.url));
      expect(outcome.kind === 'failed' && outcome.error).to.match(/ECONNREFUSED/);
    });

    it('when https is spoken to a plain http receiver, then the outcome is failed with a short TLS error', async () => {
      const rx = await receiver(answerWith(200, 'plain'));
      const outcome = await sender().send(post(`https://127.0.0.1:${rx.port}/hook`));
      expect(outcome.kind === 'failed' && outcome.error).to.match(/^[^\n]{5,80}$/); // not OpenSSL's whole string
      expect(rx.seen).to.have.length(0);
    });

    it('when a header value holds a line break, then the outcome is failed and the promise still resolves', async () => {
      const rx = await receiver(answerWith(200));
      const headers = { 'X-Evil': 'a\r\nX-Injected: 1' };
      const outcome = await sender().send({ url: rx.url, method: 'POST', headers, body: '{}' });
      expect(outcome.kind).to.equal('failed');
      expect(rx.connections).to.equal(0);
    });
  });

  describe('refusals (private networks not allowed, except where the scheme or URL alone refuses)', () => {
    /** URL (PORT: the receiver's), the reason, the lookup's answers, whether private networks are allowed. */
    const REFUSALS: Array<[string, string | RegExp, string[]?, boolean?]> = [
      ['http://127.0.0.1:PORT/', 'address 127.0.0.1 is loopback'],
      ['http://[::1]:PORT/', 'address ::1 is loopback'],
      ['http://[::ffff:127.0.0.1]:PORT/', 'address ::ffff:7f00:1 is loopback'],
      ['http://2130706433:PORT/', 'address 127.0.0.1 is loopback'], // 127.0.0.1 as one number
      ['https://169.254.169.254/latest/meta-data/', 'address 169.254.169.254 is metadata'],
      ['http://localhost:PORT/', /^address (127\.0\.0\.1|::1) is loopback$/],
      ['http://hooks.example:PORT/in', 'address 10.0.0.5 is private', ['10.0.0.5']],
      ['https://hooks.example/in', 'address 192.168.1.20 is private', ['192.168.1.20']],
      // The connection may try any address it is given: one refused address refuses the name.
      ['http://mixed.example:PORT/', 'address 127.0.0.1 is loopback', ['8.8.8.8', '127.0.0.1']],
      ['ftp://127.0.0.1:PORT/in', 'the scheme ftp: is not allowed', undefined, true],
      ['http://user:pw@127.0.0.1:PORT/', 'the URL carries credentials', undefined, true],
      ['not a url', 'the URL is not valid'],
    ];
    for (const [url, reason, answers, allowPrivateNetworks = false] of REFUSALS) {
      const how = answers ? ` resolving to ${answers.join(', ')}` : '';
      it(`when the URL is ${url}${how}, then it is refused (${String(reason)}) and the receiver gets nothing`, async () => {
        const rx = await receiver(answerWith(200));
        const lookup = answers && scriptedLookup(answers).lookup;
        const s = sender({ allowPrivateNetworks, ...(lookup && { lookup }) });
        const outcome = await s.send(post(url.replace('PORT', String(rx.port))));
        if (typeof reason === 'string') expect(outcome).to.deep.equal({ kind: 'refused', reason });
        else expect(outcome.kind === 'refused' && outcome.reason).to.match(reason);
        expect(rx.connections).to.equal(0);
      });
    }

    it('when a name resolved public earlier now resolves to 127.0.0.1 (DNS rebinding), then the address the connection uses is judged and nothing is sent', async () => {
      const rx = await receiver(answerWith(200));
      const { lookup, names } = scriptedLookup(['93.184.216.34'], ['127.0.0.1']);
      // An earlier check (e.g. when the subscription was saved) saw the public answer.
      lookup('rebind.example', { all: true }, () => undefined);
      const s = sender({ allowPrivateNetworks: false, lookup });
      const outcome = await s.send(post(`http://rebind.example:${rx.port}/`));
      expect(outcome).to.deep.equal({ kind: 'refused', reason: 'address 127.0.0.1 is loopback' });
      expect(rx.connections).to.equal(0);
      // One lookup for the attempt, made by its connection: no other answer could have been judged.
      expect(names).to.deep.equal(['rebind.example', 'rebind.example']);
    });
  });
});
