// The cold-start yardstick: a bare Express 5 app as a program of its own. It imports express, sets
// one route (GET /__mock/health, the route the bench asks the mock CLI for), listens on 127.0.0.1,
// port 0, and prints the URL in one stdout write, as `mailgun-mock` prints the first line of its
// banner ("… listening on http://127.0.0.1:PORT"). Stopped by a signal. See bench/lib/coldstart.mjs.
import { createServer } from 'node:http';
import express from 'express';

const app = express();
app.get('/__mock/health', (_req, res) => {
  res.status(200).json({ status: 'ok' });
});
const server = createServer(app);
server.keepAliveTimeout = 5_000; // as the mock sets it
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`bare-express listening on http://127.0.0.1:${server.address().port}\n`);
});
