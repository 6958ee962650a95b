/**
 * The baseline of the HTTP rows: a bare Express 5 "hello" server (JSON body parser, one JSON answer for
 * every method and path), the same framework and machine as the service, nothing else.
 */
import express from 'express';

const app = express();
app.use(express.json());
app.use((_req, res) => {
  res.json({ status: 'success', data: { hello: 'world' } });
});
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ type: 'ready', port: typeof address === 'object' && address ? address.port : 0 });
});
process.on('message', (m: { type: string }) => {
  if (m.type === 'exit') server.close(() => process.exit(0));
});
