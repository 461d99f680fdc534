// A WebSocket client on a bare socket (test/support/raw-client.ts) for the
// fuzzing tests: correct by default (it checks frames, fails the connection
// with the right code, answers pings and closes, echoes every message with
// its type), with one fault switched on at a time to make the broken clients
// the tests need: one that does not check UTF-8, one that answers every
// close with 1000, one that never echoes.
import { TextDecoder } from 'node:util';
import { type Frame, Opcode } from '../support/frames.ts';
import { RawClient } from '../support/raw-client.ts';

export interface TesteeFaults {
  /** Accept text and close reasons without checking they are UTF-8. */
  skipUtf8?: boolean;
  /** Answer every close frame with this code, without looking at it. */
  closeAnswer?: number;
  /** Never echo messages (still answer pings and closes). */
  noEcho?: boolean;
}

/** Runs case `number` as `agent`; resolves once the server has closed the connection. */
export async function runTesteeCase(
  port: number,
  number: number,
  agent: string,
  faults: TesteeFaults = {},
): Promise<void> {
  const client = await RawClient.connect(port, { path: `/runCase?case=${number}&agent=${encodeURIComponent(agent)}` });
  if (client.response.statusCode !== 101) throw new Error(`case ${number}: ${client.response.statusLine}`);
  const testee = new Testee(client, faults);
  for (;;) {
    let frame: Frame;
    try {
      frame = await client.nextFrame(30_000);
    } catch {
      break;
    }
    testee.onFrame(frame);
  }
  client.destroy();
}

class Testee {
  readonly #client: RawClient;
  readonly #faults: TesteeFaults;
  /** False once this side has sent a close frame. */
  #open = true;
  #message: { opcode: number; parts: Buffer[]; utf8: TextDecoder } | undefined;

  constructor(client: RawClient, faults: TesteeFaults) {
    this.#client = client;
    this.#faults = faults;
  }

  onFrame(frame: Frame): undefined {
    if (frame.opcode === Opcode.close && this.#faults.closeAnswer !== undefined) {
      this.#close(this.#faults.closeAnswer);
      return;
    }
    if (!this.#open) return;
    if (frame.masked || frame.rsv1 || frame.rsv2 || frame.rsv3) return this.#close(1002);
    if (frame.opcode >= 0x8) return this.#onControl(frame);
    if (frame.opcode > Opcode.binary) return this.#close(1002);
    if (frame.opcode === Opcode.continuation && !this.#message) return this.#close(1002);
    if (frame.opcode !== Opcode.continuation) {
      if (this.#message) return this.#close(1002);
      this.#message = { opcode: frame.opcode, parts: [], utf8: new TextDecoder('utf-8', { fatal: true }) };
    }
    const message = this.#message!;
    message.parts.push(frame.payload);
    const text = message.opcode === Opcode.text && !this.#faults.skipUtf8;
    if (text && !decodes(message.utf8, frame.payload, !frame.fin)) return this.#close(1007);
    if (!frame.fin) return;
    this.#message = undefined;
    if (!this.#faults.noEcho) this.#client.send({ opcode: message.opcode, payload: Buffer.concat(message.parts) });
  }

  #onControl(frame: Frame): undefined {
    if (!frame.fin || frame.payload.length > 125) return this.#close(1002);
    if (frame.opcode === Opcode.ping) {
      this.#client.send({ opcode: Opcode.pong, payload: frame.payload });
      return;
    }
    if (frame.opcode === Opcode.pong) return;
    if (frame.opcode !== Opcode.close) return this.#close(1002);
    if (frame.payload.length === 0) return this.#close(undefined);
    if (frame.payload.length === 1) return this.#close(1002);
    const code = frame.payload.readUInt16BE(0);
    if (!validCode(code)) return this.#close(1002);
    if (
      !this.#faults.skipUtf8 &&
      !decodes(new TextDecoder('utf-8', { fatal: true }), frame.payload.subarray(2), false)
    ) {
      return this.#close(1007);
    }
    this.#close(code);
  }

  /** Sends this side's close frame (once): a reply, or the failure of the connection. */
  #close(code: number | undefined): undefined {
    if (!this.#open) return;
    this.#open = false;
    const payload = Buffer.alloc(code === undefined ? 0 : 2);
    if (code !== undefined) payload.writeUInt16BE(code, 0);
    this.#client.send({ opcode: Opcode.close, payload });
  }
}

function decodes(decoder: TextDecoder, bytes: Buffer, more: boolean): boolean {
  try {
    decoder.decode(bytes, { stream: more });
    return true;
  } catch {
    return false;
  }
}

function validCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && ![1004, 1005, 1006].includes(code)) || (code >= 3000 && code <= 4999);
}
