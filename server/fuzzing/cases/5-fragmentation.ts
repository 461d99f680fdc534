// Category 5, fragmentation (RFC 6455 §5.4): control frames must not be
// fragmented, control frames may come between fragments, continuation
// frames need a message to continue, and a message's later frames must use
// opcode 0. Each shape is sent whole, frame by frame, and octet by octet.
import { clientFails, message, pong, SERVER_CLOSES } from './common.ts';
import type { CaseContext, CaseSpec, SendOptions } from './types.ts';

const IN_ONE_CHOP = {} satisfies SendOptions;
const FRAME_WISE = { sync: true } satisfies SendOptions;
const OCTET_WISE = { chop: 1 } satisfies SendOptions;
const NOTHING_TO_CONTINUE = 'The connection is failed immediately, since there is no message to continue.';
const b = (text: string) => Buffer.from(text);

export const FRAGMENTATION_CASES: CaseSpec[] = [
  fragmentedControl('5.1', 'Ping', 9),
  fragmentedControl('5.2', 'Pong', 10),
  twoFragments('5.3', 'Send text Message fragmented into 2 fragments.', IN_ONE_CHOP),
  twoFragments(
    '5.4',
    'Send text Message fragmented into 2 fragments, octets are sent in frame-wise chops.',
    FRAME_WISE,
  ),
  twoFragments(
    '5.5',
    'Send text Message fragmented into 2 fragments, octets are sent in octet-wise chops.',
    OCTET_WISE,
  ),
  pingBetween('5.6', 'Send text Message fragmented into 2 fragments, one ping with payload in-between.', IN_ONE_CHOP),
  pingBetween(
    '5.7',
    'Send text Message fragmented into 2 fragments, one ping with payload in-between. Octets are sent in frame-wise chops.',
    FRAME_WISE,
  ),
  pingBetween(
    '5.8',
    'Send text Message fragmented into 2 fragments, one ping with payload in-between. Octets are sent in octet-wise chops.',
    OCTET_WISE,
  ),
  continuationFirst('5.9', true, 'sent in one chop', IN_ONE_CHOP),
  continuationFirst('5.10', true, 'sent in per-frame chops', FRAME_WISE),
  continuationFirst('5.11', true, 'sent in octet-wise chops', OCTET_WISE),
  continuationFirst('5.12', false, 'sent in one chop', IN_ONE_CHOP),
  continuationFirst('5.13', false, 'sent in per-frame chops', FRAME_WISE),
  continuationFirst('5.14', false, 'sent in octet-wise chops', OCTET_WISE),
  {
    id: '5.15',
    description:
      'Send text Message fragmented into 2 fragments, then Continuation Frame with FIN = false where there is nothing to continue, then unfragmented Text Message, all sent in one chop.',
    expectation: NOTHING_TO_CONTINUE,
    run(ctx) {
      ctx.expect('OK', [message('fragment1fragment2')]);
      ctx.expect('NON-STRICT', []);
      ctx.expectClose(clientFails());
      ctx.frame({ opcode: 1, fin: false, payload: b('fragment1') });
      ctx.frame({ opcode: 0, fin: true, payload: b('fragment2') });
      ctx.frame({ opcode: 0, fin: false, payload: b('fragment3') });
      ctx.frame({ opcode: 1, fin: true, payload: b('fragment4') });
      ctx.killAfter(1);
    },
  },
  repeatedOrphan('5.16', false),
  repeatedOrphan('5.17', true),
  {
    id: '5.18',
    description:
      'Send text Message fragmented into 2 fragments, with both frame opcodes set to text, sent in one chop.',
    expectation:
      'The connection is failed immediately, since all data frames after the initial data frame must have opcode 0.',
    run(ctx) {
      ctx.expect('OK', []);
      ctx.expectClose(clientFails());
      ctx.frame({ opcode: 1, fin: false, payload: b('fragment1') });
      ctx.frame({ opcode: 1, fin: true, payload: b('fragment2') });
      ctx.killAfter(1);
    },
  },
  fiveFragmentsTwoPings(
    '5.19',
    'A fragmented text message is sent in multiple frames. After sending the first 2 frames of the text message, a Ping is sent. Then we wait 1s, then we send 2 more text fragments, another Ping and then the final text fragment. Everything is legal.',
    IN_ONE_CHOP,
  ),
  fiveFragmentsTwoPings(
    '5.20',
    'Same as Case 5.19, but send all frames with SYNC = True. Note, this does not change the octets sent in any way, only how the stream is chopped when sending.',
    FRAME_WISE,
  ),
];

function fragmentedControl(id: string, name: string, opcode: number): CaseSpec {
  return {
    id,
    description: `Send ${name} fragmented into 2 fragments.`,
    expectation: 'Connection is failed immediately, since control message MUST NOT be fragmented.',
    run(ctx) {
      ctx.expect('OK', []);
      ctx.expectClose(clientFails());
      ctx.frame({ opcode, fin: false, payload: b('fragment1') });
      ctx.frame({ opcode: 0, fin: true, payload: b('fragment2') });
      ctx.killAfter(1);
    },
  };
}

function twoFragments(id: string, description: string, send: SendOptions): CaseSpec {
  return {
    id,
    description,
    expectation: "Message is processed and echo'ed back to us.",
    run(ctx) {
      ctx.expect('OK', [message('fragment1fragment2')]);
      ctx.expectClose(SERVER_CLOSES);
      ctx.frame({ opcode: 1, fin: false, payload: b('fragment1') }, send);
      ctx.frame({ opcode: 0, fin: true, payload: b('fragment2') }, send);
      ctx.closeAfter(1);
    },
  };
}

function pingBetween(id: string, description: string, send: SendOptions): CaseSpec {
  return {
    id,
    description,
    expectation: "A pong is received, then the message is echo'ed back to us.",
    run(ctx) {
      ctx.expect('OK', [pong('ping payload'), message('fragment1fragment2')]);
      ctx.expectClose(SERVER_CLOSES);
      ctx.frame({ opcode: 1, fin: false, payload: b('fragment1') }, send);
      ctx.frame({ opcode: 9, payload: b('ping payload') }, send);
      ctx.frame({ opcode: 0, fin: true, payload: b('fragment2') }, send);
      ctx.closeAfter(1);
    },
  };
}

function continuationFirst(id: string, fin: boolean, how: string, send: SendOptions): CaseSpec {
  return {
    id,
    description: `Send unfragmented Text Message after Continuation Frame with FIN = ${fin}, where there is nothing to continue, ${how}.`,
    expectation: NOTHING_TO_CONTINUE,
    run(ctx) {
      ctx.expect('OK', []);
      ctx.expectClose(clientFails());
      ctx.frame({ opcode: 0, fin, payload: b('non-continuation payload') }, send);
      ctx.frame({ opcode: 1, payload: b('Hello, world!') }, send);
      ctx.killAfter(1);
    },
  };
}

function repeatedOrphan(id: string, fin: boolean): CaseSpec {
  return {
    id,
    description: `Repeated 2x: Continuation Frame with FIN = ${fin} (where there is nothing to continue), then text Message fragmented into 2 fragments.`,
    expectation: NOTHING_TO_CONTINUE,
    run(ctx) {
      ctx.expect('OK', []);
      ctx.expectClose(clientFails());
      for (let i = 0; i < 2; i++) {
        ctx.frame({ opcode: 0, fin, payload: b('fragment1') });
        ctx.frame({ opcode: 1, fin: false, payload: b('fragment2') });
        ctx.frame({ opcode: 0, fin: true, payload: b('fragment3') });
      }
      ctx.killAfter(1);
    },
  };
}

function fiveFragmentsTwoPings(id: string, description: string, send: SendOptions): CaseSpec {
  const fragments = ['fragment1', 'fragment2', 'fragment3', 'fragment4', 'fragment5'];
  const pings = ['pongme 1!', 'pongme 2!'];
  const fragmentFrame = (ctx: CaseContext, i: number, opcode: number, fin: boolean) =>
    ctx.frame({ opcode, fin, payload: b(fragments[i]!) }, send);
  return {
    id,
    description,
    expectation:
      "The peer immediately answers the first Ping before it has received the last text message fragment. The peer pong's back the Ping's payload exactly, and echo's the payload of the fragmented message back to us.",
    run(ctx) {
      ctx.expect('OK', [pong(pings[0]!), pong(pings[1]!), message(fragments.join(''))]);
      ctx.expectClose(SERVER_CLOSES);
      fragmentFrame(ctx, 0, 1, false);
      fragmentFrame(ctx, 1, 0, false);
      ctx.frame({ opcode: 9, payload: b(pings[0]!) }, send);
      ctx.later(1, 'A', () => {
        fragmentFrame(ctx, 2, 0, false);
        fragmentFrame(ctx, 3, 0, false);
        ctx.frame({ opcode: 9, payload: b(pings[1]!) }, send);
        fragmentFrame(ctx, 4, 0, true);
        ctx.closeAfter(1);
      });
    },
  };
}
