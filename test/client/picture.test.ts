// The canvas picture as data (client/picture.ts): what the page paints, in
// which order, and how many bytes Send canvas pixels puts on the wire,
// checked without a DOM.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Arrow, type Label, type Node, pictureOf, pixelBytes, RING_GAP, RINGS } from '../../client/picture.ts';

// The size index.html gives the canvas.
const WIDTH = 400;
const HEIGHT = 320;

describe('the canvas picture', () => {
  const picture = pictureOf(WIDTH, HEIGHT);
  const nodes = picture.shapes.filter((s): s is Node & { kind: 'node' } => s.kind === 'node');
  const arrows = picture.shapes.filter((s): s is Arrow & { kind: 'arrow' } => s.kind === 'arrow');
  const labels = picture.shapes.filter((s): s is Label & { kind: 'label' } => s.kind === 'label');
  const [client, server] = nodes;

  it('states the byte count that goes out: 400 × 320 RGBA pixels', () => {
    assert.equal(pixelBytes(WIDTH, HEIGHT), 512_000);
    assert.equal(labels.at(-1)?.text, '400 × 320 × 4 = 512000 bytes');
  });

  it('puts the client left, the server right, rings and all inside the canvas', () => {
    assert.deepEqual(
      nodes.map((n) => n.label),
      ['client', 'server'],
    );
    for (const node of nodes) {
      const outer = node.radius + RINGS * RING_GAP;
      assert.ok(node.x - outer >= 0 && node.x + outer <= WIDTH, `${node.label} fits across`);
      assert.ok(node.y - outer >= 0 && node.y + outer <= HEIGHT, `${node.label} fits down`);
    }
    assert.ok(client!.x < server!.x);
  });

  it('sends the message out above and brings the echo back below, between the two discs', () => {
    const [out, back] = arrows;
    assert.ok(out!.fromX < out!.toX && out!.y < client!.y, 'out: left to right, above');
    assert.ok(back!.fromX > back!.toX && back!.y > server!.y, 'back: right to left, below');
    for (const arrow of arrows) {
      for (const x of [arrow.fromX, arrow.toX]) {
        assert.ok(x > client!.x + client!.radius && x < server!.x - server!.radius);
      }
    }
  });

  it('paints the rings over the ends of the echo line, and the byte count last', () => {
    const order = picture.shapes.map((s) => (s.kind === 'label' ? s.text : s.kind === 'node' ? s.label : s.kind));
    assert.deepEqual(order, [
      'ws:// echo',
      'arrow',
      'arrow',
      'Hello, world!',
      'Received: Hello, world!',
      'client',
      'server',
      '400 × 320 × 4 = 512000 bytes',
    ]);
  });

  it('is the same every time, so the pixels sent and the screenshots are', () => {
    assert.deepEqual(pictureOf(WIDTH, HEIGHT), picture);
  });
});
