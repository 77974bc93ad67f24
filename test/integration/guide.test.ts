import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, nextEvent } from './extensionHost';

function guideTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((group) => group.tabs)
    .filter((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith('concurrencyLens.guide'));
}

suite('Guide panel', () => {
  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('"Open Guide" opens one webview panel that completes the host↔webview handshake', async () => {
    const { api } = await activateExtension();
    const ready = nextEvent(api.guide.onDidBecomeReady);
    await vscode.commands.executeCommand('concurrencyLens.openGuide');
    const view = await ready;
    assert.deepEqual(view, { language: 'python', model: 'coroutines' });
    assert.equal(guideTabs().length, 1);
    assert.equal(api.guide.isOpen, true);

    await vscode.commands.executeCommand('concurrencyLens.openGuide');
    assert.equal(guideTabs().length, 1, 'a second call reveals the same panel');
  });

  test('opens at the requested language and model and ignores malformed arguments', async () => {
    const { api } = await activateExtension();
    const ready = nextEvent(api.guide.onDidBecomeReady);
    await vscode.commands.executeCommand('concurrencyLens.openGuide', { language: 'node', model: 'processes', bogus: 1 });
    assert.deepEqual(await ready, { language: 'node', model: 'processes' });

    await vscode.commands.executeCommand('concurrencyLens.openGuide', { language: 'cobol', model: 42 });
    assert.deepEqual(api.guide.currentView, { language: 'node', model: 'processes' });
  });

  test('closing the panel disposes it', async () => {
    const { api } = await activateExtension();
    const ready = nextEvent(api.guide.onDidBecomeReady);
    await vscode.commands.executeCommand('concurrencyLens.openGuide');
    await ready;
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    assert.equal(api.guide.isOpen, false);
    assert.equal(guideTabs().length, 0);
  });
});
