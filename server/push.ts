// /push: the server speaks first, every second, the half of full duplex that
// polling cannot do. Ticks are skipped, not queued, while the client is not
// reading, so a slow client cannot make them pile up.
import type { WebSocket } from 'ws';
import type { PushMessage } from './protocol.ts';

/** Default and bounds of the ?interval= query, in ms. */
export const PUSH_INTERVAL = { default: 1000, min: 100, max: 60_000 } as const;

/** Pushes to `ws` until it closes; `url` may carry `?interval=<ms>`; `onSent` gets each message's size. */
export function startPushing(
  ws: WebSocket,
  url: string | undefined,
  maxBufferedBytes: number,
  onSent: (bytes: number) => void,
): void {
  let counter = 0;
  const timer = setInterval(() => {
    if (ws.readyState !== ws.OPEN || ws.bufferedAmount > maxBufferedBytes) return;
    const message: PushMessage = { type: 'push', counter: ++counter, serverTime: new Date().toISOString() };
    const text = JSON.stringify(message);
    ws.send(text);
    onSent(Buffer.byteLength(text));
  }, intervalOf(url));
  ws.once('close', () => clearInterval(timer));
}

function intervalOf(url: string | undefined): number {
  const asked = Number(new URL(url ?? '', 'http://localhost').searchParams.get('interval'));
  if (!Number.isFinite(asked) || asked === 0) return PUSH_INTERVAL.default;
  return Math.min(PUSH_INTERVAL.max, Math.max(PUSH_INTERVAL.min, Math.round(asked)));
}
