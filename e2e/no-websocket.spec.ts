// A browser without the WebSocket API gets an explanation, not dead controls.
import { expect, sendButton, test } from './fixtures.ts';

test('without window.WebSocket the page says so and hides the controls', async ({ page, problems }) => {
  await page.addInitScript(() => Reflect.deleteProperty(window, 'WebSocket'));
  await page.goto('/');

  await expect(page.getByRole('alert')).toContainText('This browser has no WebSocket support');
  await expect(page.getByRole('heading', { level: 1, name: 'WebSocket Echo Test' })).toBeVisible();
  // Present in the markup, so hidden means the page hid it rather than a typo in the name.
  await expect(page.getByRole('button', { name: 'Send Message', exact: true, includeHidden: true })).toHaveCount(1);
  await expect(sendButton(page)).toBeHidden();
  await expect(page.getByRole('button', { name: 'Connect', exact: true })).toBeHidden();
  await expect(page.getByLabel('Message', { exact: true })).toBeHidden();
  expect(problems).toEqual([]);
});
