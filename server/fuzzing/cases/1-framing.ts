// Category 1, framing: text (1.1) and binary (1.2) messages at the payload
// lengths where RFC 6455 §5.2 changes the length encoding (125/126, 65535/65536).
import { message, SERVER_CLOSES } from './common.ts';
import type { CaseSpec } from './types.ts';

const LENGTHS = [0, 125, 126, 127, 128, 65535, 65536] as const;
const CHOPPED = { length: 65536, chop: 997 } as const;

export const FRAMING_CASES: CaseSpec[] = [...framingCases('1.1', false), ...framingCases('1.2', true)];

function framingCases(prefix: string, binary: boolean): CaseSpec[] {
  const kind = binary ? 'binary' : 'text';
  const sizes = [...LENGTHS.map((length) => ({ length, chop: undefined as number | undefined })), CHOPPED];
  return sizes.map(({ length, chop }, i) => ({
    id: `${prefix}.${i + 1}`,
    description:
      chop === undefined
        ? `Send ${kind} message with payload of length ${length}.`
        : `Send ${kind} message with payload of length ${length}. Sent out data in chops of ${chop} octets.`,
    expectation: `Receive echo'ed ${kind} message (with ${length === 0 ? 'empty payload' : 'payload as sent'}). Clean close with normal code.`,
    run(ctx) {
      const payload = Buffer.alloc(length, binary ? 0xfe : 0x2a);
      ctx.expect('OK', [message(payload, binary)]);
      ctx.expectClose(SERVER_CLOSES);
      ctx.frame({ opcode: binary ? 2 : 1, payload }, { chop });
      ctx.killAfter(length > 128 ? 10 : 1);
    },
  }));
}
