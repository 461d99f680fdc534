// Sending as a bench does it: history in the message box, JSON checked or
// pretty-printed before it goes, templates that survive a reload, bytes
// typed as hex, and the binary view's hex dump of what went and came back.
import { expect, logRows, openConnected, sendButton, test } from './fixtures.ts';
import { allRows } from './playground-helpers.ts';

test('↑ and ↓ in the message box walk through what was sent, then back to the draft', async ({ page, problems }) => {
  await openConnected(page);
  const box = page.getByLabel('Message', { exact: true });
  for (const text of ['first', 'second']) {
    await box.fill(text);
    await box.press('Enter');
    await expect(logRows(page, 'received', `Received: ${text}`)).toHaveCount(1);
  }
  await box.fill('a draft');
  await box.press('ArrowUp');
  await expect(box).toHaveValue('second');
  await box.press('ArrowUp');
  await expect(box).toHaveValue('first');
  await box.press('ArrowUp');
  await expect(box).toHaveValue('first');
  await box.press('ArrowDown');
  await expect(box).toHaveValue('second');
  await box.press('ArrowDown');
  await expect(box).toHaveValue('a draft');

  // A recalled message is sent like a typed one.
  await box.press('ArrowUp');
  await box.press('ArrowUp');
  await box.press('Enter');
  await expect(logRows(page, 'received', 'Received: first')).toHaveCount(2);
  expect(problems).toEqual([]);
});

test('Shift+Enter adds a line instead of sending', async ({ page, problems }) => {
  await openConnected(page);
  const box = page.getByLabel('Message', { exact: true });
  await box.fill('line one');
  await box.press('Shift+Enter');
  await box.pressSequentially('line two');
  await expect(box).toHaveValue('line one\nline two');
  await expect(allRows(page).getByText('sent', { exact: true })).toHaveCount(0);
  await box.press('Enter');
  await expect(logRows(page, 'received', /^Received: line one\sline two$/)).toHaveCount(1);
  expect(problems).toEqual([]);
});

test('with JSON checking on, invalid JSON is refused inline and not sent; pretty-print formats valid JSON', async ({
  page,
  problems,
}) => {
  await openConnected(page);
  const box = page.getByLabel('Message', { exact: true });
  const error = page.getByRole('alert');
  await page.getByLabel('Check JSON before sending', { exact: true }).check();

  await box.fill('{"op": "subscribe",}');
  await sendButton(page).click();
  await expect(error).toContainText('Not valid JSON, so not sent');
  await expect(box).toHaveAttribute('aria-invalid', 'true');
  await expect(allRows(page).getByText('sent', { exact: true })).toHaveCount(0);

  await page.getByRole('button', { name: 'Pretty-print JSON', exact: true }).click();
  await expect(error).toContainText('Not valid JSON');
  await expect(box).toHaveValue('{"op": "subscribe",}');

  await box.fill('{"op":"subscribe","topics":["a","b"]}');
  await page.getByRole('button', { name: 'Pretty-print JSON', exact: true }).click();
  await expect(box).toHaveValue('{\n  "op": "subscribe",\n  "topics": [\n    "a",\n    "b"\n  ]\n}');
  await expect(error).toBeHidden();
  await expect(box).not.toHaveAttribute('aria-invalid');
  await sendButton(page).click();
  await expect(logRows(page, 'received', /^Received: \{\s+"op": "subscribe"/)).toHaveCount(1);

  // Without checking, the same broken text goes out as the plain text it is.
  await page.getByLabel('Check JSON before sending', { exact: true }).uncheck();
  await box.fill('{"op": "subscribe",}');
  await sendButton(page).click();
  await expect(logRows(page, 'received', 'Received: {"op": "subscribe",}')).toHaveCount(1);
  expect(problems).toEqual([]);
});

test('templates are saved under a name, fill the box when picked, survive a reload and can be deleted', async ({
  page,
  problems,
}) => {
  await openConnected(page);
  const box = page.getByLabel('Message', { exact: true });
  const saved = page.getByLabel('Saved', { exact: true });
  await box.fill('{"op":"ping"}');
  await page.getByLabel('Name', { exact: true }).fill('ping');
  await page.getByRole('button', { name: 'Save template', exact: true }).click();
  await box.fill('<b>not markup</b>');
  await page.getByLabel('Name', { exact: true }).fill('<i>html name</i>');
  await page.getByRole('button', { name: 'Save template', exact: true }).click();
  await expect(saved.getByRole('option')).toHaveText(['Pick a template…', '<i>html name</i>', 'ping']);

  await page.reload();
  await expect(box).toHaveValue('Hello, world!');
  await saved.selectOption('ping');
  await expect(box).toHaveValue('{"op":"ping"}');
  await saved.selectOption('<i>html name</i>');
  await expect(box).toHaveValue('<b>not markup</b>');

  await page.getByRole('button', { name: 'Delete template', exact: true }).click();
  await expect(saved.getByRole('option')).toHaveText(['Pick a template…', 'ping']);
  await page.reload();
  await expect(saved.getByRole('option')).toHaveText(['Pick a template…', 'ping']);
  await expect(page.getByRole('button', { name: 'Delete template', exact: true })).toBeDisabled();
  // A template without a name is refused with a reason.
  await page.getByRole('button', { name: 'Save template', exact: true }).click();
  await expect(page.getByRole('alert')).toHaveText('Give the template a name first.');
  expect(problems).toEqual([]);
});

test('hex "de ad be ef" goes out as 4 bytes, comes back as 4, and the hex dump shows them', async ({
  page,
  problems,
}) => {
  await openConnected(page);
  const hex = page.getByLabel('Hex bytes', { exact: true });
  const dump = page.getByLabel('Hex dump', { exact: true });
  await hex.fill('de ad be ef');
  await page.getByRole('button', { name: 'Send bytes', exact: true }).click();
  await expect(logRows(page, 'sent', 'hex bytes: ArrayBuffer, 4 bytes')).toHaveCount(1);
  await expect(logRows(page, 'received', 'Blob, 4 bytes')).toHaveCount(1);
  await expect(dump).toHaveText(/^00000000\s+de ad be ef\s+\|\.\.\.\.\|$/);
  await expect(page.getByText(/^Entry \d+, received at .*: Blob, 4 bytes\. All 4 bytes\.$/)).toBeVisible();

  // Without spaces, and with an ArrayBuffer coming back, it is the same 4 bytes.
  await page.getByLabel('ArrayBuffer', { exact: true }).check();
  await hex.fill('DEADBEEF');
  await page.getByRole('button', { name: 'Send bytes', exact: true }).click();
  await expect(logRows(page, 'received', 'ArrayBuffer, 4 bytes')).toHaveCount(1);
  await expect(dump).toContainText('de ad be ef');

  for (const [typed, problem] of [
    ['de ad be e', 'That is 7 hex digits; each byte needs two.'],
    ['de ad zz', '"z" is not a hex digit; use 0–9 and a–f.'],
    ['', 'Type some bytes as hex, e.g. "de ad be ef".'],
  ] as const) {
    await hex.fill(typed);
    await page.getByRole('button', { name: 'Send bytes', exact: true }).click();
    await expect(page.getByRole('alert')).toHaveText(problem);
    await expect(hex).toHaveAttribute('aria-invalid', 'true');
  }
  await expect(logRows(page, 'sent', /^hex bytes: /)).toHaveCount(2);
  expect(problems).toEqual([]);
});

test('a picked file shows in the hex dump; an older message comes back with its row’s hex button', async ({
  page,
  problems,
}) => {
  await openConnected(page);
  const dump = page.getByLabel('Hex dump', { exact: true });
  await page.getByLabel('Hex bytes', { exact: true }).fill('00 01 02 ff');
  await page.getByRole('button', { name: 'Send bytes', exact: true }).click();
  await expect(logRows(page, 'received', 'Blob, 4 bytes')).toHaveCount(1);

  await page.getByLabel('Send a file (as a Blob)').setInputFiles({
    name: 'hello.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from('Hello, hex view!\r\n'),
  });
  await expect(logRows(page, 'received', 'Blob, 18 bytes')).toHaveCount(1);
  await expect(dump).toHaveText(
    [
      '00000000  48 65 6c 6c 6f 2c 20 68  65 78 20 76 69 65 77 21  |Hello, hex view!|',
      '00000010  0d 0a                                             |..|',
    ].join('\n'),
  );

  const older = logRows(page, 'sent', 'hex bytes: ArrayBuffer, 4 bytes');
  await older.getByRole('button', { name: /^hex dump of entry \d+$/ }).click();
  await expect(dump).toHaveText(/^00000000\s+00 01 02 ff\s+\|\.\.\.\.\|$/);
  await expect(dump).toBeFocused();
  expect(problems).toEqual([]);
});

test('the canvas pixels show 256 bytes at first and up to 64 KiB after Show more', async ({ page, problems }) => {
  await openConnected(page);
  const dump = page.getByLabel('Hex dump', { exact: true });
  await page.getByRole('button', { name: 'Send canvas pixels', exact: true }).click();
  await expect(logRows(page, 'received', 'Blob, 512000 bytes')).toHaveCount(1);
  await expect(page.getByText(/: Blob, 512000 bytes\. First 256 of 512000 bytes\.$/)).toBeVisible();
  expect((await dump.textContent())!.split('\n')).toHaveLength(16);

  const more = page.getByRole('button', { name: 'Show more', exact: true });
  await expect(more).toHaveAttribute('aria-expanded', 'false');
  await more.click();
  await expect(page.getByText(/First 65536 of 512000 bytes\. The view stops at 64 KiB\.$/)).toBeVisible();
  expect((await dump.textContent())!.split('\n')).toHaveLength(4096);
  await expect(dump).toContainText('0000fff0  ');
  await page.getByRole('button', { name: 'Show less', exact: true }).click();
  expect((await dump.textContent())!.split('\n')).toHaveLength(16);
  expect(problems).toEqual([]);
});
