// The sandbox console in a real browser: a visitor links a wallet, adds a node, stops it
// in the fleet panel, sees the offline DM, starts it again and sees "back online", on
// Telegram and then on Discord. Screenshots go to test-artifacts/.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { startDemo, type RunningDemo } from '../../cli/demo/run';
import { artifact, launchChromium } from '../support/browser';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../support/env';

jest.setTimeout(300_000);

describe('demo console in Chromium (e2e)', () => {
  let demo: RunningDemo;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  let dataDir: string;
  // Offline after the 20 s grace + 5 s group wait; generous on a loaded machine.
  const ALERT_MS = 90_000;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodedesk-demo-'));
    demo = await startDemo({
      port: 0,
      dataDir,
      env: { DATABASE_URL: TEST_DATABASE_URL, REDIS_URL: TEST_REDIS_URL, LOG_LEVEL: 'info' },
    });
    browser = await launchChromium();
    page = await browser.newPage();
  });
  afterAll(async () => {
    await browser?.cleanup();
    await demo?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const chat = (id: 'tg' | 'dc') => page.locator(`#${id}`);
  const row = (node: string) => page.locator(`#fleet tr[data-node="${node}"]`);

  async function stopAndRestart(node: string, where: 'tg' | 'dc', shot: string) {
    await row(node).locator('.s-ONLINE').waitFor({ timeout: 30_000 });
    await row(node).getByRole('button', { name: 'Stop' }).click();
    await row(node).getByText('stopped').waitFor();
    await chat(where)
      .getByText(/1 of your nodes went offline/)
      .waitFor({ timeout: ALERT_MS });
    await expectText(where, `${node} — last seen`);
    await page.screenshot({ path: artifact(`${shot}-offline-dm.png`), fullPage: true });
    await row(node).getByRole('button', { name: 'Start' }).click();
    await chat(where)
      .getByText(new RegExp(`${node} — back online after`))
      .waitFor({ timeout: ALERT_MS });
    await page.screenshot({ path: artifact(`${shot}-back-online.png`), fullPage: true });
  }

  async function expectText(where: 'tg' | 'dc', text: string) {
    await chat(where).getByText(text, { exact: false }).first().waitFor();
  }

  it('Telegram: link, add a node, stop it, offline DM, start it, back online', async () => {
    await page.goto(demo.url);
    expect(await page.title()).toBe('nodedesk demo');
    await page.getByRole('button', { name: '1 · Send /link' }).click();
    // The challenge is a code block naming the demo wallet.
    await chat('tg').locator('code.pre').first().waitFor();
    await page.getByRole('button', { name: '2 · Sign with the demo wallet' }).click();
    await chat('tg')
      .getByText(/is linked to your account/)
      .waitFor();
    await page.getByRole('button', { name: 'Send /addnode rig-tg-01' }).click();
    await row('rig-tg-01').waitFor();
    await page.screenshot({ path: artifact('telegram-1-linked-and-added.png'), fullPage: true });
    await stopAndRestart('rig-tg-01', 'tg', 'telegram-2');
    // Typed text goes to the bot as a message; /status answers with text and the uptime chart.
    await page.locator('#tg-card input').fill('/status');
    await page.locator('#tg-card input').press('Enter');
    await chat('tg').locator('img.photo').first().waitFor();
    expect(await page.locator('#guide li.done').count()).toBe(5);
  });

  it('Discord: the same run with slash commands; the DM comes where the user was active', async () => {
    await page
      .locator('#dc-card')
      .getByRole('button', { name: /^\/link wallet/ })
      .click();
    await chat('dc').locator('code.pre').first().waitFor();
    await page.locator('#dc-card').getByRole('button', { name: '✍ Sign with demo wallet' }).click();
    await chat('dc')
      .getByText(/is linked/)
      .first()
      .waitFor();
    await page.locator('#dc-card input').fill('/nodes add rig-dc-01');
    await page.locator('#dc-card input').press('Enter');
    await chat('dc').getByText('/nodes add node_id: rig-dc-01').waitFor();
    await row('rig-dc-01').waitFor();
    await stopAndRestart('rig-dc-01', 'dc', 'discord');
  });

  it('links to the staff dashboard, signed in as the demo staff member', async () => {
    await page.goto(demo.url);
    const link = page.getByRole('link', { name: /Open the staff dashboard as/ });
    const href = await link.getAttribute('href');
    expect(href).toBe('/staff-dashboard');
    // The console asks the bot for a one-time link as Sam and redirects to it.
    const dash = await browser.newPage();
    await dash.goto(new URL(href!, demo.url).toString());
    await dash.waitForURL(/\/staff$/);
    await dash.getByText(/Signed in as/).waitFor();
    await dash.screenshot({ path: artifact('demo-staff-dashboard.png'), fullPage: true });
    await dash.close();
  });

  it('is readable on a phone', async () => {
    const phone = await browser.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(demo.url);
    await phone.locator('#tg .msg').first().waitFor();
    const width = await phone.evaluate<number>('document.documentElement.scrollWidth');
    expect(width).toBeLessThanOrEqual(390);
    await phone.screenshot({ path: artifact('phone.png'), fullPage: false });
    await phone.close();
  });
});
