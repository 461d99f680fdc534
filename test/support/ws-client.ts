// Small promise wrappers around the `ws` client for the echo tests. Every
// client opened here is remembered so a test file can terminate them all in
// `after`, whatever state an assertion left them in.
import type { IncomingMessage } from 'node:http';
import { WebSocket, type ClientOptions, type RawData } from 'ws';
import { withTimeout } from './wait.ts';

export interface Received {
  data: Buffer;
  isBinary: boolean;
}

export interface CloseInfo {
  code: number;
  reason: string;
}

const opened = new Set<WebSocket>();

/** Connects and resolves once the handshake is done; rejects on error or a non-101 answer. */
export function openClient(url: string, protocols?: string | string[], options?: ClientOptions): Promise<WebSocket> {
  const ws = protocols === undefined ? new WebSocket(url, options) : new WebSocket(url, protocols, options);
  opened.add(ws);
  ws.on('error', () => {}); // failures surface through the promises below, never as an uncaught 'error'
  const open = new Promise<WebSocket>((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('close', (code) => reject(new Error(`closed (${code}) before opening`)));
  });
  return withTimeout(open, `the handshake with ${url}`);
}

/** Resolves with the next `count` messages, in arrival order. Call it before sending. */
export function receive(ws: WebSocket, count: number): Promise<Received[]> {
  const got: Received[] = [];
  const all = new Promise<Received[]>((resolve, reject) => {
    const onMessage = (data: RawData, isBinary: boolean) => {
      got.push({ data: toBuffer(data), isBinary });
      if (got.length === count) {
        ws.off('message', onMessage);
        ws.off('close', onClose);
        resolve(got);
      }
    };
    const onClose = (code: number) => reject(new Error(`closed (${code}) after ${got.length} of ${count} messages`));
    ws.on('message', onMessage);
    ws.once('close', onClose);
  });
  return withTimeout(all, `${count} message(s)`);
}

/** Resolves with the one next message. */
export async function receiveOne(ws: WebSocket): Promise<Received> {
  const [message] = await receive(ws, 1);
  if (!message) throw new Error('no message');
  return message;
}

/** Sends `data` (a Buffer as a binary message) and resolves with the one message that comes back next. */
export function echoOf(ws: WebSocket, data: string | Buffer): Promise<Received> {
  const reply = receiveOne(ws);
  ws.send(data);
  return reply;
}

/** Resolves with the code and reason of the close event. */
export function closed(ws: WebSocket): Promise<CloseInfo> {
  if (ws.readyState === WebSocket.CLOSED)
    return Promise.reject(new Error('already closed; listen before the close happens'));
  const close = new Promise<CloseInfo>((resolve) => {
    ws.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() }));
  });
  return withTimeout(close, 'the close event');
}

/** Tries a WebSocket handshake that the server should refuse; resolves with the HTTP status it answered. */
export function refusedStatus(url: string, options: ClientOptions = {}): Promise<number> {
  const ws = new WebSocket(url, options);
  opened.add(ws);
  ws.on('error', () => {});
  const status = new Promise<number>((resolve, reject) => {
    ws.once('unexpected-response', (req, res: IncomingMessage) => {
      res.resume();
      req.destroy();
      resolve(res.statusCode ?? 0);
    });
    ws.once('open', () => reject(new Error(`the handshake with ${url} succeeded`)));
  });
  return withTimeout(status, `the refusal from ${url}`);
}

/** Terminates every client opened through this module. */
export function terminateAll(): void {
  for (const ws of opened) ws.terminate();
  opened.clear();
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
