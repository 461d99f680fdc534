// Category 4, opcodes (RFC 6455 §5.2): reserved non-control (3–7) and
// control (11–15) opcodes must fail the connection; a valid message sent
// first should still be echoed.
import { clientFails, echoThenFailOn } from './common.ts';
import type { CaseSpec } from './types.ts';

const HELLO = Buffer.from('Hello, world!');
const FAIL = 'The connection is failed immediately.';
const ECHO_THEN_FAIL =
  'Echo for first message is received, but then connection is failed immediately, since reserved opcode frame is used. A Pong is not received.';

export const OPCODE_CASES: CaseSpec[] = [
  ...opcodeCases('4.1', 'non-control', [3, 4, 5, 6, 7]),
  ...opcodeCases('4.2', 'control', [11, 12, 13, 14, 15]),
];

/** Five cases per kind, as the fuzzing server has them: bare, with payload, after a message, after a message with payload, octet-wise. */
function opcodeCases(prefix: string, kind: string, opcodes: readonly number[]): CaseSpec[] {
  const [bare, withPayload, afterMessage, afterMessageWithPayload, chopped] = opcodes as [
    number,
    number,
    number,
    number,
    number,
  ];
  return [
    {
      id: `${prefix}.1`,
      description: `Send frame with reserved ${kind} Opcode = ${bare}.`,
      expectation: FAIL,
      run(ctx) {
        ctx.expect('OK', []);
        ctx.expectClose(clientFails());
        ctx.frame({ opcode: bare });
        ctx.killAfter(1);
      },
    },
    {
      id: `${prefix}.2`,
      description: `Send frame with reserved ${kind} Opcode = ${withPayload} and non-empty payload.`,
      expectation: FAIL,
      run(ctx) {
        ctx.expect('OK', []);
        ctx.expectClose(clientFails());
        ctx.frame({ opcode: withPayload, payload: Buffer.from('reserved opcode payload') });
        ctx.killAfter(1);
      },
    },
    echoThenReserved(
      `${prefix}.3`,
      `Send small text message, then send frame with reserved ${kind} Opcode = ${afterMessage}, then send Ping.`,
      afterMessage,
      false,
      undefined,
    ),
    echoThenReserved(
      `${prefix}.4`,
      `Send small text message, then send frame with reserved ${kind} Opcode = ${afterMessageWithPayload} and non-empty payload, then send Ping.`,
      afterMessageWithPayload,
      true,
      undefined,
    ),
    echoThenReserved(
      `${prefix}.5`,
      `Send small text message, then send frame with reserved ${kind} Opcode = ${chopped} and non-empty payload, then send Ping. Octets are sent in octet-wise chops.`,
      chopped,
      true,
      1,
    ),
  ];
}

function echoThenReserved(
  id: string,
  description: string,
  opcode: number,
  withPayload: boolean,
  chop: number | undefined,
): CaseSpec {
  return echoThenFailOn(
    id,
    description,
    ECHO_THEN_FAIL,
    { opcode, payload: withPayload ? HELLO : undefined },
    { chop },
  );
}
