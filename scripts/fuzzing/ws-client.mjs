// A fuzzing-server client harness on the public API of the `ws` package, in
// the style of ws's own test/autobahn.js: ask for the case count, run every
// case echoing each message back with its type, then ask for the reports.
//
//   node scripts/fuzzing/ws-client.mjs [ws://127.0.0.1:9001] [agent]
//
// It knows nothing of this project: pointed at the fuzzing server it would
// run the same way.
import WebSocket from 'ws';

const server = process.argv[2] ?? 'ws://127.0.0.1:9001';
const agent = process.argv[3] ?? 'ws';

const count = await new Promise((resolve, reject) => {
  const ws = new WebSocket(`${server}/getCaseCount`);
  let cases = 0;
  ws.on('message', (data) => (cases = Number.parseInt(String(data), 10)));
  ws.on('close', () => resolve(cases));
  ws.on('error', reject);
});

for (let i = 1; i <= count; i++) {
  await new Promise((resolve) => {
    const ws = new WebSocket(`${server}/runCase?case=${i}&agent=${encodeURIComponent(agent)}`);
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    ws.on('close', resolve);
    // Protocol errors the case provokes surface here; the close that follows ends the case.
    ws.on('error', () => {});
  });
  if (i % 50 === 0 || i === count) process.stdout.write(`${agent}: ran ${i}/${count} cases\n`);
}

await new Promise((resolve, reject) => {
  const ws = new WebSocket(`${server}/updateReports?agent=${encodeURIComponent(agent)}`);
  ws.on('close', resolve);
  ws.on('error', reject);
});
