import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCommand, screenshot } from '../runner/workbench';
import { openWorkbench, type Workbench } from './fixture';

describe('Live Tasks (UI)', { timeout: 240_000 }, () => {
  let workbench: Workbench;

  before(async () => {
    workbench = await openWorkbench();
  });

  after(async () => {
    await workbench?.close();
  });

  it('shows the processes, threads and tasks of the demo program while it runs', async () => {
    const { page } = workbench;
    await runCommand(page, 'Go to File...');
    await page.keyboard.type('monitor_demo.py');
    await page.locator('.quick-input-list .monaco-list-row').filter({ hasText: 'monitor_demo.py' }).first().waitFor({ timeout: 20_000 });
    await page.keyboard.press('Enter');
    await page.locator('.monaco-editor').filter({ hasText: 'def crunch' }).first().waitFor({ timeout: 20_000 });
    await page.locator('.activitybar [aria-label^="Concurrency Lens"]').first().click();
    await runCommand(page, 'Concurrency Lens: Run Current File with Concurrency Monitor');
    const tree = page.locator('.pane-body .monaco-list-row');
    await tree.filter({ hasText: 'MainThread' }).first().waitFor({ timeout: 60_000 });
    await tree.filter({ hasText: /fetch-\d+/ }).first().waitFor({ timeout: 30_000 });
    await tree.filter({ hasText: 'Event loop blocked' }).first().waitFor({ timeout: 30_000 });
    // The worker threads of asyncio.to_thread start once the blocked loop runs on.
    await tree.filter({ hasText: /asyncio_\d/ }).first().waitFor({ timeout: 30_000 });
    assert.ok(await tree.filter({ hasText: /monitor_demo\.py/ }).count() > 0);
    // Away from the activity bar, whose tooltip would cover the tree.
    await page.locator('.monaco-editor .view-lines').first().hover();
    await page.locator('.monaco-hover, .workbench-hover').filter({ hasText: 'Concurrency Lens' }).waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined);
    await screenshot(page, 'live-tasks-demo-run');
    await runCommand(page, 'Concurrency Lens: Stop Monitored Run');
    await tree.filter({ hasText: /Run finished/ }).first().waitFor({ timeout: 30_000 });
  });
});
