// startEchoServer: the whole server inside the caller's process, for tests.
// It is the server `npm start` runs (same Config, same createEchoServer), on
// any free port, logging nothing, plus what a test needs to see from the
// server's side: who connected, what they sent, and ways to end them.
import { EventEmitter } from 'node:events';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebSocket } from 'ws';
import type { Config } from './config.ts';
import { Inbox } from './inbox.ts';
import type { Asked, Faults } from './misbehave.ts';
import { configFromOptions, type EchoServerOptions } from './options.ts';
import { recordConnection } from './recorded-connection.ts';
import { createEchoServer, type EchoServer } from './server.ts';
import { SILENT_LOGGER } from './silent-logger.ts';

/** A message a client sent, as the server received it. */
export type ReceivedMessage = (
  | {
      /** A text message. */
      readonly isBinary: false;
      /** Its text. */
      readonly data: string;
    }
  | {
      /** A binary message. */
      readonly isBinary: true;
      /** Its bytes. */
      readonly data: Buffer;
    }
) & {
  /** The connection it came on. */
  readonly connection: EchoConnection;
};

/** How a connection ended. */
export interface CloseInfo {
  /** The close code: the peer's, 1005 for a close frame without one, 1006 when it was cut without a close frame. */
  readonly code: number;
  /** The close reason, '' for none. */
  readonly reason: string;
}

/** One client connected to the echo. */
export interface EchoConnection {
  /** 1 for the server's first connection, 2 for the next, and so on. */
  readonly id: number;
  /** The request target the client sent, e.g. '/raw?close=4000'. */
  readonly url: string;
  /** The WebSocket path it opened: '/', '/raw', '/inspect' or '/push'. */
  readonly path: string;
  /** The URL's query parameters, as sent, e.g. { close: '4000' }. */
  readonly query: Readonly<Record<string, string>>;
  /** What those parameters asked the server to do wrong on this connection (docs/misbehave.md); undefined for nothing. */
  readonly faults: Readonly<Faults> | undefined;
  /** The subprotocol agreed on: 'echo-protocol', or '' for none. */
  readonly protocol: string;
  /** The client's IP address (the forwarded one behind a trusted proxy). */
  readonly remoteAddress: string;
  /** The headers of its opening handshake. */
  readonly headers: Readonly<IncomingHttpHeaders>;
  /** Every message received on it so far, oldest first. */
  readonly messages: readonly ReceivedMessage[];
  /** Resolves with the code and reason once the connection has closed. */
  readonly closed: Promise<CloseInfo>;
  /** Resolves with its next message that this method has not returned yet, waiting if need be; `signal` gives up. */
  nextMessage(options?: { signal?: AbortSignal }): Promise<ReceivedMessage>;
  /** Starts the closing handshake with this code (default 1000) and reason; resolves once it is closed. */
  close(code?: number, reason?: string): Promise<CloseInfo>;
  /** Cuts the connection without a close frame (the client sees 1006); resolves once it is closed. */
  drop(): Promise<CloseInfo>;
}

/** The events of a running server, with their listeners' arguments. */
export interface EchoServerEvents {
  /** A client completed its opening handshake. */
  connection: [connection: EchoConnection];
  /** A client's message reached the server (before the echo's reply left). */
  message: [message: ReceivedMessage];
  /** A connection closed, however it ended. */
  disconnect: [connection: EchoConnection, info: CloseInfo];
}

/** A running echo server and what happened on it. */
export interface EchoServerHandle {
  /** The echo's URL, e.g. 'ws://127.0.0.1:40123/' ('wss://' with tls). */
  readonly url: string;
  /** The page's URL, and the base of /healthz and /metrics, e.g. 'http://127.0.0.1:40123/'. */
  readonly httpUrl: string;
  /** The port it listens on (the one the system chose, for port 0). */
  readonly port: number;
  /** The settings it runs with, defaults filled in. */
  readonly config: Readonly<Config>;
  /** The open connections, oldest first; live, so `.size` is how many are open now. */
  readonly connections: ReadonlySet<EchoConnection>;
  /** Resolves with the oldest connection this method has not returned yet, waiting for one if need be; `signal` gives up. */
  nextConnection(options?: { signal?: AbortSignal }): Promise<EchoConnection>;
  /** Resolves with the oldest message, on any connection, that neither this method nor messages() has returned yet. */
  nextMessage(options?: { signal?: AbortSignal }): Promise<ReceivedMessage>;
  /** The messages nextMessage() would return, as they arrive; ends when the server closes. */
  messages(): AsyncIterableIterator<ReceivedMessage>;
  /** Calls `listener` on every `event` from now on. */
  on<E extends keyof EchoServerEvents>(event: E, listener: (...args: EchoServerEvents[E]) => void): this;
  /** Calls `listener` on the next `event` only. */
  once<E extends keyof EchoServerEvents>(event: E, listener: (...args: EchoServerEvents[E]) => void): this;
  /** Stops calling `listener` on `event`. */
  off<E extends keyof EchoServerEvents>(event: E, listener: (...args: EchoServerEvents[E]) => void): this;
  /** Closes every open connection with this code (default 1000) and reason; resolves once all are closed. */
  closeAll(code?: number, reason?: string): Promise<void>;
  /** Cuts every open connection without a close frame (clients see 1006); resolves once all are closed. */
  dropAll(): Promise<void>;
  /** Stops as Ctrl-C stops the CLI: no new clients, 1001 to every open one, then no more listening. */
  close(): Promise<void>;
  /** The same as close(), for `await using server = await startEchoServer()`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** Starts an echo server in this process; resolves once it listens. Throws ConfigError for a bad option. */
export async function startEchoServer(options: EchoServerOptions = {}): Promise<EchoServerHandle> {
  const config = configFromOptions(options);
  // pino (and a stream on stdout) only for a server asked to log.
  const logger =
    config.logLevel === 'silent'
      ? SILENT_LOGGER
      : (await import('./logger.ts')).createLogger(config, { instance: config.instanceId });
  const server = await createEchoServer(config, logger);
  try {
    const httpUrl = await server.listen();
    return new InProcessServer(server, config, httpUrl);
  } catch (error) {
    await server.close();
    throw error;
  }
}

class InProcessServer implements EchoServerHandle {
  readonly url: string;
  readonly httpUrl: string;
  readonly port: number;
  readonly config: Readonly<Config>;
  readonly connections = new Set<EchoConnection>();
  readonly #server: EchoServer;
  readonly #events = new EventEmitter();
  readonly #newConnections = new Inbox<EchoConnection>();
  readonly #received = new Inbox<ReceivedMessage>();
  #connectionCount = 0;
  #closing: Promise<void> | undefined;

  constructor(server: EchoServer, config: Config, httpUrl: string) {
    this.#server = server;
    this.config = config;
    this.httpUrl = httpUrl;
    this.url = httpUrl.replace(/^http/, 'ws');
    this.port = (server.httpServer.address() as AddressInfo).port;
    const hooks = {
      onMessage: (message: ReceivedMessage) => {
        this.#received.push(message);
        this.#events.emit('message', message);
      },
      onClose: (connection: EchoConnection, info: CloseInfo) => {
        this.connections.delete(connection);
        this.#events.emit('disconnect', connection, info);
      },
    };
    // After the echo's own listener: the echo has set the connection up by now.
    server.wss.on('connection', (ws: WebSocket, req: IncomingMessage, path: string, ip: string, asked: Asked) => {
      const connection = recordConnection(++this.#connectionCount, ws, req, { path, ip, faults: asked.faults }, hooks);
      this.connections.add(connection);
      this.#newConnections.push(connection);
      this.#events.emit('connection', connection);
    });
  }

  nextConnection({ signal }: { signal?: AbortSignal } = {}): Promise<EchoConnection> {
    return this.#newConnections.next(signal);
  }

  nextMessage({ signal }: { signal?: AbortSignal } = {}): Promise<ReceivedMessage> {
    return this.#received.next(signal);
  }

  messages(): AsyncIterableIterator<ReceivedMessage> {
    return this.#received[Symbol.asyncIterator]();
  }

  on<E extends keyof EchoServerEvents>(event: E, listener: (...args: EchoServerEvents[E]) => void): this {
    this.#events.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  once<E extends keyof EchoServerEvents>(event: E, listener: (...args: EchoServerEvents[E]) => void): this {
    this.#events.once(event, listener as (...args: unknown[]) => void);
    return this;
  }

  off<E extends keyof EchoServerEvents>(event: E, listener: (...args: EchoServerEvents[E]) => void): this {
    this.#events.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  async closeAll(code = 1000, reason = ''): Promise<void> {
    await Promise.all([...this.connections].map((connection) => connection.close(code, reason)));
  }

  async dropAll(): Promise<void> {
    await Promise.all([...this.connections].map((connection) => connection.drop()));
  }

  close(): Promise<void> {
    this.#closing ??= this.#server.close().finally(() => {
      this.#newConnections.close('the server closed before another connection came');
      this.#received.close('the server closed before another message came');
    });
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
