// The payloads of the compression cases. The fuzzing server reads five
// files (a JSON document, a bitmap, Goethe's Faust, an HTML page, a PDF);
// these are made instead, deterministically, with the same kinds of content,
// the same sizes and the same text/binary split, so compression ratios are of
// the same order. The text ones are ASCII, because messages are cut from them
// at arbitrary byte offsets and must stay valid UTF-8.

export interface TestData {
  /** The subcategory's name, as the fuzzing server words it. */
  description: string;
  binary: boolean;
  size: number;
  /** Made on first use: up to 1 MiB each. */
  bytes(): Buffer;
}

const WORDS = [
  'habe', 'nun', 'ach', 'philosophie', 'juristerei', 'und', 'medizin', 'leider', 'auch', 'theologie', 'durchaus',
  'studiert', 'mit', 'heißem', 'bemühn', 'da', 'steh', 'ich', 'armer', 'tor', 'bin', 'so', 'klug', 'als', 'wie',
  'zuvor', 'heiße', 'magister', 'doktor', 'gar', 'ziehe', 'schon', 'zehen', 'jahr', 'herauf', 'herab', 'quer',
  'krumm', 'meine', 'schüler', 'an', 'der', 'nase', 'herum', 'sehe', 'daß', 'wir', 'nichts', 'wissen', 'können',
]; // biome-ignore format: a word list

const JSON_KEYS = [
  'id',
  'name',
  'email',
  'active',
  'balance',
  'tags',
  'friends',
  'registered',
  'latitude',
  'longitude',
];

export const COMPRESSION_DATA: TestData[] = [
  lazy('Large JSON data file', false, 194237, jsonDocument),
  lazy('Lena Picture, Bitmap 512x512 bw', true, 263222, bitmap),
  lazy("Human readable text, Goethe's Faust I (German)", true, 222218, germanText),
  lazy('Large HTML file', false, 167430, htmlPage),
  lazy('A larger PDF', true, 1042328, pdfLike),
];

/** The JSON document of the compression cases with different parameters (13.x). */
export const PARAMETER_DATA = COMPRESSION_DATA[0]!;

function lazy(
  description: string,
  binary: boolean,
  size: number,
  make: (random: () => number, size: number) => Buffer,
): TestData {
  let made: Buffer | undefined;
  return {
    description,
    binary,
    size,
    bytes: () => {
      made ??= fit(make(prng(size), size), size);
      return made;
    },
  };
}

function jsonDocument(random: () => number, size: number): Buffer {
  const records: string[] = [];
  let length = 2;
  for (let id = 0; length < size; id++) {
    const record = Object.fromEntries(
      JSON_KEYS.map((key) => [
        key,
        key === 'id' ? id : key === 'active' ? random() < 0.5 : key === 'tags' ? pick(random, 3) : value(random),
      ]),
    );
    const text = JSON.stringify(record);
    records.push(text);
    length += text.length + 2;
  }
  return Buffer.from(`[${records.join(',\n')}]`);
}

function bitmap(random: () => number, size: number): Buffer {
  // A BMP header, a grey palette, then 512x512 8-bit pixels: smooth shading with a little noise.
  const header = Buffer.alloc(54 + 1024);
  header.write('BM', 0, 'latin1');
  header.writeUInt32LE(size, 2);
  header.writeUInt32LE(54 + 1024, 10);
  header.writeUInt32LE(40, 14);
  header.writeInt32LE(512, 18);
  header.writeInt32LE(512, 22);
  header.writeUInt16LE(1, 26);
  header.writeUInt16LE(8, 28);
  for (let i = 0; i < 256; i++) header.writeUInt32LE(i * 0x010101, 54 + i * 4);
  const pixels = Buffer.alloc(size - header.length);
  for (let i = 0; i < pixels.length; i++) {
    const x = i % 512;
    const y = Math.floor(i / 512);
    pixels[i] = Math.max(0, Math.min(255, 128 + 60 * Math.sin(x / 40) * Math.cos(y / 55) + (random() - 0.5) * 24));
  }
  return Buffer.concat([header, pixels]);
}

function germanText(random: () => number, size: number): Buffer {
  const lines: string[] = [];
  let length = 0;
  while (length < size) {
    const line = `${pick(random, 4 + Math.floor(random() * 6)).join(' ')}${random() < 0.3 ? '!' : ','}`;
    lines.push(line.charAt(0).toUpperCase() + line.slice(1));
    length += Buffer.byteLength(line) + 1;
  }
  return Buffer.from(lines.join('\n'));
}

function htmlPage(random: () => number, size: number): Buffer {
  const parts = ['<!DOCTYPE html>\n<html>\n<head><title>Large HTML file</title></head>\n<body>\n'];
  let length = parts[0]!.length;
  for (let n = 0; length < size; n++) {
    const words = pick(random, 8 + Math.floor(random() * 12))
      .join(' ')
      .replace(/[^\x20-\x7e]/g, 'e');
    const part = `<div class="item" id="item-${n}"><h2>${words.slice(0, 20)}</h2><p>${words}</p><a href="/items/${n}">more</a></div>\n`;
    parts.push(part);
    length += part.length;
  }
  return Buffer.from(parts.join(''));
}

function pdfLike(random: () => number, size: number): Buffer {
  // A PDF is mostly compressed streams: bytes that barely compress, between short text objects.
  const out = Buffer.alloc(size);
  let at = out.write('%PDF-1.4\n', 0, 'latin1');
  for (let object = 1; at < size; object++) {
    at += out.write(`${object} 0 obj\n<< /Length 4096 /Filter /FlateDecode >>\nstream\n`, at, 'latin1');
    for (let i = 0; i < 4096 && at < size; i++) out[at++] = Math.floor(random() * 256);
    at += out.write('\nendstream\nendobj\n', at, 'latin1');
  }
  return out;
}

function value(random: () => number): string | number {
  return random() < 0.5
    ? Math.round(random() * 1e6) / 100
    : pick(random, 2)
        .join(' ')
        .replace(/[^\x20-\x7e]/g, 'e');
}

function pick(random: () => number, count: number): string[] {
  return Array.from({ length: count }, () => WORDS[Math.floor(random() * WORDS.length)]!);
}

/** Exactly `size` bytes: cut, or repeated to length. */
function fit(bytes: Buffer, size: number): Buffer {
  if (bytes.length >= size) return bytes.subarray(0, size);
  return Buffer.concat(Array.from({ length: Math.ceil(size / bytes.length) }, () => bytes)).subarray(0, size);
}

/** A small deterministic generator (mulberry32), so every run sends the same bytes. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
