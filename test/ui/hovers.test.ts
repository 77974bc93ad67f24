import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { findWebviewFrame, runCommand, screenshot } from '../runner/workbench';
import { openWorkbench, type Workbench } from './fixture';

/** Quick Open (Ctrl+P) a workspace file into the active editor. */
async function openFile(page: Page, name: string): Promise<void> {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(name);
  await page.locator('.quick-input-list .monaco-list-row').filter({ hasText: name }).first().waitFor();
  await input.press('Enter');
  await page.locator('.tab.active', { hasText: name }).waitFor();
}

/**
 * The box and text of a token once the editor has stopped re-rendering it: syntax colouring arrives
 * after the first paint and replaces the line's spans, so a span found a moment ago may be detached.
 */
async function settledBox(token: Locator): Promise<{ box: { x: number; y: number; width: number; height: number }; text: string }> {
  const deadline = Date.now() + 20_000;
  let previous = '';
  for (;;) {
    await token.waitFor({ timeout: 20_000 });
    const box = await token.boundingBox().catch(() => null);
    const text = (await token.textContent().catch(() => null)) ?? '';
    if (box && text === previous) return { box, text };
    if (Date.now() > deadline) throw new Error(`the token never settled (last text: ${JSON.stringify(text)})`);
    previous = box ? text : '';
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('hovers and patterns (UI)', { timeout: 240_000 }, () => {
  let workbench: Workbench;

  before(async () => {
    workbench = await openWorkbench();
    // Contributions arrive a little after the workbench: wait for our activity-bar item.
    await workbench.page.locator('.activitybar [aria-label^="Concurrency Lens"]').first().waitFor({ timeout: 30_000 });
  });

  after(async () => {
    await workbench?.close();
  });

  it('explains asyncio.TaskGroup in a hover with a docs link and an "Open in guide" link', async () => {
    const { page } = workbench;
    await openFile(page, 'asyncio_tasks.py');
    // Token spans depend on the grammar: take the innermost span holding the name and point at its last letters.
    const token = page.locator('.monaco-editor .view-line span span', { hasText: /TaskGroup/ }).first();
    const { box, text } = await settledBox(token);
    const x = box.x + (box.width * (text.indexOf('TaskGroup') + 'TaskGroup'.length - 2)) / text.length;
    const hover = page.locator('.monaco-hover .hover-contents').filter({ hasText: 'asyncio.TaskGroup' });
    // The grammar loads on the first hover: move away and back until our hover shows.
    for (let attempt = 0; attempt < 10 && !(await hover.isVisible()); attempt += 1) {
      await page.mouse.move(5, 5);
      await page.mouse.move(x, box.y + box.height / 2, { steps: 3 });
      await hover.waitFor({ timeout: 3_000 }).catch(() => undefined);
    }
    await hover.waitFor({ timeout: 5_000 });
    const shown = (await hover.textContent()) ?? '';
    assert.match(shown, /Coroutine/);
    assert.match(shown, /ExceptionGroup/);
    assert.ok(await hover.locator('a', { hasText: 'Open in guide' }).count() > 0);
    assert.ok(await hover.locator('a', { hasText: 'Documentation' }).count() > 0);
    await screenshot(page, 'hover-taskgroup');

    // The only trusted command link in the hover opens the guide.
    await hover.locator('a', { hasText: 'Open in guide' }).click();
    await findWebviewFrame(page, async (candidate) => (await candidate.locator('h1').textContent()) === 'Concurrency Guide');
  });

  it('lists patterns grouped by model in the Insert Concurrency Pattern QuickPick', async () => {
    const { page } = workbench;
    await runCommand(page, 'View: Close All Editors'); // the guide took focus; keyboard shortcuts go to the workbench again
    await openFile(page, 'asyncio_tasks.py');
    await runCommand(page, 'Concurrency Lens: Insert Concurrency Pattern');
    const rows = page.locator('.quick-input-list .monaco-list-row');
    await rows.filter({ hasText: 'Run tasks in a TaskGroup' }).first().waitFor({ timeout: 20_000 });
    const separators = await page.locator('.quick-input-list .quick-input-list-separator').allTextContents();
    assert.ok(separators.some((label) => label.includes('Coroutines')), separators.join(' | '));
    assert.ok(await rows.filter({ hasText: 'cl-taskgroup' }).count() > 0, 'the prefix is the description');
    await screenshot(page, 'insert-pattern-quickpick');
    await page.keyboard.press('Escape');
  });
});
