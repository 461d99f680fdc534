// The second baseline: the same echo on Bun's own WebSocket server
// (uWebSockets underneath), the fastest JavaScript WebSocket server we know
// of. Same reply rules as the other two (text comes back as
// `Received: <text>`, binary as the same bytes), echo-protocol chosen when
// offered, and otherwise Bun's defaults (16 MiB maxPayloadLength, so the
// 1 MiB messages of scenario (e) pass). With --deflate it negotiates
// permessage-deflate (Bun's perMessageDeflate: true), for scenario (g).
//
// Runs under the Bun binary that run.ts installs on demand into bench/.bun/
// (npm's @oven/bun-linux-x64), never under node.
//
// Usage: bun bench/bun-server.mjs --port <port> [--deflate]
const at = process.argv.indexOf('--port');
const port = Number(at > 0 ? process.argv[at + 1] : NaN);
if (!Number.isInteger(port) || port <= 0) {
  process.stderr.write('usage: bun bench/bun-server.mjs --port <port> [--deflate]\n');
  process.exit(2);
}

const ECHO_PROTOCOL = 'echo-protocol';

Bun.serve({
  // Bound to loopback like the project's default --host: the benchmark never leaves the machine.
  hostname: '127.0.0.1',
  port,
  fetch(req, server) {
    const offered = (req.headers.get('sec-websocket-protocol') ?? '').split(',').map((p) => p.trim());
    const headers = offered.includes(ECHO_PROTOCOL) ? { 'Sec-WebSocket-Protocol': ECHO_PROTOCOL } : undefined;
    if (server.upgrade(req, { headers })) return undefined;
    return new Response('Upgrade Required', { status: 426 });
  },
  websocket: {
    perMessageDeflate: process.argv.includes('--deflate'),
    message(ws, message) {
      // Text arrives as a string, binary as a Buffer (Bun's default binaryType).
      ws.send(typeof message === 'string' ? `Received: ${message}` : message);
    },
  },
});

process.on('SIGTERM', () => process.exit(0));
