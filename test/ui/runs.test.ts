import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { runCommand, screenshot } from '../runner/workbench';
import { openWorkbench, type Workbench } from './fixture';

async function openFile(page: Page, name: string, text: string): Promise<void> {
  await runCommand(page, 'Go to File...');
  await page.keyboard.type(name);
  await page.locator('.quick-input-list .monaco-list-row').filter({ hasText: name }).first().waitFor({ timeout: 20_000 });
  await page.keyboard.press('Enter');
  await page.locator('.monaco-editor').filter({ hasText: text }).first().waitFor({ timeout: 20_000 });
}

async function showLiveTasks(page: Page): Promise<void> {
  const title = page.locator('.sidebar .composite.title');
  if (!/concurrency lens/i.test((await title.textContent().catch(() => '')) ?? '')) await page.locator('.activitybar [aria-label^="Concurrency Lens"]').first().click();
  await title.filter({ hasText: /concurrency lens/i }).waitFor({ timeout: 20_000 });
}

/** Drags the side bar wider, so that rows read whole in a screenshot. */
async function widenSideBar(page: Page): Promise<void> {
  const box = await page.locator('.part.sidebar').boundingBox();
  if (!box || box.width >= 500) return;
  const edge = box.x + box.width;
  await page.mouse.move(edge, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(edge + 260, box.y + box.height / 2, { steps: 8 });
  await page.mouse.up();
}

/** Moves the pointer over the editor, so no hover (the activity bar's tooltip) covers the tree. */
async function calmPointer(page: Page): Promise<void> {
  await page.locator('.monaco-editor .view-lines').first().hover();
  await page.waitForTimeout(500);
}

describe('Live Tasks with several runs and a debug session (UI)', { timeout: 300_000 }, () => {
  let workbench: Workbench;

  before(async () => {
    // The debugger would switch the side bar to Run and Debug; Live Tasks is what we look at.
    workbench = await openWorkbench({
      settings: { 'debug.openDebug': 'neverOpen', 'debug.internalConsoleOptions': 'neverOpen' },
      files: {
        '.vscode/launch.json': JSON.stringify({
          version: '0.2.0',
          configurations: [{ type: 'node', request: 'launch', name: 'Debug monitor_demo.mjs', program: '${workspaceFolder}/node/monitor_demo.mjs' }],
        }, null, 2),
      },
    });
  });

  after(async () => {
    await workbench?.close();
  });

  it('lists two runs side by side: a server started by a command line and a file run, each with its processes', async () => {
    const { page } = workbench;
    await openFile(page, 'monitor_demo.py', 'def crunch');
    await showLiveTasks(page);
    await widenSideBar(page);
    const tree = page.locator('.sidebar .pane-body .monaco-list-row');
    // With two runs, the top level of the tree is one row per run.
    const runs = page.locator('.sidebar .pane-body .monaco-list-row[aria-level="1"]');
    await runCommand(page, 'Concurrency Lens: Run Command with Concurrency Monitor…');
    await page.locator('.quick-input-widget input').fill('python3 -m http.server 0 --bind 127.0.0.1');
    await page.keyboard.press('Enter');
    await tree.filter({ hasText: 'MainThread' }).first().waitFor({ timeout: 60_000 });
    await runCommand(page, 'Concurrency Lens: Run Current File with Concurrency Monitor');
    await runs.filter({ hasText: 'python/monitor_demo.py' }).first().waitFor({ timeout: 60_000 });
    await tree.filter({ hasText: /fetch-\d+/ }).first().waitFor({ timeout: 60_000 });
    assert.equal(await runs.count(), 2, 'one row per run');
    await calmPointer(page);
    await screenshot(page, 'live-tasks-two-runs');
    // Stop acts on the selected run: the server.
    await runs.filter({ hasText: 'http.server' }).first().click();
    await runCommand(page, 'Concurrency Lens: Stop Monitored Run');
    await runs.filter({ hasText: 'http.server' }).filter({ hasText: /stopped by SIGTERM|SIGINT|exited with code/ }).first().waitFor({ timeout: 30_000 }).catch(async (error: unknown) => {
      await screenshot(page, 'runs-stop-failure');
      throw error;
    });
    await runs.filter({ hasText: 'python/monitor_demo.py' }).filter({ hasText: /exited with code 0/ }).first().waitFor({ timeout: 120_000 });
    await runCommand(page, 'Concurrency Lens: Clear Ended Runs');
    await page.locator('.welcome-view-content').filter({ hasText: 'No program is being monitored' }).waitFor({ timeout: 20_000 });
    // The command line is offered again, first.
    await runCommand(page, 'Concurrency Lens: Run Command with Concurrency Monitor…');
    const first = page.locator('.quick-input-list .monaco-list-row').first();
    await first.filter({ hasText: 'python3 -m http.server 0 --bind 127.0.0.1' }).filter({ hasText: 'recent' }).waitFor({ timeout: 20_000 });
    await page.keyboard.press('Escape');
  });

  it('shows a debug session paused at a breakpoint, its Worker and child process listed', async () => {
    const { page } = workbench;
    await openFile(page, 'monitor_demo.mjs', 'blockTheLoop');
    // A breakpoint on `blockTheLoop(300);`: the Worker and the child process run by then.
    const demo = readFileSync(path.join(__dirname, '..', '..', 'demo', 'node', 'monitor_demo.mjs'), 'utf8').split('\n');
    const breakpointLine = demo.indexOf('blockTheLoop(300);') + 1;
    assert.ok(breakpointLine > 0, 'the demo still blocks its loop on a line of its own');
    await page.keyboard.press('Control+G');
    await page.keyboard.type(String(breakpointLine));
    await page.keyboard.press('Enter');
    await page.keyboard.press('F9');
    await page.locator('.codicon-debug-breakpoint').first().waitFor({ timeout: 20_000 });
    await runCommand(page, 'Debug: Start Debugging');
    // With no configuration selected yet, the debugger asks which one.
    const configuration = page.locator('.quick-input-list .monaco-list-row').filter({ hasText: 'Debug monitor_demo.mjs' }).first();
    const toolbar = page.locator('.debug-toolbar');
    await Promise.race([configuration.waitFor({ timeout: 60_000 }), toolbar.waitFor({ timeout: 60_000 })]).catch(async (error: unknown) => {
      await screenshot(page, 'runs-debug-failure');
      throw error;
    });
    if (await configuration.isVisible()) await configuration.click();
    await showLiveTasks(page);
    const tree = page.locator('.sidebar .pane-body .monaco-list-row');
    await tree.filter({ hasText: 'Paused in the debugger' }).first().waitFor({ timeout: 90_000 }).catch(async (error: unknown) => {
      await screenshot(page, 'runs-debug-failure');
      throw error;
    });
    // The Node probe reports from the main thread, which the breakpoint holds: a Worker that came
    // online after the last report before the pause (a loaded machine) is listed once it goes on.
    const worker = tree.filter({ hasText: /^Worker \d+/ }).first();
    // The child as its parent describes it, or as its own probe does once it has spoken.
    const child = tree.filter({ hasText: /-e setTimeout|^\S+ pid \d+/ }).first();
    await child.waitFor({ timeout: 30_000 }).catch(async (error: unknown) => {
      await screenshot(page, 'runs-debug-failure');
      throw error;
    });
    await worker.waitFor({ timeout: 5_000 }).catch(() => undefined);
    await calmPointer(page);
    await screenshot(page, 'live-tasks-debug');
    assert.ok(await page.locator('.sidebar').getByText('Debug monitor_demo.mjs', { exact: true }).isVisible(), 'the run, alone in the view, is named after the configuration above its rows');
    await runCommand(page, 'Debug: Continue');
    await worker.waitFor({ timeout: 30_000 });
    await tree.filter({ hasText: /Run finished/ }).first().waitFor({ timeout: 60_000 });
    assert.equal(await tree.filter({ hasText: 'Event loop blocked for' }).filter({ hasText: /\d\.\d s/ }).count(), 0, 'the pause is no block of seconds');
  });
});
