import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { findWebviewFrame, runCommand, screenshot } from '../runner/workbench';
import { openWorkbench, type Workbench } from './fixture';

describe('workbench (UI)', { timeout: 180_000 }, () => {
  let workbench: Workbench;

  before(async () => {
    workbench = await openWorkbench();
  });

  after(async () => {
    await workbench?.close();
  });

  it('shows the Concurrency Lens activity-bar item and the Live Tasks welcome', async () => {
    const { page } = workbench;
    await page.locator('.activitybar [aria-label^="Concurrency Lens"]').first().click();
    const welcome = page.locator('.welcome-view-content').filter({ hasText: 'No program is being monitored' });
    await welcome.waitFor({ timeout: 20_000 });
    assert.ok(await page.locator('.pane-header').filter({ hasText: /Live Tasks/i }).count() > 0);
    await screenshot(page, 'foundation-live-tasks-welcome');
  });

  it('opens the guide from the command palette and renders the page the host sent', async () => {
    const { page } = workbench;
    await runCommand(page, 'Concurrency Lens: Open Guide');
    const frame = await findWebviewFrame(page, async (candidate) => (await candidate.locator('h1').textContent()) === 'Concurrency Guide');
    assert.equal(await frame.locator('vscode-tab-header').count(), 7, 'four Python models (interpreters since 3.14), compare, decide, experiment');
    await frame.locator('vscode-tab-header[data-tab="comparison"]').click();
    assert.equal(await frame.locator('.model-card').count(), 4);
    assert.match((await frame.locator('.model-card').nth(1).textContent()) ?? '', /GIL/);
    await frame.locator('.segment', { hasText: 'Node.js' }).click();
    assert.equal(await frame.locator('.segment', { hasText: 'Node.js' }).getAttribute('aria-checked'), 'true');
    await screenshot(page, 'foundation-guide');
  });
});
