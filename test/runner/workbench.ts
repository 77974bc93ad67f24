/** Drives the code-server workbench in Debian's Chromium through playwright-core. */
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { format } from 'node:util';
import { chromium, type Browser, type ConsoleMessage, type Frame, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH, REPO_ROOT } from './codeServer';

export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'test-results');

/** Generous on purpose: a busy 2-core machine can take a minute to serve the workbench. */
export const WORKBENCH_TIMEOUT_MS = 120_000;

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

/** Loads the workbench page; `waitUntil: 'commit'` because the workbench keeps loading for long after. */
export async function gotoWorkbench(page: Page, url: string): Promise<void> {
  await page.goto(url, { timeout: WORKBENCH_TIMEOUT_MS, waitUntil: 'commit' });
}

/**
 * In test mode the extension host's console arrives as browser console messages shaped like
 * `('%c INFO', 'color: …', fmt, ...args)`; this turns them back into plain lines.
 */
export async function consoleText(message: ConsoleMessage): Promise<string> {
  const args = await Promise.all(message.args().map((arg) => arg.jsonValue().catch(() => '<unserializable>') as Promise<unknown>));
  if (typeof args[0] === 'string' && args[0].startsWith('%c')) args.splice(0, 2);
  return format(...args);
}

/** Waits until the workbench shows our activity-bar item: from then on our contributions are loaded. */
export async function waitForWorkbench(page: Page): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ timeout: WORKBENCH_TIMEOUT_MS });
  await page.locator('.activitybar [aria-label^="Concurrency Lens"]').first().waitFor({ timeout: WORKBENCH_TIMEOUT_MS });
}

export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-list .monaco-list-row').filter({ hasText: title }).first();
  await row.waitFor();
  await input.press('Enter');
}

/** Webview iframes are attached at the workbench root; the content lives in the inner `#active-frame`. */
export async function findWebviewFrame(page: Page, predicate: (frame: Frame) => Promise<boolean>, timeoutMs = 30_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      if (frame.name() !== 'active-frame' && !frame.url().includes('fake.html')) continue;
      if (await predicate(frame).catch(() => false)) return frame;
    }
    await page.waitForTimeout(250);
  }
  throw new Error('webview frame not found');
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}
