// permessage-deflate (RFC 7692) for the compression cases: reading the
// client's offers, answering one as a case's acceptance rule says, and
// compressing and inflating messages with the negotiated parameters.
import { constants, createDeflateRaw, createInflateRaw, type DeflateRaw, type InflateRaw } from 'node:zlib';
import { FrameError } from './frames.ts';

/** One permessage-deflate offer from Sec-WebSocket-Extensions, its parameters as sent. */
export interface DeflateOffer {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  /** server_max_window_bits the client asks for; undefined when absent. */
  serverMaxWindowBits: number | undefined;
  /** True when the client offers client_max_window_bits (it lets the server limit its window). */
  clientMaxWindowBits: boolean | number;
}

/** What the server answers to an offer: whether it asks the client to drop context, and which client window. */
export interface DeflateAnswer {
  requestNoContextTakeover?: boolean;
  requestMaxWindowBits?: number;
}

/** Picks the offer to accept and how (a compression case's rule), or undefined to decline them all. */
export type DeflateAccept = (
  offers: readonly DeflateOffer[],
) => { offer: DeflateOffer; answer: DeflateAnswer } | undefined;

/** The negotiated parameters, as both sides must use them. */
export interface DeflateParams {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  serverMaxWindowBits: number;
  clientMaxWindowBits: number;
}

/** Compression as a connection uses it. */
export interface MessageDeflate {
  compress(payload: Buffer): Promise<Buffer>;
  /** Rejects with a FrameError(1009) past `maxBytes` of output. */
  decompress(payload: Buffer, maxBytes: number): Promise<Buffer>;
  close(): void;
}

/** Every well-formed permessage-deflate offer in a Sec-WebSocket-Extensions header, in order; malformed ones are skipped. */
export function parseDeflateOffers(header: string | undefined): DeflateOffer[] {
  const offers: DeflateOffer[] = [];
  for (const extension of (header ?? '').split(',')) {
    const [name, ...params] = extension.split(';').map((part) => part.trim());
    if (name?.toLowerCase() !== 'permessage-deflate') continue;
    const offer: DeflateOffer = {
      serverNoContextTakeover: false,
      clientNoContextTakeover: false,
      serverMaxWindowBits: undefined,
      clientMaxWindowBits: false,
    };
    let valid = true;
    for (const param of params) {
      const [key = '', raw] = param.split('=').map((part) => part.trim());
      const value = raw?.replace(/^"(.*)"$/, '$1');
      if (key === 'server_no_context_takeover' && value === undefined) offer.serverNoContextTakeover = true;
      else if (key === 'client_no_context_takeover' && value === undefined) offer.clientNoContextTakeover = true;
      else if (key === 'server_max_window_bits' && isWindowBits(value)) offer.serverMaxWindowBits = Number(value);
      else if (key === 'client_max_window_bits' && (value === undefined || isWindowBits(value)))
        offer.clientMaxWindowBits = value === undefined ? true : Number(value);
      else valid = false;
    }
    if (valid) offers.push(offer);
  }
  return offers;
}

/** The response header value and the parameters for an accepted offer (RFC 7692 §7.1). */
export function negotiate(offer: DeflateOffer, answer: DeflateAnswer): { header: string; params: DeflateParams } {
  // A client that named its largest window must not be asked for a larger one.
  const offeredWindow = typeof offer.clientMaxWindowBits === 'number' ? offer.clientMaxWindowBits : 15;
  const clientWindow =
    answer.requestMaxWindowBits === undefined ? undefined : Math.min(answer.requestMaxWindowBits, offeredWindow);
  const params: DeflateParams = {
    serverNoContextTakeover: offer.serverNoContextTakeover,
    clientNoContextTakeover: offer.clientNoContextTakeover || answer.requestNoContextTakeover === true,
    serverMaxWindowBits: offer.serverMaxWindowBits ?? 15,
    clientMaxWindowBits: clientWindow ?? offeredWindow,
  };
  const parts = ['permessage-deflate'];
  if (params.serverNoContextTakeover) parts.push('server_no_context_takeover');
  if (params.clientNoContextTakeover) parts.push('client_no_context_takeover');
  if (offer.serverMaxWindowBits !== undefined) parts.push(`server_max_window_bits=${params.serverMaxWindowBits}`);
  if (clientWindow !== undefined) parts.push(`client_max_window_bits=${clientWindow}`);
  return { header: parts.join('; '), params };
}

/** Whether the server can honour an offer: zlib cannot deflate with an 8-bit window (it widens it to 9). */
export function canAccept(offer: DeflateOffer): boolean {
  return offer.serverMaxWindowBits === undefined || offer.serverMaxWindowBits >= 9;
}

/** A compressor and decompressor for one connection. */
export function createMessageDeflate(params: DeflateParams): MessageDeflate {
  // Inflating with the widest window reads anything a narrower one wrote.
  const inflate = new ZlibChannel(() => createInflateRaw({ windowBits: 15 }), params.clientNoContextTakeover);
  const deflate = new ZlibChannel(
    () => createDeflateRaw({ windowBits: params.serverMaxWindowBits, memLevel: 8 }),
    params.serverNoContextTakeover,
  );
  return {
    async compress(payload) {
      const out = await deflate.run(payload, Number.POSITIVE_INFINITY);
      // RFC 7692 §7.2.1: drop the empty stored block's 00 00 ff ff that ends a sync flush.
      return out.length >= 4 && out.readUInt32BE(out.length - 4) === 0xffff ? out.subarray(0, out.length - 4) : out;
    },
    decompress(payload, maxBytes) {
      return inflate.run(Buffer.concat([payload, TAIL]), maxBytes);
    },
    close() {
      inflate.close();
      deflate.close();
    },
  };
}

const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);

function isWindowBits(value: string | undefined): value is string {
  return value !== undefined && /^\d{1,2}$/.test(value) && Number(value) >= 8 && Number(value) <= 15;
}

/** One zlib stream used message by message, one message at a time, reset between messages without context takeover. */
class ZlibChannel {
  readonly #make: () => DeflateRaw | InflateRaw;
  readonly #noContextTakeover: boolean;
  #stream: DeflateRaw | InflateRaw | undefined;
  #turn: Promise<unknown> = Promise.resolve();

  constructor(make: () => DeflateRaw | InflateRaw, noContextTakeover: boolean) {
    this.#make = make;
    this.#noContextTakeover = noContextTakeover;
  }

  run(input: Buffer, maxBytes: number): Promise<Buffer> {
    const result = this.#turn.then(() => this.#once(input, maxBytes));
    this.#turn = result.catch(() => {});
    return result;
  }

  close(): void {
    this.#stream?.close();
    this.#stream = undefined;
  }

  #once(input: Buffer, maxBytes: number): Promise<Buffer> {
    this.#stream ??= this.#make();
    const stream = this.#stream;
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const cleanup = () => {
        stream.off('data', onData);
        stream.off('error', onError);
      };
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          cleanup();
          this.close();
          reject(new FrameError(1009, `the client sent a message that inflates past ${maxBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      };
      const onError = (error: Error) => {
        cleanup();
        this.close();
        reject(new FrameError(1007, `the client sent a message that does not inflate: ${error.message}`));
      };
      stream.on('data', onData);
      stream.on('error', onError);
      stream.write(input);
      stream.flush(constants.Z_SYNC_FLUSH, () => {
        if (this.#stream !== stream) return;
        cleanup();
        if (this.#noContextTakeover) stream.reset();
        resolve(Buffer.concat(chunks));
      });
    });
  }
}
