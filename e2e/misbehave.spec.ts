// The Misbehave panel: faults ticked from WS_PARAMETERS make a URL beside the
// page with its monitor token, Connect moves the page's own connection there,
// and auto-reconnect is seen recovering from a drop and from a close 1011.
import { expect, logRows, openConnected, readyState, test } from './fixtures.ts';
import { handshakeBytes, misbehave } from './wire-helpers.ts';

test('ticking faults builds the URL beside the page, with its monitor token, and says what the server will refuse', async ({
  page,
  server,
  problems,
}) => {
  await openConnected(page);
  // The server agrees to no extension unless asked to.
  await expect(page.getByLabel('Negotiated extensions', { exact: true })).toHaveText('(none)');
  const url = page.getByLabel('URL to connect to', { exact: true });
  await expect(url).toHaveText(new RegExp(`^${server.wsUrl}\\?monitor=[\\w-]{22}$`));
  const token = /monitor=([\w-]+)/.exec((await url.textContent()) ?? '')![1];

  await page.getByLabel('after_ms', { exact: true }).check();
  await page.getByLabel('Value of after_ms', { exact: true }).fill('1500');
  await expect(url).toHaveText(`${server.wsUrl}?after_ms=1500&monitor=${token}`);
  const problem = page.getByText(/^The server will refuse this URL with 400: /);
  await expect(problem).toHaveText(
    'The server will refuse this URL with 400: after_ms needs close or drop: it says when they fire',
  );
  // Typing a value ticks its box.
  await page.getByLabel('Value of greeting', { exact: true }).fill('hi there');
  await expect(page.getByLabel('greeting', { exact: true })).toBeChecked();
  await page.getByLabel('drop', { exact: true }).check();
  await expect(url).toHaveText(`${server.wsUrl}?drop&after_ms=1500&greeting=hi%20there&monitor=${token}`);
  await expect(problem).toBeHidden();

  // /push takes one more parameter; the others carry over.
  await page.getByLabel('Path', { exact: true }).selectOption('/push');
  await page.getByLabel('Value of interval', { exact: true }).fill('250');
  await expect(url).toHaveText(
    `${server.wsUrl}push?drop&after_ms=1500&greeting=hi%20there&interval=250&monitor=${token}`,
  );
  await page.getByRole('button', { name: 'a slow server', exact: true }).click();
  await page.getByLabel('Path', { exact: true }).selectOption('/');
  await expect(url).toHaveText(`${server.wsUrl}?delay_ms=2000&monitor=${token}`);
  expect(problems).toEqual([]);
});

test('a drop every few seconds: auto-reconnect reconnects each time, and the panel counts it', async ({ page }) => {
  await openConnected(page);
  await page.getByRole('button', { name: 'a drop every 3 s', exact: true }).click();
  // The preset turns auto-reconnect on, in the Connection card too.
  await expect(page.getByLabel('Auto-reconnect', { exact: true })).toBeChecked();
  await expect(page.getByLabel('URL to connect to', { exact: true })).toHaveText(/\?drop&after_ms=3000&monitor=/);
  await misbehave(page, { after_ms: '700' });

  const drops = logRows(page, 'error', /^close: code 1006 \(Abnormal Closure\)/);
  await expect.poll(() => drops.count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
  await expect(readyState(page)).toHaveText('1 OPEN');
  const history = page.locator('#misbehave-history');
  await expect(history).toContainText('lost: code 1006 (Abnormal Closure)');
  await expect(history).toContainText(/auto-reconnect: retry #1 in \d\.\d s/);
  await expect(page.getByText(/^Since Connect to this URL: opened [2-9] times, lost [2-9] times\.$/)).toBeVisible();
  // The server says what the browser cannot: the connection ended without a closing handshake.
  await expect(
    page
      .getByRole('region', { name: 'Frames, newest last' })
      .getByText(/dropped without a closing handshake/)
      .first(),
  ).toBeVisible();
  // Each reconnect goes back to the same URL, faults and token included.
  await expect(handshakeBytes(page, 'Request (browser → server)')).toContainText(
    /^GET \/\?drop&after_ms=700&monitor=[\w-]{22} HTTP\/1\.1/,
  );
});

test('a close 1011: the close frames both ways, the code in Last close, and a reconnect', async ({ page }) => {
  await openConnected(page);
  await page.getByRole('button', { name: 'a close 1011', exact: true }).click();
  await misbehave(page, { after_ms: '500' });
  await expect(page.getByLabel('Last close', { exact: true })).toHaveText(
    'code 1011 (Internal Error), reason "internal error", wasClean true',
  );
  await expect(
    logRows(page, 'received', 'close, code 1011 (Internal Error), reason "internal error"').first(),
  ).toBeVisible();
  // The browser answers a close frame with one of its own, as RFC 6455 5.5.1 says.
  await expect(logRows(page, 'sent', /^close, code 1011 \(Internal Error\)/).first()).toBeVisible();
  await expect(page.locator('#misbehave-history')).toContainText(/auto-reconnect: retry #1/);
  await expect(page.getByText(/^Since Connect to this URL: opened [2-9] times/)).toBeVisible({ timeout: 10_000 });
});

test('a URL the server refuses: the browser only says 1006, the frame view shows the 400 and its reason', async ({
  page,
}) => {
  await openConnected(page);
  await page.getByLabel('reject', { exact: true }).check();
  await page.getByLabel('Value of reject', { exact: true }).fill('503');
  await page.getByRole('button', { name: 'Connect to this URL', exact: true }).click();
  await expect(logRows(page, 'error', /^close: code 1006/)).toHaveCount(1);
  await expect(handshakeBytes(page, 'Response (server → browser)')).toContainText(/^HTTP\/1\.1 503 /);
  await expect(handshakeBytes(page, 'Response (server → browser)')).toContainText(
    'refused with 503, as the URL asked (?reject)',
  );
});
