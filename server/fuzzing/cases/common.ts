// Pieces every category uses: close codes, the usual expectations, events.
import type { OutgoingFrame } from '../frames.ts';
import type { CaseEvent, CaseSpec, ExpectedClose, SendOptions } from './types.ts';

export const NORMAL = 1000;
export const GOING_AWAY = 1001;
export const PROTOCOL_ERROR = 1002;
export const INVALID_PAYLOAD = 1007;

/** The server closes with 1000 once the expected events arrived, and the client answers. */
export const SERVER_CLOSES: ExpectedClose = { closedByMe: true, codes: [NORMAL], requireClean: true };

/** The client must fail the connection itself, with `code` (or just drop TCP). */
export function clientFails(code: number = PROTOCOL_ERROR, wrongEndpointIsFatal = false): ExpectedClose {
  return {
    closedByMe: false,
    codes: [code],
    requireClean: false,
    ...(wrongEndpointIsFatal ? { wrongEndpointIsFatal } : {}),
  };
}

export function message(payload: Buffer | string, binary = false): CaseEvent {
  return { kind: 'message', payload: typeof payload === 'string' ? Buffer.from(payload) : payload, binary };
}

export function pong(payload: Buffer | string = ''): CaseEvent {
  return { kind: 'pong', payload: typeof payload === 'string' ? Buffer.from(payload) : payload };
}

export function timeout(tag: string): CaseEvent {
  return { kind: 'timeout', tag };
}

/** Bytes from a hex string, for payloads that are not valid UTF-8. */
export function hex(bytes: string): Buffer {
  return Buffer.from(bytes.replace(/\s+/g, ''), 'hex');
}

const HELLO = Buffer.from('Hello, world!');

/**
 * Cases 3.2–3.4 and 4.x.3–4.x.5: a valid text message, then a frame the client
 * must fail on, then a ping. The echo may beat the failure (NON-STRICT without
 * it); the pong never may.
 */
export function echoThenFailOn(
  id: string,
  description: string,
  expectation: string,
  bad: OutgoingFrame,
  send: SendOptions = {},
): CaseSpec {
  return {
    id,
    description,
    expectation,
    run(ctx) {
      ctx.expect('OK', [message(HELLO)]);
      ctx.expect('NON-STRICT', []);
      ctx.expectClose(clientFails());
      ctx.frame({ opcode: 1, payload: HELLO }, send);
      ctx.frame(bad, send);
      ctx.frame({ opcode: 9 }, send);
      ctx.killAfter(1);
    },
  };
}
