// The log as a bench: round-trip times on echo replies, filter, search,
// clear, the JSON export of everything, and a flood that must not make the
// DOM grow without bound.
import { expect, logOf, logRows, openConnected, sendButton, test } from './fixtures.ts';
import { allRows, exportSession, rttOf } from './playground-helpers.ts';

test('an echo reply shows its round-trip time in ms; the message sent and the events do not', async ({
  page,
  problems,
}) => {
  await openConnected(page);
  await sendButton(page).click();
  await expect(rttOf(page, 'received', 'Received: Hello, world!')).toHaveText(/^rtt \d+(\.\d+)? ms$/);
  await expect(rttOf(page, 'sent', 'Hello, world!')).toHaveCount(0);
  await expect(allRows(page).getByText(/^rtt /)).toHaveCount(1);
  // Each message row says its kind and size in bytes: 13 out, 23 back ("Received: " is 10).
  const reply = logRows(page, 'received', 'Received: Hello, world!');
  await expect(reply.getByText('text', { exact: true })).toBeVisible();
  await expect(reply.getByText('23 B', { exact: true })).toBeVisible();
  await expect(logRows(page, 'sent', 'Hello, world!').getByText('13 B', { exact: true })).toBeVisible();
  expect(problems).toEqual([]);
});

test('filter, search and clear change what the log shows, never what the export holds', async ({ page, problems }) => {
  await openConnected(page);
  const box = page.getByLabel('Message', { exact: true });
  for (const text of ['apple', 'banana', 'cherry']) {
    await box.fill(text);
    await box.press('Enter');
    await expect(logRows(page, 'received', `Received: ${text}`)).toHaveCount(1);
  }
  // binaryType, connecting, open: three events; three sends and three replies.
  await expect(allRows(page)).toHaveCount(9);
  const show = page.getByLabel('Show', { exact: true });
  const search = page.getByLabel('Search', { exact: true });

  await show.selectOption('sent');
  await expect(allRows(page)).toHaveCount(3);
  await expect(allRows(page).getByText('received', { exact: true })).toHaveCount(0);
  await show.selectOption('received');
  await expect(allRows(page)).toHaveCount(3);
  await show.selectOption('event');
  await expect(allRows(page)).toHaveCount(3);
  await expect(logRows(page, 'event', /^open: connected to /)).toHaveCount(1);

  await show.selectOption('all');
  await search.fill('AN');
  // Case-insensitive substring: "banana" out and back.
  await expect(allRows(page)).toHaveCount(2);
  await expect(logRows(page, 'received', 'Received: banana')).toHaveCount(1);
  await show.selectOption('received');
  await expect(allRows(page)).toHaveCount(1);
  await search.fill('no such text');
  await expect(allRows(page)).toHaveCount(0);
  await expect(page.getByText('No entries to show.')).toBeVisible();
  await search.fill('');
  await show.selectOption('all');
  await expect(allRows(page)).toHaveCount(9);

  await page.getByRole('button', { name: 'Clear', exact: true }).click();
  await expect(allRows(page)).toHaveCount(0);
  await box.fill('after clearing');
  await box.press('Enter');
  await expect(logRows(page, 'received', 'Received: after clearing')).toHaveCount(1);
  await expect(allRows(page)).toHaveCount(2);

  const { data } = await exportSession(page);
  expect(data.entries).toHaveLength(11);
  expect(data.entries.filter((e) => e.direction === 'sent').map((e) => e.text)).toEqual([
    'apple',
    'banana',
    'cherry',
    'after clearing',
  ]);
  expect(problems).toEqual([]);
});

test('Export JSON downloads every entry logged, with ISO times, sizes, round trips and hex previews', async ({
  page,
  server,
  problems,
}) => {
  await openConnected(page);
  await sendButton(page).click();
  await page.getByLabel('Hex bytes', { exact: true }).fill('de ad be ef');
  await page.getByRole('button', { name: 'Send bytes', exact: true }).click();
  await expect(logRows(page, 'received', 'Blob, 4 bytes')).toHaveCount(1);
  // The filter hides most rows, but the export is of the session, not the view.
  await page.getByLabel('Show', { exact: true }).selectOption('sent');
  await expect(allRows(page)).toHaveCount(2);
  await page.getByLabel('Show', { exact: true }).selectOption('all');
  // Wait for the unfiltered view before counting it: a count taken at once
  // can see the list while it is being redrawn (seen in CI: 0 rows).
  await expect(allRows(page)).not.toHaveCount(2);
  await expect(logRows(page, 'received', 'Blob, 4 bytes')).toHaveCount(1);
  const shown = await allRows(page).count();

  const { download, data } = await exportSession(page);
  expect(download.suggestedFilename()).toMatch(/^websocket-session-.*\.json$/);
  expect(data.url).toBe(server.wsUrl);
  expect(data.entries).toHaveLength(shown);
  expect(data.entryCount).toBe(shown);
  expect(data.droppedEntries).toBe(0);
  for (const entry of data.entries) {
    expect(new Date(entry.time).toISOString()).toBe(entry.time);
    expect(entry.url).toBe(server.wsUrl);
  }
  const byText = (direction: string, text: string) =>
    data.entries.find((e) => e.direction === direction && e.text === text);
  expect(byText('sent', 'Hello, world!')).toMatchObject({ kind: 'text', size: 13, rtt: null });
  expect(byText('received', 'Received: Hello, world!')).toMatchObject({
    kind: 'text',
    size: 23,
    rtt: expect.any(Number),
  });
  const binary = data.entries.filter((e) => e.kind === 'binary');
  expect(binary.map((e) => [e.direction, e.size, e.hexPreview])).toEqual([
    ['sent', 4, 'de ad be ef'],
    ['received', 4, 'de ad be ef'],
  ]);
  expect(binary[1]!.rtt).toEqual(expect.any(Number));
  expect(data.entries.filter((e) => e.kind === 'event').map((e) => e.text)).toEqual([
    'binaryType set to "blob"',
    `connecting to ${server.wsUrl}, offering subprotocol echo-protocol`,
    `open: connected to ${server.wsUrl}, subprotocol echo-protocol`,
  ]);
  expect(problems).toEqual([]);
});

test('a flood of 1500 echoes keeps 500 rows in the DOM and every entry in the export', async ({ page, problems }) => {
  await openConnected(page);
  await page.getByLabel('Message', { exact: true }).fill('flood');
  // One task, 1500 submits: as fast as the page can go, well under the server's rate limit.
  await page.evaluate(() => {
    const send = document.getElementById('send') as HTMLButtonElement;
    for (let i = 0; i < 1500; i++) send.click();
  });
  const total = 3 + 1500 * 2;
  await expect(page.getByText(`${total} entries, showing the newest 500.`)).toBeVisible();
  await expect(allRows(page)).toHaveCount(500);
  await expect(page.getByLabel('Received', { exact: true })).toHaveText(/^1500 messages, /);
  // Following along: the newest reply is the last row, scrolled into view.
  await expect(allRows(page).last()).toContainText('Received: flood');
  await expect(allRows(page).last()).toBeInViewport();
  expect(await logOf(page).evaluate((log) => log.scrollHeight - log.scrollTop - log.clientHeight)).toBeLessThanOrEqual(
    24,
  );

  const { data } = await exportSession(page);
  expect(data.entries).toHaveLength(total);
  expect(data.entries.filter((e) => e.direction === 'received' && e.rtt !== null)).toHaveLength(1500);
  expect(problems).toEqual([]);
});
