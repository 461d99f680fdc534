// Category 10, miscellaneous: a message the server fragments by itself.
import { message, SERVER_CLOSES } from './common.ts';
import type { CaseSpec } from './types.ts';

const LENGTH = 65536;
const FRAGMENT_SIZE = 1300;

export const MISC_CASES: CaseSpec[] = [
  {
    id: '10.1.1',
    description: `Send text message with payload of length ${LENGTH} auto-fragmented with autoFragmentSize = ${FRAGMENT_SIZE}.`,
    expectation:
      "Receive echo'ed text message (with payload as sent and transmitted frame counts as expected). Clean close with normal code.",
    run(ctx) {
      const payload = Buffer.alloc(LENGTH, 0x2a);
      ctx.expect('OK', [message(payload)]);
      ctx.expectClose(SERVER_CLOSES);
      ctx.message(payload, { fragmentSize: FRAGMENT_SIZE });
      ctx.killAfter(10);
    },
    finish(verdict, { txFrames }) {
      // 50 full continuation frames and the text frame that starts the message.
      const continuations = Math.floor(LENGTH / FRAGMENT_SIZE);
      if ((txFrames['0'] ?? 0) === continuations && (txFrames['1'] ?? 0) === 1) return verdict;
      return {
        ...verdict,
        behavior: 'FAILED',
        result: `Frames transmitted ${JSON.stringify(txFrames)} do not match what was expected.`,
      };
    },
  },
];
