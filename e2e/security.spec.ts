// The production page under its own security headers, in Chromium: the CSP
// it is served with allows exactly what the page needs (it connects, echoes
// and draws with no violation), and script smuggled in as a message, or even
// written straight into the DOM, does not run.
import { cspViolations, recordCspViolations } from '../test/support/csp-violations.ts';
import { expect, logOf, logRows, openConnected, readyState, sendButton, test } from './fixtures.ts';

/** Directive name → sources. */
function directives(header: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const part of header.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) map.set(name.toLowerCase(), sources);
  }
  return map;
}

test('the page is served with a strict CSP that names its own ws origin, and nosniff', async ({ page, server }) => {
  const response = await page.goto('/');
  expect(response?.status()).toBe(200);
  const headers = response!.headers();
  const csp = directives(headers['content-security-policy'] ?? '');
  expect(csp.get('default-src')).toEqual(["'self'"]);
  expect(csp.get('script-src')).toEqual(["'self'"]);
  expect(csp.get('style-src')).toEqual(["'self'"]);
  expect(csp.get('connect-src')).toEqual(["'self'", new URL(server.wsUrl).origin]);
  expect(csp.get('object-src')).toEqual(["'none'"]);
  expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
  expect(headers['content-security-policy']).not.toMatch(/unsafe-inline|unsafe-eval/);
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['strict-transport-security']).toBeUndefined();
  expect(server.wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/$/);
});

test('under that CSP the page loads, connects, echoes text and binary, with no violation and no console error', async ({
  page,
  problems,
}) => {
  await recordCspViolations(page);
  await openConnected(page);
  await sendButton(page).click();
  await expect(logRows(page, 'received', 'Received: Hello, world!')).toHaveCount(1);
  await page.getByRole('button', { name: 'Send canvas pixels' }).click();
  await expect(logRows(page, 'received', 'Blob, 512000 bytes')).toHaveCount(1);
  // The stylesheet applied (a blocked one would leave the page unstyled).
  const display = await page.locator('main#playground').evaluate((element) => getComputedStyle(element).display);
  expect(display).not.toBe('block');
  expect(await cspViolations(page)).toEqual([]);
  expect(problems).toEqual([]);
});

test('a message that carries script comes back as text and none of it runs', async ({ page, problems }) => {
  await recordCspViolations(page);
  const payload =
    '<script>window.__pwned = "script"</script><img src="/pwned.png" onerror="window.__pwned = \'onerror\'">' +
    '<svg onload="window.__pwned = \'svg\'"></svg><iframe srcdoc="<script>parent.__pwned = \'iframe\'</script>"></iframe>';
  await openConnected(page);
  await page.getByLabel('Message', { exact: true }).fill(payload);
  await sendButton(page).click();

  await expect(logRows(page, 'received', `Received: ${payload}`)).toBeVisible();
  await expect(logOf(page).locator('script, img, svg, iframe')).toHaveCount(0);
  expect(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();
  // Shown as text, the markup never reached the parser: no request for /pwned.png, no CSP report.
  expect(await cspViolations(page)).toEqual([]);
  expect(problems).toEqual([]);
  await expect(readyState(page)).toHaveText('1 OPEN');
});

test('even markup written straight into the DOM cannot run inline script: the CSP blocks it', async ({
  page,
  problems,
}) => {
  await recordCspViolations(page);
  await openConnected(page);
  // What a rendering bug would amount to: the payload parsed as HTML inside the page.
  await page.evaluate(() => {
    const script = document.createElement('script');
    script.textContent = 'window.__pwned = "inline script"';
    document.body.append(script);
    const holder = document.createElement('div');
    holder.innerHTML = '<img src="data:," onerror="window.__pwned = \'inline handler\'">';
    document.body.append(holder);
  });

  // The <script> element, the onerror attribute, and the data: image (img-src is 'self' only) were all refused.
  await expect
    .poll(async () => (await cspViolations(page)).map((v) => `${v.directive} ${v.blockedURI}`).sort())
    .toEqual(['img-src data', 'script-src-attr inline', 'script-src-elem inline']);
  expect(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();
  // Chromium reports each refusal on the console, and nothing else went wrong.
  await expect.poll(() => problems.length).toBe(3);
  for (const problem of problems) expect(problem).toMatch(/^console error: .*Content Security Policy/);
  // The page itself is unharmed.
  await sendButton(page).click();
  await expect(logRows(page, 'received', 'Received: Hello, world!')).toHaveCount(1);
});
