import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import { findWebviewFrame, runCommand, screenshot } from '../runner/workbench';
import { openWorkbench, type Workbench } from './fixture';

async function openGuide(page: Page, commandTitle: string, heading: string): Promise<Frame> {
  await runCommand(page, commandTitle);
  return findWebviewFrame(page, async (candidate) => (await candidate.locator('h1').textContent()) === heading);
}

async function showTab(frame: Frame, tab: string): Promise<void> {
  await frame.locator(`vscode-tab-header[data-tab="${tab}"]`).click();
  await frame.locator(`vscode-tab-panel[data-tab="${tab}"]:not([hidden])`).waitFor();
}

describe('guide (UI, light theme)', { timeout: 400_000 }, () => {
  let workbench: Workbench;

  before(async () => {
    workbench = await openWorkbench({ settings: { 'workbench.colorTheme': 'Default Light Modern' } });
  });

  after(async () => {
    await workbench?.close();
  });

  it('shows a model with its sections, docs links and example', async () => {
    const { page } = workbench;
    const frame = await openGuide(page, 'Concurrency Lens: Open Guide', 'Concurrency Guide');
    await showTab(frame, 'processes');
    const panel = frame.locator('vscode-tab-panel[data-tab="processes"]');
    assert.equal(await panel.locator('.topic-section h2').count(), 6);
    assert.match((await panel.locator('.claims').first().textContent()) ?? '', /GIL/);
    assert.ok(await panel.locator('a.docs-link[href^="https://docs.python.org/3/"]').count() > 5);
    assert.match((await panel.locator('pre code').textContent()) ?? '', /if __name__ == "__main__":/);
    assert.equal(await panel.locator('.insert-example').count(), 1);
    await screenshot(page, 'guide-light-processes');
  });

  it('shows the multiple-interpreters page for Python (3.14+), and no such tab for Node.js', async () => {
    const { page } = workbench;
    const frame = await findWebviewFrame(page, async (candidate) => (await candidate.locator('h1').textContent()) === 'Concurrency Guide');
    await showTab(frame, 'interpreters');
    const panel = frame.locator('vscode-tab-panel[data-tab="interpreters"]');
    assert.match((await panel.locator('.lead').textContent()) ?? '', /isolated interpreters in one process/);
    assert.equal(await panel.locator('.topic-section h2').count(), 6);
    assert.ok(await panel.locator('a.docs-link[href^="https://docs.python.org/3/library/concurrent.interpreters.html#"]').count() >= 4);
    assert.match((await panel.locator('pre code').textContent()) ?? '', /InterpreterPoolExecutor/);
    await screenshot(page, 'guide-light-interpreters');
    await showTab(frame, 'comparison');
    assert.equal(await frame.locator('table.comparison thead th').count(), 4, 'four Python models side by side');
    await frame.locator('.segment', { hasText: 'Node.js' }).click();
    await frame.locator('vscode-tab-header[data-tab="threads"]').waitFor();
    assert.equal(await frame.locator('vscode-tab-header[data-tab="interpreters"]').count(), 0);
    assert.equal(await frame.locator('table.comparison thead th').count(), 3);
    await frame.locator('.segment', { hasText: 'Python' }).click();
    await frame.locator('vscode-tab-header[data-tab="interpreters"]').waitFor();
  });

  it('the decision helper answers a CPU-bound Python question with "processes"', async () => {
    const { page } = workbench;
    const frame = await findWebviewFrame(page, async (candidate) => (await candidate.locator('h1').textContent()) === 'Concurrency Guide');
    await showTab(frame, 'decide');
    await frame.locator('vscode-radio[data-answer="workload-cpu"]').click();
    await frame.locator('.decide-button').click();
    const recommendation = frame.locator('.recommendation');
    await recommendation.waitFor({ timeout: 20_000 });
    assert.equal(await recommendation.getAttribute('data-model'), 'processes');
    assert.match((await recommendation.textContent()) ?? '', /Processes/);
    assert.match((await frame.locator('.decision .claims').textContent()) ?? '', /GIL/);
    assert.match((await frame.locator('.decision pre code').textContent()) ?? '', /ProcessPoolExecutor/);
    await screenshot(page, 'guide-light-decide');

    // Hidden behind another editor and shown again, the webview reloads and restores its state.
    await runCommand(page, 'Preferences: Open Keyboard Shortcuts');
    await page.locator('.tab', { hasText: 'Concurrency Guide' }).click();
    const restored = await findWebviewFrame(page, async (candidate) => (await candidate.locator('.recommendation').count()) === 1);
    assert.equal(await restored.locator('vscode-tab-panel[data-tab="decide"]').isVisible(), true);
    assert.equal(await restored.locator('.recommendation').getAttribute('data-model'), 'processes');
  });

  it('runs the live experiment and shows every variant with its speed-up and start-up costs', async () => {
    const { page } = workbench;
    const frame = await findWebviewFrame(page, async (candidate) => (await candidate.locator('h1').textContent()) === 'Concurrency Guide');
    await showTab(frame, 'experiment');
    await frame.locator('.run-experiment').click();
    await frame.locator('.status-running').waitFor({ timeout: 20_000 });
    await frame.locator('.status-done').waitFor({ timeout: 240_000 });
    assert.equal(await frame.locator('table.chart tbody tr').count(), 8);
    for (const variant of ['cpu.sequential', 'cpu.threads', 'cpu.processes', 'io.coroutines']) {
      assert.match((await frame.locator(`tr[data-variant="${variant}"] td.speedup`).textContent()) ?? '', /^×\d+\.\d\d$/, variant);
    }
    assert.equal(await frame.locator('.startup li').count(), 3);
    // Beside each speed-up, the parallelism: CPU time of the process and its children ÷ wall time.
    for (const variant of ['cpu.sequential', 'cpu.processes']) {
      assert.match((await frame.locator(`tr[data-variant="${variant}"] td.parallelism`).textContent()) ?? '', /^\d+\.\d$/, variant);
    }
    await screenshot(page, 'guide-light-experiment');
    // The measured start-up cost now also appears in the model's "cost per unit" section.
    await showTab(frame, 'threads');
    assert.match((await frame.locator('vscode-tab-panel[data-tab="threads"] .measured').textContent()) ?? '', /\d/);
  });
});

describe('guide (UI, dark theme)', { timeout: 200_000 }, () => {
  let workbench: Workbench;

  before(async () => {
    workbench = await openWorkbench({ settings: { 'workbench.colorTheme': 'Default Dark Modern' } });
  });

  after(async () => {
    await workbench?.close();
  });

  it('renders the comparison table and Node.js content in the dark theme', async () => {
    const { page } = workbench;
    const frame = await openGuide(page, 'Concurrency Lens: Open Guide', 'Concurrency Guide');
    await frame.locator('.segment', { hasText: 'Node.js' }).click();
    await showTab(frame, 'threads');
    assert.match((await frame.locator('vscode-tab-panel[data-tab="threads"] pre code').textContent()) ?? '', /worker_threads/);
    await screenshot(page, 'guide-dark-node-threads');
    await showTab(frame, 'comparison');
    assert.equal(await frame.locator('table.comparison tbody tr').count(), 7);
    await screenshot(page, 'guide-dark-comparison');
  });
});

describe('guide (UI, Simplified Chinese)', { timeout: 200_000 }, () => {
  let workbench: Workbench;

  before(async () => {
    workbench = await openWorkbench({ locale: 'zh-cn' });
  });

  after(async () => {
    await workbench?.close();
  });

  it('shows the extension\'s Chinese strings and Chinese content', async () => {
    const { page } = workbench;
    const frame = await openGuide(page, 'Concurrency Lens: 打开指南', '并发指南');
    assert.equal(await frame.locator('html').getAttribute('lang'), 'zh-cn');
    await showTab(frame, 'threads');
    const text = (await frame.locator('vscode-tab-panel[data-tab="threads"]').textContent()) ?? '';
    assert.match(text, /全局解释器锁（GIL）/);
    assert.match(text, /自由线程构建/);
    await screenshot(page, 'guide-zh-cn-threads');
    await showTab(frame, 'interpreters');
    const interpreters = (await frame.locator('vscode-tab-panel[data-tab="interpreters"]').textContent()) ?? '';
    assert.match(interpreters, /相互隔离的解释器/);
    assert.match((await frame.locator('vscode-tab-header[data-tab="interpreters"]').textContent()) ?? '', /多解释器/);
    await screenshot(page, 'guide-zh-cn-interpreters');
  });
});

describe('guide (UI, high contrast)', { timeout: 200_000 }, () => {
  let workbench: Workbench;

  before(async () => {
    workbench = await openWorkbench({ settings: { 'workbench.colorTheme': 'Default High Contrast' } });
  });

  after(async () => {
    await workbench?.close();
  });

  it('keeps code readable: code text never takes the colour of its background', async () => {
    const { page } = workbench;
    const frame = await openGuide(page, 'Concurrency Lens: Open Guide', 'Concurrency Guide');
    await showTab(frame, 'processes');
    // Evaluated in the webview (this file has no DOM types): computed colours of a code block and inline code.
    const colours = await frame.evaluate<{ text: string; background: string; inline: string }>(`(() => {
      const panel = document.querySelector('vscode-tab-panel[data-tab="processes"]');
      const block = panel.querySelector('pre code');
      return {
        text: getComputedStyle(block).color,
        background: getComputedStyle(block.parentElement).backgroundColor,
        inline: getComputedStyle(panel.querySelector('.claims code')).color,
      };
    })()`);
    assert.notEqual(colours.text, colours.background);
    assert.notEqual(colours.inline, colours.background);
    await screenshot(page, 'guide-high-contrast');
  });
});
