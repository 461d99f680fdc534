// /push: the server speaks first, every second, the half of full duplex that
// polling cannot do. Ticks are skipped, not queued, while the client is not
// reading, so a slow client cannot make them pile up.
import type { WebSocket } from 'ws';
import type { PushMessage } from './protocol.ts';

/** Default and bounds of the ?interval= query, in ms (checked at the handshake: server/misbehave.ts). */
export const PUSH_INTERVAL = { default: 1000, min: 100, max: 60_000 } as const;

/** Pushes to `ws` every `intervalMs` until it closes; `send` sends (and counts) one message. */
export function startPushing(
  ws: WebSocket,
  intervalMs: number,
  maxBufferedBytes: number,
  send: (text: string) => void,
): void {
  let counter = 0;
  const timer = setInterval(() => {
    if (ws.readyState !== ws.OPEN || ws.bufferedAmount > maxBufferedBytes) return;
    const message: PushMessage = { type: 'push', counter: ++counter, serverTime: new Date().toISOString() };
    send(JSON.stringify(message));
  }, intervalMs);
  ws.once('close', () => clearInterval(timer));
}
