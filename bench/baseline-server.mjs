// The baseline: the minimal, idiomatic `ws` echo, with the project's reply
// rules (text comes back as `Received: <text>`, binary as the same bytes) and
// otherwise ws's defaults. Its default maxPayload (100 MiB) already admits the
// 1 MiB messages of scenario (e), so nothing needs raising. It loads ws from
// the project's node_modules, so it unmasks with the same bufferutil the
// project installs: the comparison is of the servers, not of their masking.
//
// Plain JavaScript on purpose: it runs on bare `node`, like the project's
// compiled dist/server/main.js, so neither server carries tsx's loader (its
// hooks thread and memory would skew the RSS and CPU figures).
//
// With --deflate it negotiates permessage-deflate with ws's defaults (the
// project's --deflate uses the same options), for scenario (g).
//
// Usage: node bench/baseline-server.mjs --port <port> [--deflate]
import { WebSocketServer } from 'ws';

const at = process.argv.indexOf('--port');
const port = Number(at > 0 ? process.argv[at + 1] : NaN);
if (!Number.isInteger(port) || port <= 0) {
  process.stderr.write('usage: node bench/baseline-server.mjs --port <port> [--deflate]\n');
  process.exit(2);
}

// Bound to loopback like the project's default --host: the benchmark never leaves the machine.
const wss = new WebSocketServer({ port, host: '127.0.0.1', perMessageDeflate: process.argv.includes('--deflate') });

wss.on('connection', (ws) => {
  ws.on('error', console.error);
  ws.on('message', (data, isBinary) => {
    ws.send(isBinary ? data : `Received: ${data}`, { binary: isBinary });
  });
});

process.on('SIGTERM', () => process.exit(0));
