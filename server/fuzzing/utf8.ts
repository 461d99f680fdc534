// UTF-8 validation for text the client sends back (RFC 6455 §8.1). The
// WHATWG decoder in fatal mode rejects a sequence at the first byte that
// cannot continue it, so feeding it frame by frame fails as fast as the
// bytes allow.

/** Validates one message's bytes as they arrive. */
export class Utf8Validator {
  #decoder = new TextDecoder('utf-8', { fatal: true });

  /** Feeds more bytes; false once the bytes so far cannot begin valid UTF-8. */
  push(bytes: Buffer): boolean {
    try {
      this.#decoder.decode(bytes, { stream: true });
      return true;
    } catch {
      this.#decoder = new TextDecoder('utf-8', { fatal: true });
      return false;
    }
  }

  /** True when everything fed so far is complete, valid UTF-8; resets for the next message. */
  end(): boolean {
    try {
      this.#decoder.decode();
      return true;
    } catch {
      this.#decoder = new TextDecoder('utf-8', { fatal: true });
      return false;
    }
  }
}

/** Whether `bytes` is complete, valid UTF-8. */
export function isValidUtf8(bytes: Buffer): boolean {
  const validator = new Utf8Validator();
  return validator.push(bytes) && validator.end();
}

/**
 * How a payload appears in a report: the text when it is valid UTF-8,
 * otherwise `0x` and hex, in both cases cut to `max` characters with " ...".
 */
export function preview(bytes: Buffer, max = 64): string {
  const cut = bytes.length > max ? bytes.subarray(0, max) : bytes;
  const suffix = bytes.length > max ? ' ...' : '';
  // The cut may split a code point of valid text: up to 3 bytes may go.
  const trims = bytes.length > max ? 3 : 0;
  for (let trim = 0; trim <= trims && trim <= cut.length; trim++) {
    const text = cut.subarray(0, cut.length - trim);
    if (isValidUtf8(text)) return text.toString('utf8') + suffix;
  }
  return `0x${cut.toString('hex')}${suffix}`;
}
