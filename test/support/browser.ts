// Debian's Chromium driven by playwright-core (no browser download): `.ci/run` installs
// it with apt-get when it is missing. Every launch gets a fresh profile directory.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Screenshots of browser tests: kept as CI artifacts, ignored by git. */
export const ARTIFACTS = path.resolve(__dirname, '..', '..', 'test-artifacts');

export async function launchChromium(): Promise<BrowserContext & { cleanup(): Promise<void> }> {
  if (!fs.existsSync(CHROMIUM))
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: apt-get update && apt-get install -y chromium`,
    );
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'nodedesk-chromium-'));
  // A persistent context is how Playwright takes --user-data-dir: a fresh one per launch.
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    viewport: { width: 1400, height: 1000 },
    args: [
      '--no-sandbox',
      '--headless',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return Object.assign(browser, {
    async cleanup() {
      await browser.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  });
}

export function artifact(name: string): string {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return path.join(ARTIFACTS, name);
}
