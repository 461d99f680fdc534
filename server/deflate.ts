// permessage-deflate (RFC 7692) on the echo: off unless asked for, by the
// URL (?deflate) or the server (--deflate), and then negotiated by ws from the
// client's own offer. Compression is not free: ws keeps a zlib stream per
// direction for the connection's whole life once a compressed message has
// crossed: ~240 KiB with browsers' offer (15-bit windows, context kept), ~280
// after many messages, against ~6 KiB for a whole uncompressed connection
// (bench/README.md, scenario g; deploy/README.md, Compression). So
// compressing connections have a cap of their own, and a client over it is
// upgraded without the extension rather than refused: compression is an offer
// the client makes, and it works without it.
import type { IncomingMessage } from 'node:http';
import type { PerMessageDeflateOptions } from 'ws';

/**
 * ws's options for the echo's compressing WebSocketServers. None of them
 * constrains the negotiation: ws then accepts any valid offer as the client
 * wrote it (server_no_context_takeover, client_no_context_takeover,
 * server_max_window_bits, client_max_window_bits) and answers with the same
 * parameters. A number for either window size would lower the memory but
 * makes ws 8 refuse with 400, not decline, every offer that asks for a
 * smaller window than that number (and every offer without
 * client_max_window_bits), and memLevel saves nothing measurable with Node's
 * zlib, so the cap below is what bounds the memory.
 */
export const DEFLATE_OPTIONS: PerMessageDeflateOptions = {
  // ws's defaults, written out because the measured cost depends on them:
  // at most ten zlib jobs at a time in the whole process (ws's guard against
  // the memory fragmentation of many concurrent zlib streams)…
  concurrencyLimit: 10,
  // …and, under server_no_context_takeover, replies under 1 KiB leave
  // uncompressed, so the server's deflate stream is never even created.
  threshold: 1024,
};

/** How many connections compress at once; the rest connect without permessage-deflate. */
export class DeflateCap {
  readonly #max: number;
  #open = 0;

  constructor(max: number) {
    this.#max = max;
  }

  /** Connections holding a slot now. */
  get open(): number {
    return this.#open;
  }

  /** Takes a slot for a connection that will compress; false when every slot is taken. */
  take(): boolean {
    if (this.#open >= this.#max) return false;
    this.#open++;
    return true;
  }

  /** Gives back what take() counted. */
  release(): void {
    this.#open--;
  }
}

/** Whether the client's Sec-WebSocket-Extensions offers permessage-deflate (ws's parse has the last word). */
export function offersDeflate(req: IncomingMessage): boolean {
  const offered = req.headers['sec-websocket-extensions'];
  return offered !== undefined && OFFER.test(offered);
}

/**
 * ws's 'headers' listener for the compressing servers: remembers the
 * Sec-WebSocket-Extensions the server answers, parameters and all, for
 * /inspect (ws's own `extensions` names the extension only).
 */
export function rememberNegotiated(headers: string[], req: IncomingMessage): void {
  for (const header of headers) {
    if (header.toLowerCase().startsWith(EXTENSIONS_HEADER))
      negotiated.set(req, header.slice(EXTENSIONS_HEADER.length).trim());
  }
}

/** The Sec-WebSocket-Extensions the server answered `req` with; '' when it negotiated none. */
export function negotiatedExtensions(req: IncomingMessage): string {
  return negotiated.get(req) ?? '';
}

// An extension's name starts the header or follows a comma, and ends at ';', ',' or the end.
const OFFER = /(?:^|,)\s*permessage-deflate\s*(?:[;,]|$)/;
const EXTENSIONS_HEADER = 'sec-websocket-extensions:';
const negotiated = new WeakMap<IncomingMessage, string>();
