// Hex in both directions, no DOM: what the user types into bytes, and bytes
// into the `hexdump -C` layout (offset, 16 bytes a row, printable ASCII).
import { t } from './i18n/translate.ts';

/**
 * Reads "de ad be ef", "deadbeef", "DE:AD:BE:EF" or "0xde 0xad": pairs of hex
 * digits, with spaces, colons, commas, dashes and 0x prefixes ignored. Says
 * what is wrong with anything else.
 */
export function parseHex(text: string): Uint8Array | Error {
  const digits = text.replace(/0x/gi, '').replace(/[\s:,-]/g, '');
  if (digits === '') return new Error(t('hex.empty'));
  const bad = /[^0-9a-f]/i.exec(digits);
  if (bad) return new Error(t('hex.notDigit', { char: JSON.stringify(bad[0]) }));
  if (digits.length % 2 === 1) return new Error(t('hex.odd', { count: digits.length }));
  const bytes = new Uint8Array(digits.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(digits.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/** "de ad be ef": bytes as lower-case pairs separated by spaces. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += (i ? ' ' : '') + byteHex(bytes[i]!);
  return out;
}

export const BYTES_PER_ROW = 16;

/**
 * `hexdump -C` rows: an 8-digit hex offset, 16 bytes split 8 + 8, then the
 * same bytes as ASCII with everything outside 0x20–0x7e shown as '.'.
 */
export function hexDump(bytes: Uint8Array): string {
  const rows: string[] = [];
  for (let offset = 0; offset < bytes.length; offset += BYTES_PER_ROW) {
    const row = bytes.subarray(offset, offset + BYTES_PER_ROW);
    let hex = '';
    let ascii = '';
    for (let i = 0; i < BYTES_PER_ROW; i++) {
      const byte = row[i];
      // The extra space after the eighth byte is hexdump's, and helps count.
      hex += (i === 8 ? '  ' : ' ') + (byte === undefined ? '  ' : byteHex(byte));
      if (byte !== undefined) ascii += byte >= 0x20 && byte <= 0x7e ? String.fromCharCode(byte) : '.';
    }
    rows.push(`${offset.toString(16).padStart(8, '0')} ${hex}  |${ascii}|`);
  }
  return rows.join('\n');
}

/** "0a": one byte as two hex digits. */
export function byteHex(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}
