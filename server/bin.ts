#!/usr/bin/env node
// The package's command (`npx ws-echo-playground`, or `ws-echo`): the server
// `npm start` runs, with the same flags and environment, and the same V8
// flags (server/v8-flags.ts). A shebang cannot pass them everywhere (`env -S`
// is missing from BusyBox, e.g. Alpine), so a node started without them
// starts the server in a child node that has them, hands it every stop
// signal meant for it, and exits as the child exits.
//
// Ctrl-C reaches both processes (they share the terminal's process group, as
// `npm start` and its server do); the parent forwards too, for a signal sent
// to it alone (`kill <pid>`, docker stop). Two SIGINTs would make the server
// exit at once instead of closing its clients, so the child keeps the one it
// received itself and drops the parent's copy of it.
import { spawn } from 'node:child_process';
import cluster from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { missingV8Flags } from './v8-flags.ts';

/** The signals the parent passes on: the server stops on SIGINT and SIGTERM; SIGHUP is a closed terminal. */
const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
type Forwarded = (typeof FORWARDED)[number];

/** How long after receiving a signal itself the child takes the parent's same signal for a copy of it. */
const SAME_SIGNAL_MS = 1000;

/** Set in the child's environment: it was started by this file, which waits for it. */
const RELAUNCHED = 'WS_ECHO_PLAYGROUND_RELAUNCHED';

interface SignalMessage {
  type: 'ws-echo-playground:signal';
  signal: Forwarded;
}

const missing = missingV8Flags();
if (missing.length > 0 && !cluster.isWorker) relaunch(missing);
else {
  if (process.env[RELAUNCHED] === '1' && process.channel && !cluster.isWorker) takeSignalsFromParent();
  delete process.env[RELAUNCHED];
  await import('./main.ts');
}

function relaunch(flags: readonly string[]): void {
  const child = spawn(
    process.execPath,
    [...process.execArgv, ...flags, fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    {
      stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, [RELAUNCHED]: '1' },
    },
  );
  const forward = (signal: Forwarded) => {
    if (child.connected) child.send({ type: 'ws-echo-playground:signal', signal } satisfies SignalMessage);
    else child.kill(signal);
  };
  for (const signal of FORWARDED) process.on(signal, forward);
  child.once('error', (error) => {
    process.stderr.write(`ws-echo: cannot start node ${flags.join(' ')}: ${error.message}\n`);
    process.exit(1);
  });
  child.once('exit', (code, signal) => {
    if (signal === null) process.exit(code ?? 1);
    // Die of the same signal, so whoever started us sees what they would have seen without us.
    for (const forwarded of FORWARDED) process.off(forwarded, forward);
    process.kill(process.pid, signal);
  });
}

/**
 * In the child: a signal forwarded by the parent counts only when this process
 * did not receive the same signal itself (the parent's copy of a Ctrl-C).
 */
function takeSignalsFromParent(): void {
  const receivedAt = new Map<Forwarded, number>();
  let emitting = false;
  // Registered before the server's own listeners, so it sees every signal.
  const onSignal = (signal: Forwarded) => {
    if (!emitting) receivedAt.set(signal, performance.now());
    // Alone, a listener would keep node from its default (exit at once, e.g.
    // on a second Ctrl-C once the server has stopped listening): do it.
    if (process.listenerCount(signal) === 1) {
      process.off(signal, onSignal);
      process.kill(process.pid, signal);
    }
  };
  for (const signal of FORWARDED) process.on(signal, onSignal);
  const fromParent = (signal: Forwarded) => {
    const askedAt = performance.now();
    const decide = () => {
      if ((receivedAt.get(signal) ?? Number.NEGATIVE_INFINITY) >= askedAt - SAME_SIGNAL_MS) return;
      emitting = true;
      try {
        process.emit(signal, signal);
      } finally {
        emitting = false;
      }
    };
    // A signal the kernel sent this process along with the parent is pending
    // before the parent's message arrives; give the event loop a turn to read
    // it (the timer, then a poll phase before the immediate) before deciding.
    setTimeout(() => setImmediate(decide), 50);
  };
  process.on('message', (message: SignalMessage) => {
    if (message?.type === 'ws-echo-playground:signal' && FORWARDED.includes(message.signal)) fromParent(message.signal);
  });
  // The parent gone (killed with SIGKILL, say): stop as on SIGTERM rather than run on unseen.
  process.on('disconnect', () => fromParent('SIGTERM'));
  // Neither listener may keep this process alive once the server has stopped.
  process.channel?.unref();
}
