import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCommand, screenshot } from '../runner/workbench';
import { openWorkbench, type Workbench, widenSideBar } from './fixture';

describe('Live Tasks (UI)', { timeout: 240_000 }, () => {
  let workbench: Workbench;

  before(async () => {
    // The DOM renderer, so that the test can read the terminal.
    workbench = await openWorkbench({ settings: { 'terminal.integrated.gpuAcceleration': 'off' } });
  });

  after(async () => {
    await workbench?.close();
  });

  it('shows the processes, threads and tasks of the demo program while it runs, a failed task, and the run as it ended', async () => {
    const { page } = workbench;
    await runCommand(page, 'Go to File...');
    await page.keyboard.type('monitor_demo.py');
    await page.locator('.quick-input-list .monaco-list-row').filter({ hasText: 'monitor_demo.py' }).first().waitFor({ timeout: 20_000 });
    await page.keyboard.press('Enter');
    await page.locator('.monaco-editor').filter({ hasText: 'def crunch' }).first().waitFor({ timeout: 20_000 });
    await page.locator('.activitybar [aria-label^="Concurrency Lens"]').first().click();
    // Wide enough to read the rows' descriptions in the screenshots.
    await widenSideBar(page, 260);
    await runCommand(page, 'Concurrency Lens: Run Current File with Concurrency Monitor');
    const tree = page.locator('.pane-body .monaco-list-row');
    await tree.filter({ hasText: 'MainThread' }).first().waitFor({ timeout: 60_000 });
    await tree.filter({ hasText: /fetch-\d+/ }).first().waitFor({ timeout: 30_000 });
    await tree.filter({ hasText: 'Event loop blocked' }).first().waitFor({ timeout: 30_000 });
    // The worker threads of asyncio.to_thread start once the blocked loop runs on.
    await tree.filter({ hasText: /asyncio_\d/ }).first().waitFor({ timeout: 30_000 });
    assert.ok(await tree.filter({ hasText: /monitor_demo\.py/ }).count() > 0);
    await awayFromTheActivityBar(page);
    await screenshot(page, 'live-tasks-demo-run');
    // The page that fails stays in view, failed, with its exception and the line that raised.
    const failed = tree.filter({ hasText: /fetch-13\s*fetch · failed · ConnectionError: page 13: the server closed the connection · monitor_demo\.py:23/ }).first();
    await failed.waitFor({ timeout: 30_000 });
    await failed.hover();
    // Its tooltip (the exception, where it was raised) when the workbench shows it in time; the
    // integration test checks the tooltip itself.
    await page.locator('.monaco-hover, .workbench-hover').filter({ hasText: 'raised at' }).first().waitFor({ timeout: 3_000 }).catch(() => undefined);
    await screenshot(page, 'live-tasks-failed-task');
    await runCommand(page, 'Concurrency Lens: Stop Monitored Run');
    await tree.filter({ hasText: /Run finished \(stopped by SIGTERM\)/ }).first().waitFor({ timeout: 30_000 });
    // As the run ended: no thread still running or waiting; the terminal says how it ended.
    await page.locator('.xterm-rows').filter({ hasText: 'Program ended by SIGTERM' }).first().waitFor({ timeout: 10_000 });
    assert.equal(await tree.filter({ hasText: /Thread\s+(running|waiting) · / }).count(), 0);
    await awayFromTheActivityBar(page);
    await screenshot(page, 'live-tasks-after-exit');
  });
});

/** The activity bar's tooltip would cover the tree. */
async function awayFromTheActivityBar(page: Workbench['page']): Promise<void> {
  await page.locator('.monaco-editor .view-lines').first().hover();
  await page.locator('.monaco-hover, .workbench-hover').filter({ hasText: 'Concurrency Lens' }).waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined);
}
