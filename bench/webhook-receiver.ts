/**
 * The webhook receiver of the bench, in its own process: answers every request 204 at once and counts them, with
 * the monotonic time of the first and the last (process.hrtime, shared with the bench process). IPC: `stats`,
 * `reset`, `exit`.
 */
import http from 'node:http';

let count = 0;
const ids = new Set<string>();
let first: bigint | undefined;
let last: bigint | undefined;

const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const at = process.hrtime.bigint();
    first ??= at;
    last = at;
    count += 1;
    const id = req.headers['webhook-id'];
    if (typeof id === 'string') ids.add(id);
    res.writeHead(204).end();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ type: 'ready', port: typeof address === 'object' && address ? address.port : 0 });
});
process.on('message', (m: { type: string }) => {
  if (m.type === 'stats')
    process.send?.({
      type: 'stats',
      count,
      distinct: ids.size,
      firstNs: first === undefined ? undefined : String(first),
      lastNs: last === undefined ? undefined : String(last),
    });
  if (m.type === 'reset') {
    count = 0;
    ids.clear();
    first = undefined;
    last = undefined;
    process.send?.({ type: 'reset' });
  }
  if (m.type === 'exit') {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  }
});
