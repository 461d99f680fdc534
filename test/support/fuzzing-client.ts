// A fuzzing-server harness's side of the client-conformance endpoints
// (server/fuzzing/README.md), on the `ws` package: play a case as a correct
// client does, and read what a short endpoint sends before it closes.
import { WebSocket, type ClientOptions } from 'ws';
import { withTimeout } from './wait.ts';

export interface Exchange {
  messages: Array<{ data: string; isBinary: boolean }>;
  code: number;
}

/** Connects, collects every message until the server closes, and resolves with them and the close code. */
export function exchange(url: string, options: ClientOptions = {}): Promise<Exchange> {
  const ws = new WebSocket(url, options);
  const messages: Exchange['messages'] = [];
  ws.on('message', (data, isBinary) => messages.push({ data: String(data), isBinary }));
  const done = new Promise<Exchange>((resolve, reject) => {
    ws.on('close', (code) => resolve({ messages, code }));
    ws.on('error', reject);
  });
  return withTimeout(done, url);
}

/** Runs a case (a /runCase URL) with a correct client: every message echoed with its type, until the server closes. */
export function runWithWs(url: string, options: ClientOptions = {}): Promise<void> {
  const ws = new WebSocket(url, options);
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  ws.on('error', () => {});
  return withTimeout(new Promise((resolve) => ws.on('close', () => resolve())), url);
}
