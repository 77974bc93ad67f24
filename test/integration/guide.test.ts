import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { MODEL_EXAMPLES } from '../../src/core/guide/examples';
import { activateExtension, nextEvent } from './extensionHost';

function guideTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((group) => group.tabs)
    .filter((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith('concurrencyLens.guide'));
}

function fixture(name: string): vscode.Uri {
  return vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, name);
}

suite('Guide panel', () => {
  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('"Open Guide" opens one webview panel that completes the host↔webview handshake', async () => {
    const { api } = await activateExtension();
    const ready = nextEvent(api.guide.onDidBecomeReady);
    await vscode.commands.executeCommand('concurrencyLens.openGuide', { language: 'python', model: 'coroutines' });
    const view = await ready;
    assert.deepEqual(view, { language: 'python', model: 'coroutines', section: 'overview' });
    assert.equal(guideTabs().length, 1);
    assert.equal(api.guide.isOpen, true);

    await vscode.commands.executeCommand('concurrencyLens.openGuide');
    assert.equal(guideTabs().length, 1, 'a second call reveals the same panel');
  });

  test('opens at the requested language, model and section and ignores malformed arguments', async () => {
    const { api } = await activateExtension();
    const ready = nextEvent(api.guide.onDidBecomeReady);
    await vscode.commands.executeCommand('concurrencyLens.openGuide', { language: 'node', model: 'processes', section: 'pitfalls', bogus: 1 });
    assert.deepEqual(await ready, { language: 'node', model: 'processes', section: 'pitfalls' });

    await vscode.commands.executeCommand('concurrencyLens.openGuide', { language: 'cobol', model: 42, section: 'appendix' });
    assert.deepEqual(api.guide.currentView, { language: 'node', model: 'processes', section: 'pitfalls' });

    await vscode.commands.executeCommand('concurrencyLens.openGuide', { section: 'decide' });
    assert.deepEqual(api.guide.currentView, { language: 'node', model: 'processes', section: 'decide' });
  });

  test('without a language argument, follows the active editor\'s language', async () => {
    const { api } = await activateExtension();
    await vscode.window.showTextDocument(fixture('hello.mjs'));
    await vscode.commands.executeCommand('concurrencyLens.openGuide');
    assert.equal(api.guide.currentView.language, 'node');
    await vscode.window.showTextDocument(fixture('hello_async.py'));
    await vscode.commands.executeCommand('concurrencyLens.openGuide', { model: 'threads' });
    assert.deepEqual(api.guide.currentView, { language: 'python', model: 'threads', section: 'overview' });
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

  test('"Insert at Cursor" puts the example into the last text editor as one undo step', async () => {
    const { api } = await activateExtension();
    const document = await vscode.workspace.openTextDocument({ language: 'python', content: '# start\n' });
    const editor = await vscode.window.showTextDocument(document);
    editor.selection = new vscode.Selection(1, 0, 1, 0);
    const ready = nextEvent(api.guide.onDidBecomeReady);
    await vscode.commands.executeCommand('concurrencyLens.openGuide', { model: 'processes' });
    await ready; // the guide now has the focus: insertion must still reach the editor

    assert.equal(await api.guide.insertExample('python', 'processes'), 'inserted');
    assert.equal(document.getText(), `# start\n${MODEL_EXAMPLES.python.processes.code}`);
    assert.equal(vscode.window.activeTextEditor?.document, document, 'the editor has the focus again');
    await vscode.commands.executeCommand('undo');
    assert.equal(document.getText(), '# start\n', 'one undo removes the whole example');

    assert.equal(await api.guide.insertExample('python', 'threads', { workload: 'io', units: 'many', blockingLibrary: true, isolation: false, sharedState: false, python: 'gil' }), 'inserted');
    assert.match(document.getText(), /asyncio\.to_thread/, 'a decision inserts the decision\'s example');
    await vscode.window.showTextDocument(document);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  test('"Insert at Cursor" with no editor open says so instead of failing', async () => {
    const { api } = await activateExtension();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    assert.equal(await api.guide.insertExample('node', 'threads'), 'noEditor');
  });

  test('the decision helper answers a CPU-bound Python question with processes, localized', async () => {
    const { api } = await activateExtension();
    const decision = await api.guide.decide('python', { workload: 'cpu', units: 'few', blockingLibrary: false, isolation: false, sharedState: false, python: 'gil' });
    assert.equal(decision.model, 'processes');
    assert.equal(typeof decision.reasons[0]?.text, 'string');
    assert.match(decision.example.code, /ProcessPoolExecutor/);
    const on314 = await api.guide.decide('python', { workload: 'cpu', units: 'few', blockingLibrary: false, isolation: false, sharedState: false, python: 'py314' });
    assert.equal(on314.model, 'interpreters');
    assert.match(on314.example.code, /InterpreterPoolExecutor/);
  });

  test('the interpreters page exists for Python only: a Node request for it opens Worker threads', async () => {
    const { api } = await activateExtension();
    await vscode.commands.executeCommand('concurrencyLens.openGuide', { language: 'python', model: 'interpreters' });
    assert.deepEqual(api.guide.currentView, { language: 'python', model: 'interpreters', section: 'overview' });
    await vscode.commands.executeCommand('concurrencyLens.openGuide', { language: 'node', model: 'interpreters' });
    assert.deepEqual(api.guide.currentView, { language: 'node', model: 'threads', section: 'overview' });
  });
});
