// One echo connection as an in-process server's user sees it: who connected,
// how, what it sent, and how it ended. Only servers started through the API
// record: the listeners live here, not in the echo (server/echo.ts).
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { RawData, WebSocket } from 'ws';
import { Inbox } from './inbox.ts';
import type { CloseInfo, EchoConnection, ReceivedMessage } from './in-process.ts';
import type { Faults } from './misbehave.ts';

/** What the upgrade router decided about the connection. */
export interface Admitted {
  /** Its WebSocket path. */
  path: string;
  /** The client's IP, as admitted. */
  ip: string;
  /** What its URL asked the server to do wrong. */
  faults: Faults | undefined;
}

export interface RecordingHooks {
  onMessage(message: ReceivedMessage): void;
  onClose(connection: EchoConnection, info: CloseInfo): void;
}

/** Starts recording what happens on `ws`, a connection the echo has just accepted. */
export function recordConnection(
  id: number,
  ws: WebSocket,
  req: IncomingMessage,
  admitted: Admitted,
  hooks: RecordingHooks,
): EchoConnection {
  return new RecordedConnection(id, ws, req, admitted, hooks);
}

class RecordedConnection implements EchoConnection {
  readonly id: number;
  readonly url: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly faults: Readonly<Faults> | undefined;
  readonly protocol: string;
  readonly remoteAddress: string;
  readonly headers: Readonly<IncomingHttpHeaders>;
  readonly messages: ReceivedMessage[] = [];
  readonly closed: Promise<CloseInfo>;
  readonly #ws: WebSocket;
  readonly #inbox = new Inbox<ReceivedMessage>();

  constructor(id: number, ws: WebSocket, req: IncomingMessage, { path, ip, faults }: Admitted, hooks: RecordingHooks) {
    this.id = id;
    this.url = req.url ?? path;
    this.path = path;
    this.query = Object.fromEntries(new URL(this.url, 'http://localhost').searchParams);
    this.faults = faults;
    this.protocol = ws.protocol;
    this.remoteAddress = ip;
    this.headers = req.headers;
    this.#ws = ws;
    ws.on('message', (data: RawData, isBinary: boolean) => {
      // The server keeps ws's default binaryType, so data is always one Buffer.
      const bytes = data as Buffer;
      const message: ReceivedMessage = isBinary
        ? { isBinary: true, data: bytes, connection: this }
        : { isBinary: false, data: bytes.toString(), connection: this };
      this.messages.push(message);
      this.#inbox.push(message);
      hooks.onMessage(message);
    });
    this.closed = new Promise((resolve) => {
      ws.once('close', (code: number, reason: Buffer) => {
        const info = { code, reason: reason.toString() };
        this.#inbox.close(`connection ${id} closed (${code}) before another message came`);
        hooks.onClose(this, info);
        resolve(info);
      });
    });
  }

  nextMessage({ signal }: { signal?: AbortSignal } = {}): Promise<ReceivedMessage> {
    return this.#inbox.next(signal);
  }

  async close(code = 1000, reason = ''): Promise<CloseInfo> {
    this.#ws.close(code, reason);
    return this.closed;
  }

  drop(): Promise<CloseInfo> {
    this.#ws.terminate();
    return this.closed;
  }
}
