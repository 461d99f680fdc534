// What the page shows when the server goes away: killed outright (no close
// frame, so 1006) or shut down politely (1001).
import { startServer } from '../test/support/spawn-server.ts';
import { expect, logRows, openConnected, readyState, sendButton, test } from './fixtures.ts';

test('a killed server shows close 1006 as an error, then the error event on reconnecting; sending stays disabled', async ({
  page,
}) => {
  const server = await startServer();
  try {
    await openConnected(page, server.url);
    await expect(sendButton(page)).toBeEnabled();
    await server.stop('SIGKILL');

    await expect(logRows(page, 'error', /^close: code 1006 \(Abnormal Closure\), .*wasClean false$/)).toHaveCount(1);
    await expect(page.getByLabel('Last close', { exact: true })).toHaveText(
      /^code 1006 \(Abnormal Closure\), .*wasClean false$/,
    );
    await expect(readyState(page)).toHaveText('3 CLOSED');
    await expect(sendButton(page)).toBeDisabled();
    await expect(page.getByRole('button', { name: 'Send canvas pixels' })).toBeDisabled();

    // Chromium fires no error event when an open connection just drops; a
    // handshake that cannot reach the server does, followed by another 1006.
    const errorEvents = logRows(page, 'error', /^error event/);
    const before = await errorEvents.count();
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await expect(errorEvents).toHaveCount(before + 1);
    await expect(logRows(page, 'error', /^close: code 1006 /)).toHaveCount(2);
    await expect(readyState(page)).toHaveText('3 CLOSED');
    await expect(sendButton(page)).toBeDisabled();
  } finally {
    await server.stop('SIGKILL');
  }
});

test('a server shutting down on SIGTERM shows close 1001 with its reason', async ({ page }) => {
  const server = await startServer();
  try {
    await openConnected(page, server.url);
    expect(await server.stop('SIGTERM')).toBe(0);

    await expect(page.getByLabel('Last close', { exact: true })).toHaveText(
      'code 1001 (Going Away), reason "server shutting down", wasClean true',
    );
    await expect(readyState(page)).toHaveText('3 CLOSED');
    await expect(sendButton(page)).toBeDisabled();
    await expect(logRows(page, 'error', /error/)).toHaveCount(0);
  } finally {
    await server.stop('SIGKILL');
  }
});
