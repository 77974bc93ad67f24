import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import { RunModel } from '../../src/core/runs/runModel';
import { REPO_ROOT } from '../runner/codeServer';
import { findWebviewFrame, runCommand, screenshot } from '../runner/workbench';
import { openWorkbench, type Workbench } from './fixture';
import { recordRun } from './recordRun';

const XSS_NAME = '<img src=x onerror=alert(1)>';

/** A run whose program data is hostile markup: a task and a thread named like HTML. */
function hostileRecording(): unknown {
  const t0 = Date.now();
  const model = new RunModel();
  model.addProcess({ kind: 'hello', seq: 0, t: t0, token: 't', protocol: 1, pid: 777, ppid: 1, runtime: { name: 'python', version: '3.12.0' }, argv: ['python3', '<b>app</b>.py'], startedAt: t0 });
  model.apply(777, {
    kind: 'snapshot', seq: 1, t: t0 + 10,
    threads: [{ id: 'main', kind: 'main', name: '<script>alert(2)</script>', state: 'running', startedAt: t0 }],
    tasks: [{ id: 'task-1', threadId: 'main', loopId: 'loop', name: XSS_NAME, coroutine: XSS_NAME, state: 'pending', startedAt: t0 + 10 }],
  });
  model.apply(777, { kind: 'delta', seq: 2, t: t0 + 400, upsert: { tasks: [{ id: 'task-1', threadId: 'main', loopId: 'loop', name: XSS_NAME, coroutine: XSS_NAME, state: 'done', startedAt: t0 + 10, endedAt: t0 + 400 }] } });
  model.endProcess(777, t0 + 500, { exitCode: 0 });
  return model.toRecording();
}

/** Runs "Open Recording…" and answers the (simple, quick-input) file dialog with `file`. */
async function openRecording(page: Page, file: string): Promise<Frame> {
  await runCommand(page, 'Concurrency Lens: Open Recording…');
  const input = page.locator('.quick-input-widget input');
  // The dialog fills in its folder once it has read it, over what was typed before: type until the path stays.
  for (let attempt = 0; attempt < 20; attempt += 1) {
    await input.fill(file);
    await page.waitForTimeout(300);
    if ((await input.inputValue()) === file) break;
  }
  await input.press('Enter');
  const name = path.basename(file);
  // The first webview of a fresh workbench can take a while on a busy 2-core machine.
  return findWebviewFrame(page, async (frame) => (await frame.locator('h1.timeline-title').textContent()) === name, 60_000).catch(async (error: unknown) => {
    await screenshot(page, `open-recording-failure-${name}`);
    throw error;
  });
}

/** Opens the lanes table; it is built when it opens. */
async function openTable(frame: Frame): Promise<void> {
  await frame.locator('.timeline-table summary').click();
  await frame.locator('.timeline-table tbody tr').first().waitFor();
}

/** The visible time window once it differs from `before` and has stopped changing (the keys pressed may still be painting). */
async function settledRangeText(frame: Frame, before: string | null): Promise<string> {
  let text = await rangeText(frame, (candidate) => candidate !== before);
  for (let waited = 0; waited < 10_000; waited += 400) {
    await frame.page().waitForTimeout(400);
    const now = (await frame.locator('.timeline-range').textContent()) ?? '';
    if (now === text) return text;
    text = now;
  }
  return text;
}

/** The visible time window the timeline states, once `accept` takes it (within 10 s). */
async function rangeText(frame: Frame, accept: (text: string) => boolean): Promise<string> {
  let text = '';
  for (let waited = 0; waited < 10_000; waited += 100) {
    text = (await frame.locator('.timeline-range').textContent()) ?? '';
    if (accept(text)) return text;
    await frame.page().waitForTimeout(100);
  }
  return text;
}

describe('timeline (UI)', { timeout: 300_000 }, () => {
  let workbench: Workbench;
  const dialogs: string[] = [];

  before(async () => {
    const [python, node] = await Promise.all([
      recordRun('python', path.join(REPO_ROOT, 'demo', 'python', 'asyncio_tasks.py')),
      recordRun('node', path.join(REPO_ROOT, 'demo', 'node', 'monitor_demo.mjs')),
    ]);
    workbench = await openWorkbench();
    writeFileSync(path.join(workbench.workspace, 'python-demo.json'), JSON.stringify(python));
    writeFileSync(path.join(workbench.workspace, 'node-demo.json'), JSON.stringify(node));
    writeFileSync(path.join(workbench.workspace, 'hostile.json'), JSON.stringify(hostileRecording()));
    workbench.page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  });

  after(async () => {
    await workbench?.close();
  });

  it('shows the Node demo: processes, the worker, the child process, the blocked loop and the loop lag', async () => {
    const frame = await openRecording(workbench.page, path.join(workbench.workspace, 'node-demo.json'));
    await openTable(frame);
    const lanes = await frame.locator('.timeline-table tbody tr td:first-child').allTextContents();
    assert.ok(lanes.some((lane) => lane.includes('monitor_demo.mjs')), lanes.join(' | '));
    assert.ok(lanes.some((lane) => lane.includes('Worker')), lanes.join(' | '));
    const kinds = await frame.locator('.timeline-table tbody tr td:nth-child(2)').allTextContents();
    const lagRow = kinds.indexOf('event-loop lag');
    assert.equal(kinds[lagRow - 1], 'thread', 'the lag strip follows its thread');
    const summaryText = (await frame.locator('.timeline-summary').textContent()) ?? '';
    assert.match(summaryText, /[1-9]\d* blocked event loops/);
    assert.match(summaryText, /Event-loop lag on main \(monitor_demo\.mjs \(\d+\)\): max [\d.]+ m?s, p95 [\d.]+ /);
    await frame.locator('.timeline-table summary').click();
    // Hover the lag strip in the middle of the run: its tooltip gives the lag there and the threshold.
    const box = await frame.locator('canvas').boundingBox();
    await frame.locator('canvas').hover({ position: { x: 220 + ((box?.width ?? 800) - 220) / 2, y: 24 + lagRow * 20 + 10 } });
    await frame.locator('.timeline-tooltip .tooltip-title').waitFor();
    const tooltip = await frame.locator('.timeline-tooltip').innerText();
    assert.match(tooltip, /Event-loop lag [\d.]+ (ms|µs|s)/);
    assert.match(tooltip, /Blocked-loop threshold 100 ms/);
    await screenshot(workbench.page, 'timeline-node-demo');
  });

  it('comes back after a window reload with the last run, zoomed and scrolled as it was', async () => {
    const { page } = workbench;
    const frame = await openRecording(page, path.join(workbench.workspace, 'node-demo.json'));
    const canvas = frame.locator('canvas');
    await canvas.focus();
    const fitted = await frame.locator('.timeline-range').textContent();
    for (const key of ['+', '+', 'ArrowRight', 'ArrowRight']) await canvas.press(key);
    const zoomed = await settledRangeText(frame, fitted);
    await page.waitForTimeout(500); // the webview saves its view a moment after it changes
    // Wait for the page itself to reload, so the frame found next is the restored one, not the old one.
    const reloaded = page.waitForEvent('framenavigated', { predicate: (navigated) => navigated === page.mainFrame(), timeout: 60_000 });
    await runCommand(page, 'Developer: Reload Window');
    await reloaded;
    const restored = await findWebviewFrame(page, async (candidate) => (await candidate.locator('h1.timeline-title').textContent()) === 'node-demo.json', 90_000);
    assert.equal(await rangeText(restored, (text) => text === zoomed), zoomed);
    assert.notEqual(zoomed, fitted);
    await screenshot(page, 'timeline-restored');
  });

  it('shows the Python demo: the asyncio tasks in lanes under their thread', async () => {
    const frame = await openRecording(workbench.page, path.join(workbench.workspace, 'python-demo.json'));
    await openTable(frame);
    const lanes = await frame.locator('.timeline-table tbody tr td:first-child').allTextContents();
    assert.ok(lanes.filter((lane) => lane.includes('source-')).length >= 8, lanes.join(' | '));
    await frame.locator('.timeline-table summary').click();
    await screenshot(workbench.page, 'timeline-python-demo');
  });

  it('shows program data named like HTML as text, never as markup', async () => {
    const frame = await openRecording(workbench.page, path.join(workbench.workspace, 'hostile.json'));
    await openTable(frame);
    const cells = await frame.locator('.timeline-table tbody tr td:first-child').allTextContents();
    assert.ok(cells.some((cell) => cell.trim() === XSS_NAME), cells.join(' | '));
    assert.ok(cells.some((cell) => cell.trim() === '<script>alert(2)</script>'), cells.join(' | '));
    // Hover the task's lane label: the tooltip shows the name as text too.
    await frame.locator('canvas').hover({ position: { x: 80, y: 24 + 2 * 20 + 10 } });
    await frame.locator('.timeline-tooltip .tooltip-title').waitFor();
    assert.equal(await frame.locator('.timeline-tooltip .tooltip-title').textContent(), XSS_NAME);
    assert.equal(await frame.locator('img').count(), 0, 'no element was created from the name');
    assert.ok((await frame.locator('script').allTextContents()).every((text) => !text.includes('alert')), 'no script came from the names');
    assert.deepEqual(dialogs, []);
    await screenshot(workbench.page, 'timeline-hostile-names');
  });
});
