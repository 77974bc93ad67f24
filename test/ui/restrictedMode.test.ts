import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { findWebviewFrame, runCommand, screenshot } from '../runner/workbench';
import { openWorkbench, type Workbench } from './fixture';

/** Restricted Mode: Concurrency Lens explains code but runs nothing (capabilities.untrustedWorkspaces). */
describe('restricted mode (UI, untrusted workspace)', { timeout: 300_000 }, () => {
  let workbench: Workbench;

  before(async () => {
    workbench = await openWorkbench({ disableWorkspaceTrust: false });
    const { page } = workbench;
    await page.getByRole('button', { name: /No, I don't trust the authors/ }).click({ timeout: 60_000 });
    await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).waitFor();
  });

  after(async () => {
    await workbench?.close();
  });

  it('the guide opens, but its live experiment is disabled and says why', async () => {
    const { page } = workbench;
    await runCommand(page, 'Concurrency Lens: Open Guide');
    const frame = await findWebviewFrame(page, async (candidate) => (await candidate.locator('h1').textContent()) === 'Concurrency Guide');
    await frame.locator('vscode-tab-header[data-tab="experiment"]').click();
    const panel = frame.locator('vscode-tab-panel[data-tab="experiment"]:not([hidden])');
    await panel.waitFor();
    assert.notEqual(await panel.locator('.run-experiment').first().getAttribute('disabled'), null);
    assert.match((await panel.locator('.notice').first().textContent()) ?? '', /trust/i);
    await screenshot(page, 'restricted-mode-guide');
  });

  it('the command palette offers no command that runs code', async () => {
    const { page } = workbench;
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    const rows = page.locator('.quick-input-list .monaco-list-row');
    await input.fill('>Concurrency Lens: Open Guide');
    await rows.filter({ hasText: 'Open Guide' }).first().waitFor(); // the palette is populated
    await input.fill('>Concurrency Lens: Run');
    await page.waitForTimeout(1000);
    const titles = await rows.allTextContents();
    assert.deepEqual(titles.filter((title) => /Run Current File|Run the Concurrency Experiment/i.test(title)), []);
    await screenshot(page, 'restricted-mode-palette');
    await input.press('Escape');
  });
});
