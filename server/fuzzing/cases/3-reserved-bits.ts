// Category 3, reserved bits (RFC 6455 §5.2): with no extension negotiated,
// a frame with any RSV bit set must fail the connection. Where a valid
// message goes first, its echo may or may not beat the failure.
import { clientFails, echoThenFailOn } from './common.ts';
import type { CaseSpec, SendOptions } from './types.ts';

const HELLO = Buffer.from('Hello, world!');
const ECHO_THEN_FAIL =
  'Echo for first message is received, but then connection is failed immediately, since RSV must be 0, when no extension defining RSV meaning has been negotiated. The Pong is not received.';
const FAIL = 'The connection is failed immediately, since RSV must be 0.';

export const RESERVED_BITS_CASES: CaseSpec[] = [
  {
    id: '3.1',
    description: 'Send small text message with RSV = 1.',
    expectation:
      'The connection is failed immediately (1002/protocol error), since RSV must be 0, when no extension defining RSV meaning has been negotiated.',
    run(ctx) {
      ctx.expect('OK', []);
      ctx.expectClose(clientFails());
      ctx.frame({ opcode: 1, payload: HELLO, rsv: 1 });
      ctx.killAfter(1);
    },
  },
  echoThenRsv('3.2', 'Send small text message, then send again with RSV = 2, then send Ping.', 2, {}),
  echoThenRsv(
    '3.3',
    'Send small text message, then send again with RSV = 3, then send Ping. Octets are sent in frame-wise chops.',
    3,
    { sync: true },
  ),
  echoThenRsv(
    '3.4',
    'Send small text message, then send again with RSV = 4, then send Ping. Octets are sent in octet-wise chops.',
    4,
    { chop: 1 },
  ),
  failsOn(
    '3.5',
    'Send small binary message with RSV = 5.',
    2,
    Buffer.from([0x00, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0x00, 0xff]),
    5,
  ),
  failsOn('3.6', 'Send Ping with RSV = 6.', 9, HELLO, 6),
  failsOn('3.7', 'Send Close with RSV = 7.', 8, Buffer.alloc(0), 7),
];

function echoThenRsv(id: string, description: string, rsv: number, send: SendOptions): CaseSpec {
  return echoThenFailOn(id, description, ECHO_THEN_FAIL, { opcode: 1, payload: HELLO, rsv }, send);
}

function failsOn(id: string, description: string, opcode: number, payload: Buffer, rsv: number): CaseSpec {
  return {
    id,
    description,
    expectation: FAIL,
    run(ctx) {
      ctx.expect('OK', []);
      ctx.expectClose(clientFails());
      ctx.frame({ opcode, payload, rsv });
      ctx.killAfter(1);
    },
  };
}
