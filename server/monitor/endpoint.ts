// /monitor?monitor=<token>: the WebSocket a watcher opens to see the frames
// of its own connection (the one that carries the same token). Admitted like
// the echo (server/upgrade.ts); here it is handed to the hub, pinged like the
// echo's clients so a proxy does not time it out while the watched
// connection is quiet, and closed if it talks: it only listens.
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import type { Logger } from '../logger.ts';
import { MONITOR_CLOSE } from '../protocol.ts';
import { peerName } from '../proxy.ts';
import type { MonitorHub } from './hub.ts';

export interface MonitorEndpointOptions {
  hub: MonitorHub;
  logger: Logger;
  /** ms between pings to each watcher; one that missed the last pong is dropped (0: never). */
  heartbeatIntervalMs: number;
  /** Called once per closed watcher with its IP (to release its connection cap). */
  onClosed: (ip: string) => void;
}

export class MonitorEndpoint {
  /** Every open watcher. */
  readonly watchers = new Set<WebSocket>();
  readonly #hub: MonitorHub;
  readonly #logger: Logger;
  readonly #onClosed: (ip: string) => void;
  /** Watchers pinged and not yet answered. */
  readonly #awaitingPong = new Set<WebSocket>();
  readonly #heartbeat: NodeJS.Timeout | undefined;

  constructor({ hub, logger, heartbeatIntervalMs, onClosed }: MonitorEndpointOptions) {
    this.#hub = hub;
    this.#logger = logger;
    this.#onClosed = onClosed;
    if (heartbeatIntervalMs > 0) {
      this.#heartbeat = setInterval(() => this.#ping(), heartbeatIntervalMs);
      this.#heartbeat.unref();
    }
  }

  /** Takes a watcher whose handshake the router has just completed. */
  accept(ws: WebSocket, req: IncomingMessage, ip: string, token: string): void {
    const peer = peerName(ip, req.socket);
    this.watchers.add(ws);
    this.#logger.info({ peer }, 'monitor watcher opened');
    ws.on('message', () => {
      if (ws.readyState === ws.OPEN) ws.close(MONITOR_CLOSE.message.code, MONITOR_CLOSE.message.reason);
    });
    ws.on('pong', () => this.#awaitingPong.delete(ws));
    // Without a listener a malformed frame would crash the process; ws has already closed with the right code.
    ws.on('error', (error: Error) => this.#logger.warn({ peer, err: error.message }, 'monitor watcher failed'));
    ws.once('close', (code: number) => {
      this.watchers.delete(ws);
      this.#awaitingPong.delete(ws);
      this.#onClosed(ip);
      this.#logger.info({ peer, code }, 'monitor watcher closed');
    });
    this.#hub.watch(token, ws);
  }

  /** Stops pinging (the server closes the watchers with its clients). */
  close(): void {
    clearInterval(this.#heartbeat);
  }

  #ping(): void {
    for (const ws of this.watchers) {
      if (this.#awaitingPong.has(ws)) {
        ws.terminate();
        continue;
      }
      this.#awaitingPong.add(ws);
      ws.ping();
    }
  }
}
