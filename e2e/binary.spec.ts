// Binary as Ruan Yifeng's tutorial teaches it: a picked file goes out as a Blob, the
// canvas's pixels as an ArrayBuffer, and what comes back is a Blob or an
// ArrayBuffer depending on the binaryType switch.
import { expect, logRows, openConnected, readyState, sendButton, test } from './fixtures.ts';

const FILE = { name: 'bytes.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(3000, 0xab) };
const CANVAS_BYTES = 400 * 320 * 4;

test('a picked file round-trips as a Blob or an ArrayBuffer, as binaryType says', async ({
  page,
  consoleLines,
  problems,
}) => {
  await openConnected(page);
  const picker = page.getByLabel('Send a file (as a Blob)');
  await expect(page.getByLabel('Blob', { exact: true })).toBeChecked();

  await picker.setInputFiles(FILE);
  await expect(logRows(page, 'sent', 'file "bytes.bin": Blob, 3000 bytes')).toHaveCount(1);
  await expect(logRows(page, 'received', 'Blob, 3000 bytes')).toHaveCount(1);

  await page.getByLabel('ArrayBuffer', { exact: true }).check();
  await picker.setInputFiles(FILE);
  await expect(logRows(page, 'received', 'ArrayBuffer, 3000 bytes')).toHaveCount(1);
  await expect(logRows(page, 'sent', 'file "bytes.bin": Blob, 3000 bytes')).toHaveCount(2);
  await expect(logRows(page, 'received', 'Blob, 3000 bytes')).toHaveCount(1);

  await expect
    .poll(() => consoleLines.filter((line) => line.startsWith('message received: ')))
    .toEqual(['message received: Blob(3000)', 'message received: ArrayBuffer(3000)']);
  expect(problems).toEqual([]);
});

test('the canvas pixels (512000 bytes) round-trip as a Blob or an ArrayBuffer', async ({
  page,
  consoleLines,
  problems,
}) => {
  await openConnected(page);
  const sendCanvas = page.getByRole('button', { name: 'Send canvas pixels', exact: true });

  await sendCanvas.click();
  await expect(logRows(page, 'sent', `canvas pixels: ArrayBuffer, ${CANVAS_BYTES} bytes`)).toHaveCount(1);
  await expect(logRows(page, 'received', `Blob, ${CANVAS_BYTES} bytes`)).toHaveCount(1);

  await page.getByLabel('ArrayBuffer', { exact: true }).check();
  await sendCanvas.click();
  await expect(logRows(page, 'received', `ArrayBuffer, ${CANVAS_BYTES} bytes`)).toHaveCount(1);

  await expect.poll(() => consoleLines).toContain(`message received: ArrayBuffer(${CANVAS_BYTES})`);
  expect(problems).toEqual([]);
});

test('a file over the 1 MiB limit makes the server close with 1009, shown as Message Too Big', async ({ page }) => {
  await openConnected(page);
  await page.getByLabel('Send a file (as a Blob)').setInputFiles({ ...FILE, buffer: Buffer.alloc(1024 * 1024 + 1) });
  await expect(page.getByLabel('Last close', { exact: true })).toHaveText(/^code 1009 \(Message Too Big\)/);
  await expect(readyState(page)).toHaveText('3 CLOSED');
  await expect(sendButton(page)).toBeDisabled();
});
