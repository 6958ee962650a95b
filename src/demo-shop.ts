import http from 'node:http';

/**
 * The demo's shop (`npm run demo`, src/demo.ts): a small web page of another origin than the service, whose body is
 * a link's snippet as the service gave it, so that the "call me" widget (widget/click-to-call.js) can be tried in a
 * browser. The browser tests (test/browser/widget.test.ts) serve the same page.
 */
export function shopPage(snippet: string, title = 'Example shop'): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 24px; color: #1f2328; background: #fafafa; }
h1 { font-weight: 300; margin: 0 0 4px; }
p.lead { color: #57606a; margin: 0 0 16px; }
</style>
</head>
<body>
<h1>${title}</h1>
<p class="lead">Questions about an order? Leave your number and we call you right away.</p>
${snippet}
</body>
</html>
`;
}

/** Serves `page()` at `/` (404 elsewhere) on host:port; resolves once it listens. */
export function serveShop(host: string, port: number, page: () => string): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '/').split('?')[0] !== '/') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    res
      .writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' })
      .end(page());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
