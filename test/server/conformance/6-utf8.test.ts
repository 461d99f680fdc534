// Autobahn category 6: UTF-8 in text messages. Valid text, including code
// points split across fragments, is echoed byte for byte; a text message that
// is not valid UTF-8 (RFC 3629) fails the connection with 1007 (RFC 6455
// §5.6, §8.1), whole or fragmented.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  assertStillServing,
  expectBinaryEcho,
  expectCloseCode,
  expectTextEcho,
  isValidUtf8,
  open,
} from '../../support/frame-assertions.ts';
import { encodeFrame, type FrameSpec, Opcode } from '../../support/frames.ts';
import { useEchoServer } from '../../support/servers.ts';

const hex = (bytes: Buffer) => [...bytes].map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');

const valid: Array<[string, Buffer]> = [
  ['ASCII', Buffer.from('Hello, world! ~')],
  ['2-byte sequences (é ß ©)', Buffer.from('é ß ©')],
  ['3-byte sequences (€ 你好)', Buffer.from('€ 你好')],
  ['a 4-byte sequence (U+1D11E 𝄞)', Buffer.from('𝄞')],
  ['U+FFFF (EF BF BF)', Buffer.from([0xef, 0xbf, 0xbf])],
  ['U+10FFFF (F4 8F BF BF), the last code point', Buffer.from([0xf4, 0x8f, 0xbf, 0xbf])],
  ['emoji, including a ZWJ sequence and a flag (😀 👩‍💻 🇫🇷)', Buffer.from('😀 👩‍💻 🇫🇷')],
  ['Greek κόσμε', Buffer.from('κόσμε')],
  ['U+0000 (NUL)', Buffer.from([0x00])],
  ['the 1/2-byte boundary U+007F U+0080', Buffer.from([0x7f, 0xc2, 0x80])],
  ['the 2/3-byte boundary U+07FF U+0800', Buffer.from([0xdf, 0xbf, 0xe0, 0xa0, 0x80])],
  ['the surrogate edges U+D7FF U+E000', Buffer.from([0xed, 0x9f, 0xbf, 0xee, 0x80, 0x80])],
  ['the 3/4-byte boundary U+FFFD U+10000', Buffer.from([0xef, 0xbf, 0xbd, 0xf0, 0x90, 0x80, 0x80])],
  ['noncharacters U+FFFE and U+FDD0 (valid UTF-8)', Buffer.from([0xef, 0xbf, 0xbe, 0xef, 0xb7, 0x90])],
];

/** Invalid sequences (RFC 3629 §3/§4), each as a whole text frame and inside a fragmented message. */
const invalid: Array<[string, Buffer]> = [
  ['overlong NUL C0 80', Buffer.from([0xc0, 0x80])],
  ['a UTF-16 surrogate ED A0 80 (U+D800)', Buffer.from([0xed, 0xa0, 0x80])],
  ['F4 90 80 80, beyond U+10FFFF', Buffer.from([0xf4, 0x90, 0x80, 0x80])],
  ['a lone continuation byte 80', Buffer.from([0x80])],
  ['a truncated 3-byte sequence E2 82', Buffer.from([0xe2, 0x82])],
  ['the byte FE', Buffer.from([0xfe])],
  ['the byte FF', Buffer.from([0xff])],
];

const moreInvalid: Array<[string, Buffer]> = [
  ['overlong 2-byte C1 BF', Buffer.from([0xc1, 0xbf])],
  ['overlong 3-byte E0 80 AF', Buffer.from([0xe0, 0x80, 0xaf])],
  ['overlong 4-byte F0 80 80 AF', Buffer.from([0xf0, 0x80, 0x80, 0xaf])],
  ['a low surrogate ED BF BF (U+DFFF)', Buffer.from([0xed, 0xbf, 0xbf])],
  [
    'a surrogate pair encoded as two 3-byte sequences ED A0 BD ED B2 A9',
    Buffer.from([0xed, 0xa0, 0xbd, 0xed, 0xb2, 0xa9]),
  ],
  ['an old 5-byte form F8 88 80 80 80', Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80])],
  ['a 2-byte lead followed by ASCII (C3 28)', Buffer.from([0xc3, 0x28])],
  [
    'invalid bytes in the middle of valid text',
    Buffer.concat([Buffer.from('κόσμε'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('edited')]),
  ],
];

describe('6 utf8', () => {
  const server = useEchoServer();

  let n = 0;
  for (const [name, bytes] of valid) {
    it(`6.1.${++n} valid text: ${name} [${hex(bytes)}] is echoed byte for byte`, async () => {
      assert.ok(isValidUtf8(bytes), 'the vector must be valid UTF-8');
      const client = await open(server.port);
      client.send({ opcode: Opcode.text, payload: bytes });
      await expectTextEcho(client, bytes);
      client.destroy();
    });
  }

  const emoji = Buffer.from('😀'); // F0 9F 98 80
  const split: Array<[string, Buffer[]]> = [
    [
      'a 4-byte code point split 1|3 across fragments',
      [Buffer.from('a'), emoji.subarray(0, 1), Buffer.concat([emoji.subarray(1), Buffer.from('b')])],
    ],
    [
      'a 4-byte code point split 2|2 across fragments',
      [Buffer.concat([Buffer.from('a'), emoji.subarray(0, 2)]), emoji.subarray(2)],
    ],
    [
      'a 4-byte code point split 3|1 across fragments',
      [emoji.subarray(0, 3), Buffer.concat([emoji.subarray(3), Buffer.from('!')])],
    ],
    ['a 4-byte code point with each byte in its own fragment', [...emoji].map((b) => Buffer.of(b))],
    [
      'a 3-byte code point (€) split 1|2, with an empty fragment between',
      [Buffer.from([0xe2]), Buffer.alloc(0), Buffer.from([0x82, 0xac])],
    ],
    [
      '"Hello-µ@ßöäüàá-UTF-8!!" one byte per fragment',
      [...Buffer.from('Hello-µ@ßöäüàá-UTF-8!!')].map((b) => Buffer.of(b)),
    ],
  ];
  n = 0;
  for (const [name, parts] of split) {
    it(`6.2.${++n} ${name} is echoed as one message`, async () => {
      assert.ok(isValidUtf8(Buffer.concat(parts)), 'the vector must be valid UTF-8 as a whole');
      const client = await open(server.port);
      client.write(
        Buffer.concat(
          parts.map((payload, i) =>
            encodeFrame({ opcode: i === 0 ? Opcode.text : Opcode.continuation, payload, fin: i === parts.length - 1 }),
          ),
        ),
      );
      await expectTextEcho(client, Buffer.concat(parts));
      client.destroy();
    });
  }

  n = 0;
  for (const [name, bytes] of [...invalid, ...moreInvalid]) {
    it(`6.3.${++n} a text frame with ${name} [${hex(bytes)}] fails the connection with 1007`, async () => {
      assert.ok(!isValidUtf8(bytes), 'the vector must be invalid UTF-8');
      const client = await open(server.port);
      client.send({ opcode: Opcode.text, payload: bytes });
      await expectCloseCode(client, 1007);
      await assertStillServing(server.port);
    });
  }

  n = 0;
  for (const [name, bytes] of invalid) {
    it(`6.4.${++n} ${name} [${hex(bytes)}] arriving in a later fragment fails the connection with 1007`, async () => {
      const client = await open(server.port);
      const frames: FrameSpec[] = [
        { opcode: Opcode.text, payload: 'κόσμε', fin: false },
        { opcode: Opcode.continuation, payload: bytes, fin: false },
        { opcode: Opcode.continuation, payload: 'edited' },
      ];
      client.write(Buffer.concat(frames.map(encodeFrame)));
      await expectCloseCode(client, 1007);
      await assertStillServing(server.port);
    });
  }

  const fragmentedInvalid: Array<[string, Buffer[]]> = [
    [
      'a message whose last fragment ends in the middle of a 3-byte sequence (E2 82)',
      [Buffer.from('Hello, '), Buffer.from([0x77, 0x6f, 0xe2, 0x82])],
    ],
    [
      'a message whose fragments end after 3 bytes of a 4-byte sequence, with an empty final fragment',
      [Buffer.from([0x61, 0xf0, 0x9f, 0x98]), Buffer.alloc(0)],
    ],
    [
      'a message of one fragment ending after the lead byte of a 2-byte sequence (C3), then an empty final fragment',
      [Buffer.from([0x61, 0xc3]), Buffer.alloc(0)],
    ],
    ['a surrogate split across fragments (ED | A0 80)', [Buffer.from([0x61, 0xed]), Buffer.from([0xa0, 0x80, 0x62])]],
    ['an overlong sequence split across fragments (C0 | 80)', [Buffer.from([0xc0]), Buffer.from([0x80])]],
    [
      'a sequence beyond U+10FFFF split across fragments (F4 90 | 80 80)',
      [Buffer.from([0xf4, 0x90]), Buffer.from([0x80, 0x80])],
    ],
    ['a valid first fragment then FF in the final fragment', [Buffer.from('Hello, '), Buffer.from([0x77, 0xff, 0x6f])]],
  ];
  n = 0;
  for (const [name, parts] of fragmentedInvalid) {
    it(`6.5.${++n} ${name} fails the connection with 1007`, async () => {
      const client = await open(server.port);
      assert.ok(!isValidUtf8(Buffer.concat(parts)), 'the vector must be invalid as a whole');
      client.write(
        Buffer.concat(
          parts.map((payload, i) =>
            encodeFrame({ opcode: i === 0 ? Opcode.text : Opcode.continuation, payload, fin: i === parts.length - 1 }),
          ),
        ),
      );
      await expectCloseCode(client, 1007);
      await assertStillServing(server.port);
    });
  }

  it('6.6 invalid UTF-8 in a binary message is not checked: it is echoed', async () => {
    const client = await open(server.port);
    const bytes = Buffer.from([0xc0, 0x80, 0xed, 0xa0, 0x80, 0xff, 0xfe]);
    client.send({ opcode: Opcode.binary, payload: bytes });
    await expectBinaryEcho(client, bytes);
    client.destroy();
  });
});
