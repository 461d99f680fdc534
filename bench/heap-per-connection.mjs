// What one idle connection holds on a server's V8 heap, by kind of object:
// the floor under the memory figure of scenario (c). Starts the server in a
// child process, takes a heap snapshot (--heapsnapshot-signal), opens N
// idle connections, takes another, and prints the growth per connection of
// each constructor's objects. RSS (what (c) reports) adds the native side
// (libuv's handle, the TCP wrap's C++ object) and the heap's slack.
//
// Plain JavaScript, like baseline-server.mjs: it runs on bare node.
//
// Usage: node bench/heap-per-connection.mjs N <server script> [its flags]
//   node bench/heap-per-connection.mjs 2000 dist/server/main.js --host 127.0.0.1
//   node bench/heap-per-connection.mjs 2000 bench/baseline-server.mjs
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket } from 'ws';

const [count, script, ...flags] = process.argv.slice(2);
const n = Number(count);
if (!Number.isInteger(n) || n < 1 || !script) {
  process.stderr.write('usage: node bench/heap-per-connection.mjs N <server script> [its flags]\n');
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'ws-echo-heap-'));
const port = await freePort();
const env = { ...process.env };
delete env.LOG_LEVEL;
const server = spawn(
  process.execPath,
  ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${dir}`, script, ...flags, '--port', String(port)],
  { stdio: ['ignore', 'ignore', 'inherit'], env },
);
try {
  await firstConnection();
  await sleep(1000);
  const before = await snapshot();
  const sockets = [];
  // A hundred handshakes at a time, from eight source addresses, as (c) does.
  for (let i = 0; i < n; i += 100) {
    const batch = [];
    for (let j = i; j < Math.min(n, i + 100); j++) {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { localAddress: `127.0.0.${1 + (j % 8)}` });
      sockets.push(ws);
      batch.push(new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject)));
    }
    await Promise.all(batch);
  }
  await sleep(1500);
  const after = await snapshot();
  print(before, after);
  for (const ws of sockets) ws.terminate();
} finally {
  server.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}

function print(before, after) {
  console.log(`${script}: heap growth per connection ${((after.total - before.total) / n).toFixed(0)} bytes`);
  const rows = [];
  for (const [kind, [objects, bytes]] of after.kinds) {
    const [objects0, bytes0] = before.kinds.get(kind) ?? [0, 0];
    const perConnection = (bytes - bytes0) / n;
    // Compiled code and strings come and go with the JIT and the logs, not with the connections.
    if (perConnection >= 8 && !kind.startsWith('code') && !kind.startsWith('string'))
      rows.push([perConnection, (objects - objects0) / n, kind]);
  }
  rows.sort((a, b) => b[0] - a[0]);
  for (const [bytes, objects, kind] of rows)
    console.log(`${bytes.toFixed(0).padStart(6)} B ${objects.toFixed(2).padStart(6)} objects  ${kind}`);
}

// Signals the server and reads the snapshot once its file stops growing.
async function snapshot() {
  const taken = readdirSync(dir).length;
  server.kill('SIGUSR2');
  while (readdirSync(dir).length === taken) await sleep(100);
  const file = join(dir, readdirSync(dir).sort().at(-1));
  for (let size = -1; ; ) {
    await sleep(700);
    const now = statSync(file).size;
    if (now === size && now > 0) break;
    size = now;
  }
  return bySelfSize(JSON.parse(readFileSync(file, 'utf8')));
}

// Self sizes summed by node type and constructor name.
function bySelfSize({ snapshot, nodes, strings }) {
  const fields = snapshot.meta.node_fields;
  const types = snapshot.meta.node_types[0];
  const [type, name, size] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const kinds = new Map();
  let total = 0;
  for (let i = 0; i < nodes.length; i += fields.length) {
    const t = types[nodes[i + type]];
    const kind = t.includes('string') ? 'string' : `${t} ${strings[nodes[i + name]]}`.slice(0, 60);
    const entry = kinds.get(kind) ?? [0, 0];
    entry[0]++;
    entry[1] += nodes[i + size];
    kinds.set(kind, entry);
    total += nodes[i + size];
  }
  return { kinds, total };
}

async function firstConnection() {
  for (let tries = 0; tries < 100; tries++) {
    const opened = await new Promise((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
      ws.once('open', () => resolve(true) || ws.terminate()).once('error', () => resolve(false));
    });
    if (opened) return;
    await sleep(100);
  }
  throw new Error(`${script} did not accept a connection on port ${port}`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer().once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}
