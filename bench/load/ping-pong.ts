// One connection with one 32-byte text message in flight, the next sent by
// the reply handler: (a) times each round trip, (i) counts them with the
// client on the server's core. Distinct payloads, so a stale or misrouted
// reply cannot pass as the right one.
import { clientFrame, FrameParser, OP_TEXT, openWebSocket, upgradeRequest } from '../frames.ts';
import { failOnUnexpectedClose, resetAll, textPayload, type ScenarioContext, textChecker } from './common.ts';

const RING = 64;

export interface PingPong {
  /** Sends the next message. */
  send(): void;
  /** Messages sent so far. */
  readonly sent: number;
  /** Ends the connection (a reset, as every scenario does); no error after this. */
  close(): void;
}

/** Opens the connection; `onReply` runs after each reply has been checked. Send the first message with send(). */
export async function openPingPong(ctx: ScenarioContext, label: string, onReply: () => void): Promise<PingPong> {
  const payloads = Array.from({ length: RING }, (_, slot) => textPayload(0, slot));
  const frames = payloads.map((payload) => clientFrame(OP_TEXT, payload));
  const { socket, read } = await openWebSocket(ctx.target, upgradeRequest(ctx.target), '127.0.0.1');
  let ending = false;
  failOnUnexpectedClose(socket, label, () => ending);
  const parser = new FrameParser(textChecker(label, payloads, onReply));
  read((bytes) => parser.push(bytes));
  let sent = 0;
  return {
    send: () => socket.write(frames[sent++ % RING]!),
    get sent() {
      return sent;
    },
    close() {
      ending = true;
      resetAll([socket]);
    },
  };
}
