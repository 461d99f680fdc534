// What close codes mean (RFC 6455 section 7.4 and the IANA registry) and
// which ones a page may send. Plain strings, no DOM, so describe.ts and the
// close panel name codes the same way.
import { DEFAULT_MAX_MESSAGE_SIZE } from '../server/protocol.ts';

/** The short names RFC 6455 and the IANA registry give the 1000-range codes. */
const NAMES: Partial<Record<number, string>> = {
  1000: 'Normal Closure',
  1001: 'Going Away',
  1002: 'Protocol Error',
  1003: 'Unsupported Data',
  1005: 'No Status Received',
  1006: 'Abnormal Closure',
  1007: 'Invalid Payload Data',
  1008: 'Policy Violation',
  1009: 'Message Too Big',
  1010: 'Mandatory Extension',
  1011: 'Internal Error',
  1012: 'Service Restart',
  1013: 'Try Again Later',
  1014: 'Bad Gateway',
  1015: 'TLS Handshake',
};

// One sentence each, for a learner who sees the code for the first time.
const EXPLANATIONS: Partial<Record<number, string>> = {
  1000: 'the purpose of the connection was fulfilled.',
  1001: 'an endpoint is going away, e.g. a server shutting down or a page being left.',
  1002: 'an endpoint received a frame that breaks the protocol.',
  1003: 'an endpoint received a type of data it cannot accept (e.g. binary where it wants text).',
  1005: 'the close frame carried no code; never sent on the wire, only reported.',
  1006: 'the connection dropped without a close frame; never sent on the wire, only reported.',
  1007: 'a message was not what its type promised, e.g. text that is not UTF-8.',
  1008: 'a message broke the endpoint’s policy (this server: the rate limit).',
  1009: `a message was too big for the endpoint (this server: over ${DEFAULT_MAX_MESSAGE_SIZE} by default).`,
  1010: 'the client needed an extension the server did not agree to.',
  1011: 'the server met an unexpected condition.',
  1012: 'the server is restarting; reconnecting later may work.',
  1013: 'the server is overloaded; try again later.',
  1014: 'a gateway or proxy got an invalid response upstream.',
  1015: 'the TLS handshake failed; never sent on the wire, only reported.',
};

/** "Normal Closure", "Private use", …: the name shown in brackets after a code. */
export function closeCodeName(code: number): string {
  const named = NAMES[code];
  if (named) return named;
  if (code >= 3000 && code <= 3999) return 'Registered';
  if (code >= 4000 && code <= 4999) return 'Private use';
  if (code >= 1000 && code <= 2999) return 'Reserved';
  return 'Not a valid code';
}

/** A sentence explaining the code, e.g. "Private use: 4000–4999 are …". */
export function closeCodeMeaning(code: number): string {
  const explained = EXPLANATIONS[code];
  if (explained) return `${closeCodeName(code)}: ${explained}`;
  if (code >= 3000 && code <= 3999)
    return 'Registered: 3000–3999 are registered with IANA by libraries, frameworks and applications.';
  if (code >= 4000 && code <= 4999)
    return 'Private use: 4000–4999 are for an application and its server to agree on; no registry.';
  if (code >= 1000 && code <= 2999) return 'Reserved: 1000–2999 are kept for RFC 6455 and its future extensions.';
  return 'Not a valid code: close codes run from 1000 to 4999.';
}

/** The most UTF-8 bytes a close reason may have: a control frame holds 125, minus the 2-byte code. */
export const MAX_REASON_BYTES = 123;

/**
 * Why `close(code)` would be refused, or undefined when a page may send it.
 * Browsers allow 1000 and 3000–4999 only and throw InvalidAccessError for the
 * rest, so this says what the rule is instead of surfacing that exception.
 */
export function closeCodeProblem(text: string): Error | undefined {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return new Error('Enter a whole number: 1000, or one from 3000 to 4999.');
  const code = Number(trimmed);
  if (code === 1000 || (code >= 3000 && code <= 4999)) return undefined;
  if (code >= 1001 && code <= 1015) {
    return new Error(
      `${code} (${closeCodeName(code)}) is for browsers and servers to send or report; a page may only close with 1000 or 3000–4999.`,
    );
  }
  if (code >= 1016 && code <= 2999)
    return new Error(`${code} is reserved for future RFCs; a page may only close with 1000 or 3000–4999.`);
  return new Error(`${code} is outside the close codes (1000–4999); a page may only close with 1000 or 3000–4999.`);
}

/** UTF-8 length of a reason, which is what the 123-byte limit counts. */
export function reasonBytes(reason: string): number {
  return new TextEncoder().encode(reason).length;
}

/** Why the reason is refused, or undefined when it fits. */
export function closeReasonProblem(reason: string): Error | undefined {
  const bytes = reasonBytes(reason);
  if (bytes <= MAX_REASON_BYTES) return undefined;
  return new Error(`The reason is ${bytes} bytes in UTF-8; a close frame has room for ${MAX_REASON_BYTES}.`);
}
