import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Locator } from 'playwright-core';
import { runCommand, screenshot } from '../runner/workbench';
import { openWorkbench, type Workbench, widenSideBar } from './fixture';

const monitorFixture = (name: string) => readFileSync(path.join(__dirname, '..', 'fixtures', 'workspace', 'monitor', name), 'utf8');

/** Tasks created by a parent task (one cancelled by it), still running: their lifecycle in the tooltip. */
const LIFECYCLE = `import asyncio


async def fetch(page):
    await asyncio.sleep(60)


async def crawl():
    pages = [asyncio.create_task(fetch(page), name=f"page-{page}") for page in range(3)]
    await asyncio.sleep(0.5)
    pages[2].cancel()
    await asyncio.gather(*pages, return_exceptions=True)


async def main():
    await asyncio.create_task(crawl(), name="crawler")


asyncio.run(main())
`;

describe('Why is it stuck (UI)', { timeout: 300_000 }, () => {
  let workbench: Workbench;

  before(async () => {
    workbench = await openWorkbench({
      settings: { 'concurrencyLens.monitor.taskCreation': true },
      files: {
        'stuck/bank_deadlock.py': monitorFixture('bank_deadlock.py'), 'stuck/await_cycle.py': monitorFixture('await_cycle.py'), 'stuck/crawl.py': LIFECYCLE, 'stuck/gil_held.py': monitorFixture('gil_held.py'),
        'stuck/ledger.py': readFileSync(path.join(__dirname, '..', 'fixtures', 'attach', 'deadlock.py'), 'utf8'),
      },
    });
    const { page } = workbench;
    await page.locator('.activitybar [aria-label^="Concurrency Lens"]').first().click();
    // Wide enough to read the rows' descriptions in the screenshots.
    await widenSideBar(page, 320);
  });

  after(async () => {
    await workbench?.close();
  });

  async function run(file: string, marker: string): Promise<void> {
    const { page } = workbench;
    // The ended run's terminal may hold the focus (it waits for a key): the editor takes F1.
    await page.locator('.monaco-editor .view-lines').first().click({ timeout: 5_000 }).catch(() => undefined);
    await runCommand(page, 'Go to File...');
    await page.keyboard.type(`stuck/${file}`);
    await page.locator('.quick-input-list .monaco-list-row').filter({ hasText: file }).first().waitFor({ timeout: 20_000 });
    await page.keyboard.press('Enter');
    await page.locator('.monaco-editor').filter({ hasText: marker }).first().waitFor({ timeout: 20_000 });
    await runCommand(page, 'Concurrency Lens: Run Current File with Concurrency Monitor');
  }

  /**
   * Hovers `row` until its tooltip (holding `text`) shows. The workbench shows a hover after a delay,
   * and not if the pointer was already there; the row is drawn again at each sample, which can drop a
   * hover: move in again until it shows.
   */
  async function showTooltip(row: Locator, text: string): Promise<void> {
    const { page } = workbench;
    const tooltip = page.locator('.monaco-hover, .workbench-hover').filter({ hasText: text }).first();
    for (let attempt = 0; attempt < 10 && !(await tooltip.isVisible()); attempt += 1) {
      await page.locator('.monaco-editor .view-lines').first().hover();
      await row.hover();
      await tooltip.waitFor({ timeout: 5_000 }).catch(() => undefined);
    }
    await tooltip.waitFor({ timeout: 1_000 });
  }

  async function stopAndClear(): Promise<void> {
    const { page } = workbench;
    await runCommand(page, 'Concurrency Lens: Stop Monitored Run');
    await page.locator('.pane-body .monaco-list-row').filter({ hasText: /Run finished/ }).first().waitFor({ timeout: 30_000 });
    await runCommand(page, 'Concurrency Lens: Clear Ended Runs');
  }

  it('a lock-order deadlock: the Stuck row names who holds which lock, errors at the lines', async () => {
    const { page } = workbench;
    await run('bank_deadlock.py', 'journal');
    const tree = page.locator('.pane-body .monaco-list-row');
    await tree.filter({ hasText: /Stuck: lock-order deadlock/ }).first().waitFor({ timeout: 60_000 });
    await tree.filter({ hasText: /holds `accounts` \(line 10\) and waits for `journal` \(line 12\)/ }).first().waitFor({ timeout: 10_000 });
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: 10_000 });
    await screenshot(page, 'stuck-lock-order');
    await stopAndClear();
  });

  it('a thread holding the GIL in C code: the row names it and its line while it holds it, the tooltip says why nothing else ran', async () => {
    const { page } = workbench;
    await run('gil_held.py', 'backtrack');
    const tree = page.locator('.pane-body .monaco-list-row');
    const row = tree.filter({ hasText: /GIL held by MainThread for [\d.]+ s\s*gil_held\.py:12/ }).first();
    await row.waitFor({ timeout: 60_000 });
    assert.equal(await tree.filter({ hasText: /Run finished/ }).count(), 0, 'shown while the thread holds the GIL');
    await screenshot(page, 'gil-held-live');
    // Its row grows every half second while it lasts, which drops a hover: the tooltip is read once it is over.
    await tree.filter({ hasText: /Run finished/ }).first().waitFor({ timeout: 60_000 });
    await showTooltip(row, 'no other thread of this process could run');
    await screenshot(page, 'gil-held');
    await runCommand(page, 'Concurrency Lens: Clear Ended Runs');
  });

  it('attached to a Python program that was started without the monitor and is stuck: the picker, then the Stuck row', async () => {
    const { page } = workbench;
    const program = spawn('python3', [path.join(workbench.workspace, 'stuck', 'ledger.py')], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      await new Promise<void>((resolve, reject) => {
        program.once('error', reject);
        program.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
      });
      await runCommand(page, 'Concurrency Lens: Attach Monitor to Process…');
      await page.locator('.quick-input-widget input[placeholder^="A Node.js or Python process"]').waitFor({ timeout: 20_000 });
      await page.keyboard.type(String(program.pid));
      const pick = page.locator('.quick-input-list .monaco-list-row').filter({ hasText: `pid ${program.pid} · Python` }).first();
      await pick.waitFor({ timeout: 20_000 });
      await screenshot(page, 'attach-python-pick');
      await page.keyboard.press('Enter');
      const tree = page.locator('.pane-body .monaco-list-row');
      await tree.filter({ hasText: /Stuck: lock-order deadlock/ }).first().waitFor({ timeout: 60_000 });
      await tree.filter({ hasText: /transfer\s*holds `accounts` \(line 11\) and waits for `journal` \(line 13\)/ }).first().waitFor({ timeout: 10_000 });
      await screenshot(page, 'attach-python-stuck');
    } finally {
      program.kill('SIGKILL');
    }
    await page.locator('.pane-body .monaco-list-row').filter({ hasText: /Run finished|ended|killed/ }).first().waitFor({ timeout: 30_000 });
    await runCommand(page, 'Concurrency Lens: Clear Ended Runs');
  });

  it('an await cycle in the await tree', async () => {
    const { page } = workbench;
    await run('await_cycle.py', 'load_orders');
    const tree = page.locator('.pane-body .monaco-list-row');
    await tree.filter({ hasText: /Stuck: await cycle/ }).first().waitFor({ timeout: 60_000 });
    await runCommand(page, 'Concurrency Lens: Live Tasks: Show the Await Tree (who waits for whom)');
    await tree.filter({ hasText: /back to the start of a cycle/ }).first().waitFor({ timeout: 20_000 });
    assert.ok(await tree.filter({ hasText: /awaits all of/ }).count() > 0);
    await screenshot(page, 'stuck-await-cycle-tree');
    await runCommand(page, 'Concurrency Lens: Live Tasks: Show Tasks by Thread');
    await stopAndClear();
  });

  it('a task\'s lifecycle: where and by which task it was created, what it awaits, who cancelled it', async () => {
    const { page } = workbench;
    await run('crawl.py', 'def crawl');
    const tree = page.locator('.pane-body .monaco-list-row');
    // The row named page-0 (its parent's row mentions it too: "awaits all of page-0, …").
    const row = tree.filter({ has: page.locator('.label-name', { hasText: /^page-0$/ }) }).first();
    await row.waitFor({ timeout: 60_000 });
    await tree.filter({ hasText: /page-2.*cancelled/ }).first().waitFor({ timeout: 20_000 }).catch(() => undefined);
    await showTooltip(row, 'Created by task crawler');
    await screenshot(page, 'task-lifecycle');
    await stopAndClear();
  });
});
