// One in-process cold start, for scenario (h): a fresh node imports a server,
// starts it on a free port and has a ws client in the same process send one
// message and wait for the reply; then does it again with a second server,
// as a second test in the same file would. Prints one JSON line of ms.
//
// Plain JavaScript on purpose, like baseline-server.mjs: it runs on bare
// `node`, as a test file importing the package would, without tsx's loader.
//
// Usage: node bench/cold-start-probe.mjs project|baseline
import { once } from 'node:events';

const variant = process.argv[2];
if (variant !== 'project' && variant !== 'baseline') {
  process.stderr.write('usage: node bench/cold-start-probe.mjs project|baseline\n');
  process.exit(2);
}

// performance.now() counts from the process's start.
const importStarted = performance.now();
const { WebSocket, WebSocketServer } = await import('ws');
const start = variant === 'project' ? await projectServer() : baselineServer;
const imported = performance.now();

const first = await startAndEcho();
const firstEchoAt = performance.now();
const second = await startAndEcho();

process.stdout.write(
  `${JSON.stringify({
    processStartToEchoMs: firstEchoAt,
    importMs: imported - importStarted,
    startToEchoMs: first,
    secondStartToEchoMs: second,
  })}\n`,
);

async function startAndEcho() {
  const startedAt = performance.now();
  const server = await start();
  const ws = new WebSocket(server.url);
  await once(ws, 'open');
  ws.send('hello');
  const [reply] = await once(ws, 'message');
  const ms = performance.now() - startedAt;
  if (String(reply) !== 'Received: hello') throw new Error(`unexpected reply: ${reply}`);
  ws.terminate();
  await server.close();
  return ms;
}

async function projectServer() {
  const { startEchoServer } = await import('../dist/server/index.js');
  return () => startEchoServer();
}

// baseline-server.mjs, in-process: ws's WebSocketServer with the same replies.
async function baselineServer() {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(wss, 'listening');
  wss.on('connection', (ws) => {
    ws.on('error', console.error);
    ws.on('message', (data, isBinary) => ws.send(isBinary ? data : `Received: ${data}`, { binary: isBinary }));
  });
  return {
    url: `ws://127.0.0.1:${wss.address().port}/`,
    close: () => new Promise((resolve) => wss.close(resolve)),
  };
}
