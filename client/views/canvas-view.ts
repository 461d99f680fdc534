// The canvas in the Binary card, as Ruan Yifeng's tutorial has it: a
// picture to look at (client/picture.ts), and its 400 × 320 × 4 bytes of
// RGBA pixels sent as one ArrayBuffer by Send canvas pixels.
import { ReadyState, type EchoConnection } from '../connection.ts';
import { binaryDescription } from '../describe.ts';
import { onLanguageChange, t } from '../i18n/translate.ts';
import { type Arrow, type Label, type Node, type Picture, pictureOf, RING_GAP, RINGS } from '../picture.ts';
import type { Session } from '../session.ts';
import { find } from './dom.ts';

/** Paints the picture into the figure's canvas and wires its send button. */
export function setupCanvasView(root: Element, connection: EchoConnection, session: Session): void {
  const canvas = find(root, 'canvas', HTMLCanvasElement);
  const button = find(root, 'send-canvas', HTMLButtonElement);
  const ctx = canvas.getContext('2d');
  const repaint = () => {
    if (ctx) paint(ctx, pictureOf(canvas.width, canvas.height));
  };
  repaint();
  // The picture's words follow the page's language.
  onLanguageChange(repaint);

  button.addEventListener('click', () => {
    // No copy needed, unlike the tutorial's loop: ImageData owns a fresh buffer each call.
    const pixels = ctx
      ? (ctx.getImageData(0, 0, canvas.width, canvas.height).data.buffer as ArrayBuffer)
      : new ArrayBuffer(0);
    const binary = binaryDescription(pixels);
    session.send(pixels, () => t('log.canvas', { binary: binary() }));
  });
  connection.on('state', (state) => {
    button.disabled = state !== ReadyState.OPEN;
  });
}

function paint(ctx: CanvasRenderingContext2D, picture: Picture): void {
  const { width, height } = ctx.canvas;
  const sky = ctx.createLinearGradient(0, 0, width, height);
  sky.addColorStop(0, picture.background[0]);
  sky.addColorStop(1, picture.background[1]);
  ctx.fillStyle = sky;
  ctx.fillRect(0, 0, width, height);

  const { first, step, size, colour } = picture.dots;
  ctx.fillStyle = colour;
  for (let y = first; y < height; y += step) {
    for (let x = first; x < width; x += step) ctx.fillRect(x, y, size, size);
  }

  for (const shape of picture.shapes) {
    if (shape.kind === 'arrow') paintArrow(ctx, shape);
    else if (shape.kind === 'node') paintNode(ctx, shape);
    else paintLabel(ctx, shape);
  }
}

function paintLabel(ctx: CanvasRenderingContext2D, { text, x, y, font, colour }: Label): void {
  ctx.font = font;
  ctx.fillStyle = colour;
  ctx.textAlign = 'center';
  ctx.fillText(text, x, y);
}

function paintNode(ctx: CanvasRenderingContext2D, { x, y, radius, colour, label }: Node): void {
  // Soft rings around each end, like a signal going out.
  ctx.lineWidth = 2;
  for (let ring = 1; ring <= RINGS; ring++) {
    ctx.strokeStyle = `rgba(255, 255, 255, ${0.32 - ring * 0.08})`;
    ctx.beginPath();
    ctx.arc(x, y, radius + ring * RING_GAP, 0, 2 * Math.PI);
    ctx.stroke();
  }
  ctx.fillStyle = colour;
  ctx.beginPath();
  ctx.arc(x, y, radius, 0, 2 * Math.PI);
  ctx.fill();
  ctx.fillStyle = '#0f172a';
  ctx.font = '600 13px system-ui, sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(label, x, y);
  ctx.textBaseline = 'alphabetic';
}

function paintArrow(ctx: CanvasRenderingContext2D, { fromX, toX, y, colour }: Arrow): void {
  const head = 9 * Math.sign(toX - fromX);
  ctx.strokeStyle = colour;
  ctx.fillStyle = colour;
  ctx.lineWidth = 3;
  ctx.lineCap = 'round';
  ctx.beginPath();
  ctx.moveTo(fromX, y);
  ctx.lineTo(toX - head, y);
  ctx.stroke();
  ctx.beginPath();
  ctx.moveTo(toX, y);
  ctx.lineTo(toX - head * 1.4, y - 7);
  ctx.lineTo(toX - head * 1.4, y + 7);
  ctx.closePath();
  ctx.fill();
}
