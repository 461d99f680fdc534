// Sec-WebSocket-Accept computed in the browser, as RFC 6455 section 4.2.2
// says the server must: base64(SHA-1(key + GUID)). WebCrypto does the SHA-1,
// so it needs a secure context; no DOM here.
import { WEBSOCKET_GUID } from '../server/protocol.ts';

/** The two handshakes the seed tutorials print, key and the accept they show for it. */
export const SEED_EXAMPLES = [
  { label: 'Seed 000 key', key: 'f7cb4ezEAl6C3wRaU6JORA==', accept: 'rE91AJhfC+6JdVcVXOGJEADEJdQ=' },
  { label: 'Seed 002 key', key: 'sN9cRrP/n9NdMgdcy2VJFQ==', accept: 'fFBooB7FAkLlXgRSz0BT3v4hq5s=' },
] as const;

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
