// Category 2, pings and pongs (RFC 6455 §5.5.2–5.5.3): pongs answer pings
// with the same payload, unsolicited pongs get no answer, and a ping longer
// than 125 octets or fragmented is a protocol error.
import { clientFails, pong, SERVER_CLOSES } from './common.ts';
import type { CaseSpec } from './types.ts';

const BINARY = Buffer.from([0x00, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0x00, 0xff]);
const PONG_BACK = "Pong with payload echo'ed is sent in reply to Ping. Clean close with normal code.";

export const PING_PONG_CASES: CaseSpec[] = [
  pingCase('2.1', 'Send ping without payload.', Buffer.alloc(0), {
    expectation: 'Pong (with empty payload) is sent in reply to Ping. Clean close with normal code.',
  }),
  pingCase('2.2', 'Send ping with small text payload.', Buffer.from('Hello, world!')),
  pingCase('2.3', 'Send ping with small binary (non UTF-8) payload.', BINARY),
  pingCase('2.4', 'Send ping with binary payload of 125 octets.', Buffer.alloc(125, 0xfe)),
  {
    id: '2.5',
    description: 'Send ping with binary payload of 126 octets.',
    expectation:
      'Connection is failed immediately (1002/Protocol Error), since control frames are only allowed to have payload up to and including 125 octets.',
    run(ctx) {
      ctx.expect('OK', []);
      ctx.expectClose(clientFails());
      ctx.frame({ opcode: 9, payload: Buffer.alloc(126, 0xfe) });
      ctx.killAfter(1);
    },
  },
  pingCase('2.6', 'Send ping with binary payload of 125 octets, send in octet-wise chops.', Buffer.alloc(125, 0xfe), {
    chop: 1,
    wait: 2,
    expectation:
      "Pong with payload echo'ed is sent in reply to Ping. Implementations must be TCP clean. Clean close with normal code.",
  }),
  unsolicited(
    '2.7',
    'Send unsolicited pong without payload. Verify nothing is received. Clean close with normal code.',
    '',
  ),
  unsolicited(
    '2.8',
    'Send unsolicited pong with payload. Verify nothing is received. Clean close with normal code.',
    'unsolicited pong payload',
  ),
  {
    id: '2.9',
    description: 'Send unsolicited pong with payload. Send ping with payload. Verify pong for ping is received.',
    expectation:
      "Nothing in reply to own Pong, but Pong with payload echo'ed in reply to Ping. Clean close with normal code.",
    run(ctx) {
      ctx.expect('OK', [pong('ping payload')]);
      ctx.expectClose(SERVER_CLOSES);
      ctx.frame({ opcode: 10, payload: Buffer.from('unsolicited pong payload') });
      ctx.frame({ opcode: 9, payload: Buffer.from('ping payload') });
      ctx.closeAfter(1);
    },
  },
  tenPings('2.10', 'Send 10 Pings with payload.', undefined),
  tenPings('2.11', 'Send 10 Pings with payload. Send out octets in octet-wise chops.', 1),
];

function pingCase(
  id: string,
  description: string,
  payload: Buffer,
  { chop, wait = 1, expectation = PONG_BACK }: { chop?: number; wait?: number; expectation?: string } = {},
): CaseSpec {
  return {
    id,
    description,
    expectation,
    run(ctx) {
      ctx.expect('OK', [pong(payload)]);
      ctx.expectClose(SERVER_CLOSES);
      ctx.frame({ opcode: 9, payload }, { chop });
      ctx.closeAfter(wait);
    },
  };
}

function unsolicited(id: string, description: string, payload: string): CaseSpec {
  return {
    id,
    description,
    expectation: 'Nothing.',
    run(ctx) {
      ctx.expect('OK', []);
      ctx.expectClose(SERVER_CLOSES);
      ctx.frame({ opcode: 10, payload: Buffer.from(payload) });
      ctx.close(1000);
      ctx.closeAfter(1);
    },
  };
}

function tenPings(id: string, description: string, chop: number | undefined): CaseSpec {
  return {
    id,
    description,
    expectation:
      'Pongs for our Pings with all the payloads. Note: This is not required by the Spec .. but we check for this behaviour anyway. Clean close with normal code.',
    run(ctx) {
      const payloads = Array.from({ length: 10 }, (_, i) => `payload-${i}`);
      ctx.expect(
        'OK',
        payloads.map((payload) => pong(payload)),
      );
      ctx.expectClose(SERVER_CLOSES);
      for (const payload of payloads) ctx.frame({ opcode: 9, payload: Buffer.from(payload) }, { chop });
      ctx.closeAfter(3);
    },
  };
}
