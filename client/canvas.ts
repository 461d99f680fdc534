// The canvas from seed 002: something to look at, and 400 × 320 × 4 bytes of
// RGBA pixels to send as one ArrayBuffer.
import { TEXT_REPLY_PREFIX } from '../server/protocol.ts';

/** Paints the picture: fixed shapes and colours, nothing random, so screenshots stay comparable. */
export function drawPicture(canvas: HTMLCanvasElement): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const { width, height } = canvas;
  const client = { x: 78, y: height / 2 };
  const server = { x: width - 78, y: height / 2 };

  const sky = ctx.createLinearGradient(0, 0, width, height);
  sky.addColorStop(0, '#1e3a8a');
  sky.addColorStop(1, '#7c3aed');
  ctx.fillStyle = sky;
  ctx.fillRect(0, 0, width, height);

  // A faint dot grid, so the picture has detail in every row of pixels.
  ctx.fillStyle = 'rgba(255, 255, 255, 0.12)';
  for (let y = 16; y < height; y += 24) {
    for (let x = 16; x < width; x += 24) ctx.fillRect(x, y, 2, 2);
  }

  ctx.textAlign = 'center';
  ctx.fillStyle = '#f8fafc';
  ctx.font = '600 24px system-ui, sans-serif';
  ctx.fillText('ws:// echo', width / 2, 52);

  drawArrow(ctx, client.x + 42, server.x - 42, client.y - 22, '#bae6fd');
  drawArrow(ctx, server.x - 42, client.x + 42, server.y + 22, '#fbcfe8');
  ctx.font = '13px ui-monospace, monospace';
  ctx.fillStyle = '#e0f2fe';
  ctx.fillText('Hello, world!', width / 2, client.y - 34);
  ctx.fillStyle = '#fce7f3';
  ctx.fillText(`${TEXT_REPLY_PREFIX}Hello, world!`, width / 2, server.y + 44);

  drawNode(ctx, client.x, client.y, '#38bdf8', 'client');
  drawNode(ctx, server.x, server.y, '#f472b6', 'server');

  ctx.font = '14px system-ui, sans-serif';
  ctx.fillStyle = 'rgba(248, 250, 252, 0.85)';
  ctx.fillText(`${width} × ${height} × 4 = ${width * height * 4} bytes`, width / 2, height - 28);
}

/** The canvas's RGBA pixels, as seed 002 sends them: getImageData's bytes as one ArrayBuffer. */
export function readPixels(canvas: HTMLCanvasElement): ArrayBuffer {
  const ctx = canvas.getContext('2d');
  if (!ctx) return new ArrayBuffer(0);
  // No copy needed, unlike the seed's loop: ImageData owns a fresh buffer each call.
  return ctx.getImageData(0, 0, canvas.width, canvas.height).data.buffer as ArrayBuffer;
}

function drawNode(ctx: CanvasRenderingContext2D, x: number, y: number, colour: string, label: string): void {
  // Soft rings around each end, like a signal going out.
  ctx.lineWidth = 2;
  for (let ring = 1; ring <= 3; ring++) {
    ctx.strokeStyle = `rgba(255, 255, 255, ${0.32 - ring * 0.08})`;
    ctx.beginPath();
    ctx.arc(x, y, 30 + ring * 9, 0, 2 * Math.PI);
    ctx.stroke();
  }
  ctx.fillStyle = colour;
  ctx.beginPath();
  ctx.arc(x, y, 30, 0, 2 * Math.PI);
  ctx.fill();
  ctx.fillStyle = '#0f172a';
  ctx.font = '600 13px system-ui, sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(label, x, y);
  ctx.textBaseline = 'alphabetic';
}

function drawArrow(ctx: CanvasRenderingContext2D, fromX: number, toX: number, y: number, colour: string): void {
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
