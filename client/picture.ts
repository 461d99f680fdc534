// The picture on the Binary card's canvas, as data: the client and the
// server, a message going out above and its echo coming back below, and the
// byte count of the pixels the page sends. Fixed shapes and colours, nothing
// random, so screenshots stay comparable. No DOM: client/views/canvas-view.ts
// paints it.
import { TEXT_REPLY_PREFIX } from '../server/protocol.ts';
import { t } from './i18n/translate.ts';

export interface Node {
  x: number;
  y: number;
  /** The filled disc; faint rings go around it, RING_GAP apart. */
  radius: number;
  colour: string;
  label: string;
}

export interface Arrow {
  fromX: number;
  /** Where the head points. */
  toX: number;
  y: number;
  colour: string;
}

export interface Label {
  text: string;
  /** Where the text's baseline is centred. */
  x: number;
  y: number;
  font: string;
  colour: string;
}

/** One thing painted on the canvas; the picture lists them in painting order. */
export type Shape = ({ kind: 'arrow' } & Arrow) | ({ kind: 'node' } & Node) | ({ kind: 'label' } & Label);

export interface Picture {
  /** A diagonal gradient from the top left to the bottom right. */
  background: readonly [string, string];
  /** A faint dot grid, so the picture has detail in every row of pixels. */
  dots: { first: number; step: number; size: number; colour: string };
  /** Painted in this order over the background and the dots: later ones cover earlier ones. */
  shapes: Shape[];
}

/** How many rings go around each node, and how far apart. */
export const RINGS = 3;
export const RING_GAP = 9;

/** Bytes of RGBA pixels in a `width` × `height` canvas: what getImageData hands over. */
export function pixelBytes(width: number, height: number): number {
  return width * height * 4;
}

/** The picture for a canvas of `width` × `height`, its words in the page's language (the messages stay as sent). */
export function pictureOf(width: number, height: number): Picture {
  const client: Node = { x: 78, y: height / 2, radius: 30, colour: '#38bdf8', label: t('canvas.client') };
  const server: Node = { x: width - 78, y: height / 2, radius: 30, colour: '#f472b6', label: t('canvas.server') };
  const gap = 42;
  const label = (text: string, y: number, font: string, colour: string): Shape => ({
    kind: 'label',
    text,
    x: width / 2,
    y,
    font,
    colour,
  });
  return {
    background: ['#1e3a8a', '#7c3aed'],
    dots: { first: 16, step: 24, size: 2, colour: 'rgba(255, 255, 255, 0.12)' },
    shapes: [
      label(t('canvas.title'), 52, '600 24px system-ui, sans-serif', '#f8fafc'),
      { kind: 'arrow', fromX: client.x + gap, toX: server.x - gap, y: client.y - 22, colour: '#bae6fd' },
      { kind: 'arrow', fromX: server.x - gap, toX: client.x + gap, y: server.y + 22, colour: '#fbcfe8' },
      label('Hello, world!', client.y - 34, '13px ui-monospace, monospace', '#e0f2fe'),
      label(`${TEXT_REPLY_PREFIX}Hello, world!`, server.y + 44, '13px ui-monospace, monospace', '#fce7f3'),
      // The nodes' rings go over the ends of the longer message line.
      { kind: 'node', ...client },
      { kind: 'node', ...server },
      label(
        t('canvas.bytes', { width, height, bytes: pixelBytes(width, height) }),
        height - 28,
        '14px system-ui, sans-serif',
        'rgba(248, 250, 252, 0.85)',
      ),
    ],
  };
}
