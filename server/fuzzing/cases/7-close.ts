// Category 7, close handling (RFC 6455 §5.5.1, §7.1.5, §7.4): what a client
// does after the server's close frame, close payloads of every length, close
// codes valid and invalid, and close reasons that are not UTF-8. Here a wrong
// close code in the client's answer fails the case, not just its close.
import { wrongCodeFails } from '../grading.ts';
import { NORMAL, PROTOCOL_ERROR, INVALID_PAYLOAD, message, SERVER_CLOSES } from './common.ts';
import type { CaseContext, CaseSpec, ExpectedClose } from './types.ts';

/** Codes RFC 6455 §7.4.1 defines or the IANA registry lists for use, and the ranges for libraries and applications. */
const VALID_CODES = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999];
/** Codes a close frame must never carry: reserved, undefined, or never sent (1005, 1006). */
const INVALID_CODES = [0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999];
const PROTOCOL_ERROR_OR_DROP: ExpectedClose = { closedByMe: true, codes: [PROTOCOL_ERROR], requireClean: false };
/** "κόσμε" then an encoded surrogate (ED A0 80): not UTF-8. */
const INVALID_REASON = Buffer.from('cebae1bdb9cf83cebcceb5eda080656469746564', 'hex');

export const CLOSE_CASES: CaseSpec[] = [
  {
    id: '7.1.1',
    description: 'Send a message followed by a close frame',
    expectation: 'Echoed message followed by clean close with normal code.',
    finish: wrongCodeFails,
    run(ctx) {
      ctx.expect('OK', [message('Hello World!')]);
      ctx.expectClose(SERVER_CLOSES);
      ctx.frame({ opcode: 1, payload: Buffer.from('Hello World!') });
      ctx.killAfter(1);
    },
  },
  closesThen('7.1.2', 'Send two close frames', 'Clean close with normal code. Second close frame ignored.', (ctx) => {
    ctx.close(NORMAL);
    ctx.frame({ opcode: 8 });
  }),
  closesThen('7.1.3', 'Send a ping after close message', 'Clean close with normal code, no pong.', (ctx) => {
    ctx.close(NORMAL);
    ctx.frame({ opcode: 9 });
  }),
  closesThen(
    '7.1.4',
    'Send text message after sending a close frame',
    'Clean close with normal code. Text message ignored.',
    (ctx) => {
      ctx.close(NORMAL);
      ctx.frame({ opcode: 1, payload: Buffer.from('Hello World!') });
    },
  ),
  closesThen(
    '7.1.5',
    'Send message fragment1 followed by close then fragment',
    'Clean close with normal code.',
    (ctx) => {
      ctx.frame({ opcode: 1, fin: false, payload: Buffer.from('fragment1') });
      ctx.close(NORMAL);
      ctx.frame({ opcode: 0, fin: true, payload: Buffer.from('fragment2') });
    },
  ),
  {
    id: '7.1.6',
    description: 'Send 256K message followed by close then a ping',
    expectation:
      'Case outcome depends on implementation defined close behavior. Message and close frame are sent back to back. If the close frame is processed before the text message write is complete (as can happen in asynchronous processing models) the close frame is processed first and the text message may not be received or may only be partially received.',
    suppressClose: true,
    run(ctx) {
      const big = Buffer.from('BAsd7&jh23');
      ctx.expect('OK', [message(repeatTo(big, 256 * 1024)), message('Hello World!')]);
      ctx.expect('NON-STRICT', []);
      ctx.expectClose(SERVER_CLOSES);
      ctx.frame({ opcode: 1, payload: big, repeatTo: 256 * 1024 });
      ctx.frame({ opcode: 1, payload: Buffer.from('Hello World!') });
      ctx.close(NORMAL);
      ctx.frame({ opcode: 9 });
      ctx.killAfter(1);
    },
    finish: (verdict) => ({
      ...verdict,
      behavior: 'INFORMATIONAL',
      behaviorClose: 'INFORMATIONAL',
      result:
        verdict.behavior === 'OK'
          ? 'Text message was processed before close.'
          : verdict.behavior === 'NON-STRICT'
            ? 'Close was processed before text message could be returned.'
            : verdict.result,
    }),
  },
  closePayload(
    '7.3.1',
    'Send a close frame with payload length 0 (no close code, no close reason)',
    'Clean close with normal code.',
    SERVER_CLOSES,
    undefined,
  ),
  closePayload(
    '7.3.2',
    'Send a close frame with payload length 1',
    'Clean close with protocol error or drop TCP.',
    PROTOCOL_ERROR_OR_DROP,
    undefined,
    Buffer.from('a'),
  ),
  closePayload(
    '7.3.3',
    'Send a close frame with close code and no close reason',
    'Clean close with normal code.',
    SERVER_CLOSES,
    NORMAL,
  ),
  closePayload(
    '7.3.4',
    'Send a close frame with close code and close reason',
    'Clean close with normal code.',
    SERVER_CLOSES,
    NORMAL,
    Buffer.from('Hello World!'),
  ),
  closePayload(
    '7.3.5',
    'Send a close frame with close code and close reason of maximum length (123)',
    'Clean close with normal code.',
    SERVER_CLOSES,
    NORMAL,
    Buffer.alloc(123, 0x2a),
  ),
  closePayload(
    '7.3.6',
    'Send a close frame with close code and close reason which is too long (124) - total frame payload 126 octets',
    'Clean close with protocol error code or dropped TCP connection.',
    PROTOCOL_ERROR_OR_DROP,
    NORMAL,
    Buffer.alloc(124, 0x2a),
  ),
  closePayload(
    '7.5.1',
    'Send a close frame with invalid UTF8 payload',
    'Clean close with protocol error or invalid utf8 code or dropped TCP.',
    { closedByMe: true, codes: [PROTOCOL_ERROR, INVALID_PAYLOAD], requireClean: false },
    NORMAL,
    INVALID_REASON,
    `Reason: 0x${INVALID_REASON.toString('hex')}`,
  ),
  ...VALID_CODES.map((code, i) =>
    closePayload(
      `7.7.${i + 1}`,
      `Send close with valid close code ${code}`,
      'Clean close with normal or echoed code',
      { closedByMe: true, codes: [NORMAL, code], requireClean: true },
      code,
    ),
  ),
  ...INVALID_CODES.map((code, i) =>
    closePayload(
      `7.9.${i + 1}`,
      `Send close with invalid close code ${code}`,
      'Clean close with protocol error code or drop TCP',
      PROTOCOL_ERROR_OR_DROP,
      code,
    ),
  ),
  informationalCode('7.13.1', 5000),
  informationalCode('7.13.2', 65535),
];

/** The server closes (with 1000) and then sends something a closing client must ignore. */
function closesThen(id: string, description: string, expectation: string, send: (ctx: CaseContext) => void): CaseSpec {
  return {
    id,
    description,
    expectation,
    suppressClose: true,
    finish: wrongCodeFails,
    run(ctx) {
      ctx.expect('OK', []);
      ctx.expectClose(SERVER_CLOSES);
      send(ctx);
      ctx.killAfter(1);
    },
  };
}

/** A close frame with exactly this code and reason; the client's answer must carry one of the expected codes. */
function closePayload(
  id: string,
  description: string,
  expectation: string,
  close: ExpectedClose,
  code: number | undefined,
  reason?: Buffer,
  details?: string,
): CaseSpec {
  return {
    id,
    description,
    ...(details ? { details } : {}),
    expectation,
    suppressClose: true,
    finish: wrongCodeFails,
    run(ctx) {
      ctx.expect('OK', []);
      ctx.expectClose(close);
      ctx.close(code, reason);
      ctx.killAfter(1);
    },
  };
}

function informationalCode(id: string, code: number): CaseSpec {
  return {
    id,
    description: `Send close with close code ${code}`,
    expectation: 'Actual events are undefined by the spec.',
    suppressClose: true,
    run(ctx) {
      ctx.expect('OK', []);
      ctx.expectClose({ closedByMe: true, codes: [NORMAL, code, PROTOCOL_ERROR], requireClean: false });
      ctx.close(code);
      ctx.killAfter(1);
    },
    finish: (verdict) => ({
      ...verdict,
      behavior: 'INFORMATIONAL',
      behaviorClose: 'INFORMATIONAL',
      result: 'Actual events are undefined by the spec.',
    }),
  };
}

function repeatTo(pattern: Buffer, length: number): Buffer {
  return Buffer.alloc(length, pattern);
}
