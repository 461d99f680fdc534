// Sec-WebSocket-Accept computed in the browser, as RFC 6455 section 4.2.2
// says the server must: base64(SHA-1(key + GUID)). WebCrypto does the SHA-1,
// so it needs a secure context; no DOM here.
import { WEBSOCKET_GUID } from '../server/protocol.ts';

/** The handshakes the two tutorials print: the key each shows, and the accept it shows for it. */
export const TUTORIAL_KEYS = {
  /** *Go Web Programming* §8.2 "WebSocket". */
  go: { key: 'f7cb4ezEAl6C3wRaU6JORA==', accept: 'rE91AJhfC+6JdVcVXOGJEADEJdQ=' },
  /** Ruan Yifeng's WebSocket tutorial. */
  'ruan-yifeng': { key: 'sN9cRrP/n9NdMgdcy2VJFQ==', accept: 'fFBooB7FAkLlXgRSz0BT3v4hq5s=' },
} as const;

/** Which tutorial's key: the `data-tutorial` of the calculator's buttons. */
export type Tutorial = keyof typeof TUTORIAL_KEYS;

/** Whether `name` is one of TUTORIAL_KEYS' tutorials. */
export function isTutorial(name: string | undefined): name is Tutorial {
  return name !== undefined && Object.hasOwn(TUTORIAL_KEYS, name);
}

/**
 * Whether crypto.subtle is there: only in secure contexts (https, and http on
 * localhost or 127.0.0.1); a page over plain http from another host has none.
 */
export function canComputeAccept(): boolean {
  return globalThis.crypto?.subtle !== undefined;
}

/** base64(SHA-1(key + GUID)); rejects where canComputeAccept() is false. */
export async function computeAccept(key: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-1', new TextEncoder().encode(key + WEBSOCKET_GUID));
  return btoa(String.fromCharCode(...new Uint8Array(digest)));
}
