// How fast the page gets its first echo after loading: measured and reported
// (in the run's output and as an annotation), not asserted; timing thresholds
// stay out of the test suite. What is asserted is that there is a figure.
import { expect, openConnected, sendButton, test } from './fixtures.ts';
import { rttOf } from './playground-helpers.ts';

test('reports the first echo round trip after page load', async ({ page }) => {
  const loadStarted = Date.now();
  await openConnected(page);
  const openedAfterMs = Date.now() - loadStarted;
  await sendButton(page).click();
  const rtt = rttOf(page, 'received', 'Received: Hello, world!');
  await expect(rtt).toHaveText(/^rtt \d+(\.\d+)? ms$/);
  const roundTripMs = Number(/([\d.]+) ms/.exec((await rtt.textContent()) ?? '')?.[1]);
  expect(Number.isFinite(roundTripMs)).toBe(true);
  const report = `first echo round trip ${roundTripMs} ms (page's own measure); page load to OPEN ${openedAfterMs} ms`;
  test.info().annotations.push({ type: 'performance', description: report });
  console.log(report);
});
