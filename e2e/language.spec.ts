// The page in the tutorials' language: Simplified Chinese for a zh-CN
// browser, English for en-US, switched in the header without a reload (the
// connection and the log carry on), and remembered. The design card keeps
// the Go tutorial's English in both, and so does the console.
import type { Page } from '@playwright/test';
import { enPage } from '../client/i18n/en.ts';
import { fillEveryPanel, violations } from './axe-helpers.ts';
import { expect, openConnected, readyState, sendButton, test } from './fixtures.ts';
import { field, frames, misbehave } from './wire-helpers.ts';
import { CHINESE, ENGLISH, type Key, markedTexts, rowsIn, type Words } from './i18n-helpers.ts';

const LANGUAGES = [
  { locale: 'zh-CN', lang: 'zh-CN', words: CHINESE },
  { locale: 'en-US', lang: 'en', words: ENGLISH },
] as const;

/** The header's switch, named in both languages whichever the page is in. */
function languageSwitch(page: Page) {
  return page.getByLabel('Language · 语言', { exact: true });
}

/** The design card's four texts, as Go Web Programming §8.2 shows them. */
async function expectDesignCardInEnglish(page: Page, words: Words): Promise<void> {
  await expect(page.getByRole('heading', { level: 1, name: 'WebSocket Echo Test' })).toBeVisible();
  await expect(page.getByLabel(words('text.message'), { exact: true })).toHaveValue('Hello, world!');
  await expect(sendButton(page)).toBeVisible();
  await sendButton(page).click();
  await expect(rowsIn(page, words, 'received', 'Received: Hello, world!')).toHaveCount(1);
}

for (const { locale, lang, words } of LANGUAGES) {
  test.describe(`with the browser in ${locale}`, () => {
    test.use({ locale });

    test(`the page is in ${lang}, the design card and the console in the Go tutorial's English`, async ({
      page,
      server,
      consoleLines,
      problems,
    }) => {
      await openConnected(page);
      await expect(page.locator('html')).toHaveAttribute('lang', lang);
      await expect(languageSwitch(page)).toHaveValue(lang === 'en' ? 'en' : 'zh-CN');
      await expectDesignCardInEnglish(page, words);
      // The console keeps the tutorial's own lines, in every language.
      expect(consoleLines).toContain(`connected to ${server.wsUrl}`);
      expect(consoleLines).toContain('message received: Received: Hello, world!');
      expect(problems).toEqual([]);
    });

    test(`every text index.html marks is the ${lang} catalogue's`, async ({ page, problems }) => {
      await openConnected(page);
      await expect(page.locator('html')).toHaveAttribute('lang', lang);
      const shown = await markedTexts(page);
      const keys = Object.keys(enPage) as Key[];
      // All of them, in one comparison, so a failure lists every text that differs.
      expect(shown).toEqual(Object.fromEntries(keys.map((key) => [key, words(key)])));
      expect(problems).toEqual([]);
    });
  });
}

test.describe('with the browser in zh-CN', () => {
  test.use({ locale: 'zh-CN' });

  test('what a Chinese reader sees: headings, controls, the log and the close explained', async ({
    page,
    server,
    problems,
  }) => {
    await openConnected(page);
    for (const heading of ['文本', '连接', '统计', '日志', '二进制', '关闭', '握手']) {
      await expect(page.getByRole('heading', { level: 2, name: heading, exact: true })).toBeVisible();
    }
    await expect(page.getByRole('button', { name: '断开连接', exact: true })).toBeEnabled();
    await expect(page.getByText('连接成功：可以 send()', { exact: true })).toBeVisible();
    // A log written by the code: the open event, and the message's kind and direction.
    await expect(rowsIn(page, CHINESE, 'event', `open：已连接到 ${server.wsUrl}，子协议 echo-protocol`)).toHaveCount(1);
    await sendButton(page).click();
    await expect(rowsIn(page, CHINESE, 'sent', 'Hello, world!').getByText('文本', { exact: true })).toBeVisible();
    await expect(page.getByLabel('已发送', { exact: true })).toHaveText('1 条消息，13 B');
    // An error in words, and a close explained in words, both from the catalogue.
    const code = page.getByLabel('关闭码', { exact: true });
    await code.fill('1001');
    await page.getByRole('button', { name: '以此关闭码关闭', exact: true }).click();
    await expect(page.getByRole('alert')).toHaveText(
      '1001（离开）由浏览器和服务器发送或报告；页面只能以 1000 或 3000–4999 关闭。',
    );
    await code.fill('4000');
    await page.getByRole('button', { name: '以此关闭码关闭', exact: true }).click();
    await expect(readyState(page)).toHaveText('3 CLOSED');
    await expect(page.getByLabel('上次关闭', { exact: true })).toHaveText(
      '关闭码 4000（私用），原因 无，wasClean true',
    );
    await expect(
      page.getByText(/^以 4000 关闭，原因 无，wasClean true：服务器以这个关闭码和原因回应了本页面的关闭帧。/),
    ).toBeVisible();
    expect(problems).toEqual([]);
  });

  test("the frame view, Misbehave and the corrections in Chinese, the RFC's bit names as they are", async ({
    page,
    problems,
  }) => {
    await openConnected(page);
    for (const heading of ['线路上的帧', '故障模拟', '101 响应：当年与现在', '帧格式：当年与现在', '客户端一致性']) {
      await expect(page.getByRole('heading', { level: 2, name: heading, exact: true })).toBeVisible();
    }
    // The conformance categories by name, from the catalogue like every other word.
    await expect(page.locator('#conformance-categories label')).toContainText(['1 帧格式', '6 UTF-8 处理', '10 其他']);
    await sendButton(page).click();
    const sent = frames(page, '浏览器 → 服务器', 'Hello, world!', CHINESE);
    await expect(sent).toHaveCount(1);
    await expect(sent.getByRole('columnheader')).toHaveText([
      'FIN',
      'RSV1',
      'RSV2',
      'RSV3',
      'opcode',
      'MASK',
      'Payload len（载荷长度）',
    ]);
    await expect(field(sent, '载荷长度')).toHaveText('13 字节，在 7 位长度字段中');
    await expect(page.locator('#fix-frame-parts')).toContainText(
      '掩码后的载荷：再与密钥做一次 XOR 即可读出 "Hello, world!"',
    );
    await expect(page.locator('#fix-101-verdict')).toHaveText(
      /^Sec-WebSocket-Origin 和 Sec-WebSocket-Location：此服务器的响应中没有。它按 RFC 6455 §4\.2\.2 的规定/,
    );
    // Misbehave: a parameter's words, then the server's pings and the browser's pongs in the log.
    await expect(page.locator('#misbehave-ping_ms-hint')).toHaveText(
      '100-60000 之间的整数：服务器按这个间隔发送 ping，载荷是一个计数（1、2、3…）。',
    );
    await misbehave(page, { ping_ms: '200' }, CHINESE);
    await expect(rowsIn(page, CHINESE, 'received', 'ping，载荷 "1"')).toHaveCount(1);
    await expect(rowsIn(page, CHINESE, 'sent', 'pong，载荷 "1"')).toHaveCount(1);
    await expect(page.getByText(/^自上次“连接到此 URL”以来：打开 1 次，断开 0 次。$/)).toBeVisible();
    expect(problems).toEqual([]);
  });

  test('axe finds no violations on the Chinese page', async ({ page }) => {
    await fillEveryPanel(page, CHINESE);
    expect(await violations(page)).toEqual([]);
  });

  test('at 360 px the Chinese page has no horizontal scroll and the switch is on screen', async ({
    page,
    problems,
  }) => {
    await page.setViewportSize({ width: 360, height: 740 });
    await fillEveryPanel(page, CHINESE);
    const box = await languageSwitch(page).boundingBox();
    expect(box).not.toBeNull();
    expect(box!.x + box!.width).toBeLessThanOrEqual(360);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    // fillEveryPanel runs conformance cases, which Chromium fails on purpose and reports on the console.
    expect(problems.filter((problem) => !/\/runCase\?case=\d+/.test(problem))).toEqual([]);
  });
});

test('switching language re-renders in place, keeps the connection and the log, and is remembered', async ({
  page,
  server,
  problems,
}) => {
  await openConnected(page);
  await sendButton(page).click();
  await expect(rowsIn(page, ENGLISH, 'received', 'Received: Hello, world!')).toHaveCount(1);
  const english = await markedTexts(page);
  // A reload would lose this, and the socket with it.
  await page.evaluate(() => Object.assign(window, { sameDocument: true }));
  const rows = page.getByRole('log').getByRole('listitem');
  const rowCount = await rows.count();

  await languageSwitch(page).selectOption('zh-CN');
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(page.getByRole('heading', { level: 2, name: '日志', exact: true })).toBeVisible();
  // The same entries, now in Chinese: the echo, and the open event's words.
  await expect(rows).toHaveCount(rowCount);
  await expect(rowsIn(page, CHINESE, 'received', 'Received: Hello, world!')).toHaveCount(1);
  await expect(rowsIn(page, CHINESE, 'event', `open：已连接到 ${server.wsUrl}，子协议 echo-protocol`)).toHaveCount(1);
  await expect(page.getByRole('checkbox', { name: '2 Ping/Pong', exact: true })).toBeChecked();
  await expect(page.getByRole('checkbox', { name: '3 保留位', exact: true })).toBeChecked();
  expect(await page.evaluate(() => 'sameDocument' in window)).toBe(true);
  // Still the same open socket: only the first connecting entry, now in Chinese, and it echoes.
  await expect(readyState(page)).toHaveText('1 OPEN');
  await expect(rowsIn(page, CHINESE, 'event', /^正在连接 /)).toHaveCount(1);
  await sendButton(page).click();
  await expect(rowsIn(page, CHINESE, 'received', 'Received: Hello, world!')).toHaveCount(2);

  // Remembered: a reload of an en-US browser comes back in Chinese.
  await page.reload();
  await expect(readyState(page)).toHaveText('1 OPEN');
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(languageSwitch(page)).toHaveValue('zh-CN');

  // And back: English again, exactly as index.html has it.
  await languageSwitch(page).selectOption('en');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  expect(await markedTexts(page)).toEqual(english);
  await expect(
    rowsIn(page, ENGLISH, 'event', `open: connected to ${server.wsUrl}, subprotocol echo-protocol`),
  ).toHaveCount(1);
  await expect(page.getByRole('checkbox', { name: '3 Reserved Bits', exact: true })).toBeChecked();
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  expect(problems).toEqual([]);
});
