// readyState goes OPEN → CLOSING with no event when the server starts the
// close; only polling shows it. The stalling server holds that state open.
import { expect, logRows, openConnected, readyState, sendButton, test } from './fixtures.ts';
import { startStallingServer } from './stalling-server.ts';

test('a close the server starts shows 2 CLOSING before any close event', async ({ page, server }) => {
  const stalling = await startStallingServer(server.url);
  try {
    await openConnected(page, stalling.url);
    await stalling.connected;
    stalling.startClose(1000);

    await expect(readyState(page)).toHaveText('2 CLOSING');
    await expect(logRows(page, 'event', /^close: /)).toHaveCount(0);
    await expect(sendButton(page)).toBeDisabled();
    await expect(page.getByRole('button', { name: 'Connect', exact: true })).toBeDisabled();

    await stalling.close();
    await expect(readyState(page)).toHaveText('3 CLOSED');
    await expect(page.getByLabel('Last close', { exact: true })).toHaveText(/^code 1000 /);
  } finally {
    await stalling.close();
  }
});
