// A stand-in echo server that starts the closing handshake when told to and
// then never finishes it: it ignores the browser's reply and keeps the TCP
// connection open, so the page sits in CLOSING, a state the browser enters
// without firing any event. The page itself is fetched from the real server.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { acceptFor, encodeFrame, Opcode } from '../test/support/frames.ts';

export interface StallingServer {
  /** Where to open the page; the WebSocket goes to the same origin. */
  url: string;
  /** Resolves once the page's WebSocket has been accepted. */
  connected: Promise<void>;
  /** Sends a close frame with `code` and then goes quiet. */
  startClose(code: number): void;
  /** Drops every connection and stops listening. */
  close(): Promise<void>;
}

/** Listens on a free port on 127.0.0.1, serving the page by fetching it from `pageOrigin`. */
export async function startStallingServer(pageOrigin: string): Promise<StallingServer> {
  const sockets = new Set<Duplex>();
  let accepted: (socket: Duplex) => void = () => {};
  const connected = new Promise<Duplex>((resolve) => (accepted = resolve));

  const server = createServer((req, res) => {
    fetch(new URL(req.url ?? '/', pageOrigin)).then(
      async (upstream) => {
        res.writeHead(upstream.status, {
          'content-type': upstream.headers.get('content-type') ?? 'application/octet-stream',
        });
        res.end(Buffer.from(await upstream.arrayBuffer()));
      },
      () => res.writeHead(502).end(),
    );
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.write(
      [
        'HTTP/1.1 101 Switching Protocols',
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Accept: ${acceptFor(String(req.headers['sec-websocket-key']))}`,
        'Sec-WebSocket-Protocol: echo-protocol',
        '',
        '',
      ].join('\r\n'),
    );
    accepted(socket);
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    connected: connected.then(() => {}),
    startClose(code) {
      const payload = Buffer.alloc(2);
      payload.writeUInt16BE(code);
      for (const socket of sockets) socket.write(encodeFrame({ opcode: Opcode.close, payload, mask: false }));
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
