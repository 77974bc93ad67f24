import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateExtension } from './extensionHost';

const SOURCE = 'Concurrency Lens';

function fixtureUri(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the integration tests need the fixture workspace');
  return vscode.Uri.file(path.join(folder.uri.fsPath, 'diagnostics', name));
}

/** Our diagnostics carry `code: { value: ruleId, target: docs URL }`. */
function ruleOf(diagnostic: vscode.Diagnostic): unknown {
  return typeof diagnostic.code === 'object' ? diagnostic.code.value : diagnostic.code;
}

function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((diagnostic) => diagnostic.source === SOURCE);
}

/** Waits until our diagnostics of `uri` satisfy `predicate` (they are published asynchronously, debounced). */
async function diagnosticsWhere(uri: vscode.Uri, predicate: (diagnostics: vscode.Diagnostic[]) => boolean, timeoutMs = 20_000): Promise<vscode.Diagnostic[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const current = ours(uri);
    if (predicate(current)) return current;
    if (Date.now() > deadline) throw new Error(`diagnostics never matched; last: ${JSON.stringify(current.map((d) => [ruleOf(d), d.range.start.line]))}`);
    await new Promise<void>((resolve) => {
      const subscription = vscode.languages.onDidChangeDiagnostics(() => {
        subscription.dispose();
        resolve();
      });
      setTimeout(() => {
        subscription.dispose();
        resolve();
      }, 250);
    });
  }
}

/** Every code action at the diagnostic's range (ours and other providers'; `diagnostics` do not survive the command). */
async function actionsAt(uri: vscode.Uri, at: vscode.Diagnostic | vscode.Range): Promise<vscode.CodeAction[]> {
  return vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, at instanceof vscode.Range ? at : at.range);
}

suite('Concurrency diagnostics', () => {
  suiteSetup(async () => {
    await activateExtension();
  });

  teardown(async () => {
    await vscode.workspace.getConfiguration('concurrencyLens').update('rules', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('reports time.sleep in a coroutine; the preferred quick fix rewrites it and undo restores the text exactly', async () => {
    const uri = fixtureUri('blocking.py');
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
    const original = document.getText();
    const [diagnostic] = await diagnosticsWhere(uri, (found) => found.length === 1);
    assert.ok(diagnostic);
    assert.equal(ruleOf(diagnostic), 'py/blocking-sleep');
    const target = typeof diagnostic.code === 'object' ? diagnostic.code.target : undefined;
    assert.equal(target?.toString(true), 'https://docs.python.org/3/library/asyncio-task.html#sleeping', 'the rule id links to its explanation');
    assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Warning);
    assert.deepEqual([diagnostic.range.start.line, diagnostic.range.start.character], [5, 4]);

    const actions = await actionsAt(uri, diagnostic);
    const titles = actions.map((action) => action.title);
    for (const title of ['Use await asyncio.sleep(…)', 'Ignore py/blocking-sleep on this line', 'Disable rule py/blocking-sleep', 'Open in guide: Blocking sleep in an async function']) assert.ok(titles.includes(title), title);
    const preferred = actions.find((action) => action.isPreferred);
    assert.equal(preferred?.title, 'Use await asyncio.sleep(…)');
    assert.ok(preferred?.edit);
    assert.ok(actions.some((action) => action.command?.command === 'concurrencyLens.disableRule'));
    assert.ok(actions.some((action) => action.command?.command === 'concurrencyLens.openGuide'));

    assert.equal(await vscode.workspace.applyEdit(preferred.edit), true);
    assert.equal(document.getText(), original.replace('import time\n', 'import time\nimport asyncio\n').replace('    time.sleep(0.5)', '    await asyncio.sleep(0.5)'));
    await diagnosticsWhere(uri, (found) => found.length === 0);

    await vscode.commands.executeCommand('undo');
    assert.equal(document.getText(), original, 'one undo step restores the file');
    await diagnosticsWhere(uri, (found) => found.length === 1);
  });

  test('updates as you type, and honours the concurrencyLens.rules setting', async () => {
    const uri = fixtureUri('blocking.py');
    const document = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(document);
    await diagnosticsWhere(uri, (found) => found.length === 1);
    await editor.edit((builder) => builder.insert(new vscode.Position(6, 0), '    name = input()\n'));
    const found = await diagnosticsWhere(uri, (diagnostics) => diagnostics.length === 2);
    assert.deepEqual(found.map(ruleOf).sort(), ['py/blocking-input', 'py/blocking-sleep']);

    await vscode.commands.executeCommand('concurrencyLens.disableRule', 'py/blocking-input');
    assert.deepEqual(vscode.workspace.getConfiguration('concurrencyLens').get('rules'), { 'py/blocking-input': 'off' });
    await diagnosticsWhere(uri, (diagnostics) => diagnostics.length === 1 && ruleOf(diagnostics[0]!) === 'py/blocking-sleep');

    await vscode.workspace.getConfiguration('concurrencyLens').update('rules', { 'py/blocking-sleep': 'error', 'py/blocking-input': 'on' }, vscode.ConfigurationTarget.Workspace);
    const severities = await diagnosticsWhere(uri, (diagnostics) => diagnostics.length === 2 && diagnostics.some((d) => d.severity === vscode.DiagnosticSeverity.Error));
    assert.equal(severities.find((diagnostic) => ruleOf(diagnostic) === 'py/blocking-sleep')?.severity, vscode.DiagnosticSeverity.Error);
  });

  test('one syntax tree per document: hovers and diagnostics share it as you type and undo', async () => {
    const { api } = await activateExtension();
    // Its own unsaved document: the state other tests leave in the fixture files does not matter.
    const document = await vscode.workspace.openTextDocument({ language: 'python', content: 'import time\n\n\nasync def tick():\n    time.sleep(0.5)\n    return 1\n' });
    const editor = await vscode.window.showTextDocument(document);
    const uri = document.uri;
    const [diagnostic] = await diagnosticsWhere(uri, (found) => found.length === 1);
    assert.ok(diagnostic);
    await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, diagnostic.range.start.translate(0, 'time.'.length));
    const assertOneTreeEach = (when: string): void => {
      const { kept, live } = api.syntax.treeCounts();
      assert.ok(kept >= 1, `${when}: the open document's tree is kept`);
      assert.equal(live, kept, `${when}: every live tree is the one SyntaxDocuments keeps for its document`);
    };
    assertOneTreeEach('after opening and hovering');

    await editor.edit((builder) => builder.insert(new vscode.Position(5, 0), '    time.sleep(2)\n'));
    const typed = await diagnosticsWhere(uri, (found) => found.length === 2);
    assert.deepEqual(typed.map((found) => found.range.start.line), [4, 5]);
    assertOneTreeEach('after typing');

    await vscode.commands.executeCommand('undo');
    const undone = await diagnosticsWhere(uri, (found) => found.length === 1);
    assert.equal(undone[0]?.range.start.line, 4);
    assertOneTreeEach('after undo');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await diagnosticsWhere(uri, (found) => found.length === 0);
  });

  test('changing the language mode re-analyses from the new tree, and the old one is freed', async () => {
    const { api } = await activateExtension();
    const document = await vscode.workspace.openTextDocument({ language: 'python', content: 'import time\n\nasync def tick():\n    time.sleep(1)\n' });
    await vscode.window.showTextDocument(document);
    await diagnosticsWhere(document.uri, (found) => found.length === 1);
    const asJavaScript = await vscode.languages.setTextDocumentLanguage(document, 'javascript');
    await diagnosticsWhere(asJavaScript.uri, (found) => found.length === 0);
    const asPython = await vscode.languages.setTextDocumentLanguage(asJavaScript, 'python');
    const [diagnostic] = await diagnosticsWhere(asPython.uri, (found) => found.length === 1);
    assert.equal(diagnostic && ruleOf(diagnostic), 'py/blocking-sleep');
    const { kept, live } = api.syntax.treeCounts();
    assert.equal(live, kept, 'no tree left behind by the language changes');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  test('TypeScript: a floating promise gets "Add await", applied as one undoable edit', async () => {
    const uri = fixtureUri('loader.ts');
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
    const original = document.getText();
    const [diagnostic] = await diagnosticsWhere(uri, (found) => found.length === 1);
    assert.ok(diagnostic);
    assert.equal(ruleOf(diagnostic), 'js/floating-promise');
    const actions = await actionsAt(uri, diagnostic);
    const addAwait = actions.find((action) => action.title === 'Add await');
    assert.ok(addAwait?.edit && addAwait.isPreferred);
    assert.equal(await vscode.workspace.applyEdit(addAwait.edit), true);
    assert.equal(document.getText(), original.replace("  load('config.json');", "  await load('config.json');"));
    await vscode.commands.executeCommand('undo');
    assert.equal(document.getText(), original);
  });

  test('Python: a swallowed CancelledError gets "Re-raise it at the end of the handler", preferred, as one undoable edit', async () => {
    const uri = fixtureUri('cancellation.py');
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
    const original = document.getText();
    const [diagnostic] = await diagnosticsWhere(uri, (found) => found.length === 1);
    assert.ok(diagnostic);
    assert.equal(ruleOf(diagnostic), 'py/swallowed-cancellation');
    assert.equal(document.getText(diagnostic.range), 'asyncio.CancelledError');
    assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Warning);
    const actions = await actionsAt(uri, diagnostic);
    const reraise = actions.find((action) => action.title === 'Re-raise it at the end of the handler');
    assert.ok(reraise?.edit && reraise.isPreferred);
    assert.ok(actions.some((action) => action.title === 'Ignore py/swallowed-cancellation on this line'));
    assert.equal(await vscode.workspace.applyEdit(reraise.edit), true);
    assert.equal(document.getText(), original.replace('            break\n', '            raise\n'));
    await diagnosticsWhere(uri, (found) => found.length === 0);
    await vscode.commands.executeCommand('undo');
    assert.equal(document.getText(), original, 'one undo step restores the file');
    await diagnosticsWhere(uri, (found) => found.length === 1);
  });

  test('TypeScript: an async Promise executor that never awaits becomes synchronous', async () => {
    const uri = fixtureUri('executor.ts');
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
    const original = document.getText();
    const [diagnostic] = await diagnosticsWhere(uri, (found) => found.length === 1);
    assert.ok(diagnostic);
    assert.equal(ruleOf(diagnostic), 'js/async-promise-executor');
    assert.equal(document.getText(diagnostic.range), 'async');
    const target = typeof diagnostic.code === 'object' ? diagnostic.code.target : undefined;
    assert.equal(target?.toString(true), 'https://eslint.org/docs/latest/rules/no-async-promise-executor');
    const actions = await actionsAt(uri, diagnostic);
    const synchronous = actions.find((action) => action.title === 'Make the executor synchronous (remove async)');
    assert.ok(synchronous?.edit && synchronous.isPreferred);
    assert.equal(await vscode.workspace.applyEdit(synchronous.edit), true);
    assert.equal(document.getText(), original.replace('new Promise(async (resolve) =>', 'new Promise((resolve) =>'));
    await diagnosticsWhere(uri, (found) => found.length === 0);
    await vscode.commands.executeCommand('undo');
    assert.equal(document.getText(), original);
  });

  test('a loop of awaits: the lightbulb lists the gather rewrite once, from the quick fix or (rule off) from the refactor', async () => {
    const uri = fixtureUri('fetch_all.py');
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
    const [diagnostic] = await diagnosticsWhere(uri, (found) => found.length === 1);
    assert.ok(diagnostic);
    assert.equal(ruleOf(diagnostic), 'py/await-in-loop');
    const loop = new vscode.Range(10, 4, 11, document.lineAt(11).text.length);
    const gatherTitle = 'Run the iterations concurrently with asyncio.gather';
    const count = async (): Promise<number> => (await actionsAt(uri, loop)).filter((action) => action.title === gatherTitle).length;
    assert.equal(await count(), 1, 'offered once while the diagnostic is shown');

    await vscode.commands.executeCommand('concurrencyLens.disableRule', 'py/await-in-loop');
    await diagnosticsWhere(uri, (found) => found.length === 0);
    assert.equal(await count(), 1, 'still offered, as a refactor, with the rule off');
  });

  test('dangling task: the TaskGroup fix follows the Python the project declares, nearest declaration first', async () => {
    const uri = fixtureUri('tasks.py');
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    assert.ok(folder);
    const pyproject = vscode.Uri.joinPath(folder.uri, 'pyproject.toml');
    const nearer = vscode.Uri.joinPath(uri, '..', '.python-version');
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
    const [diagnostic] = await diagnosticsWhere(uri, (found) => found.length === 1);
    assert.ok(diagnostic);
    assert.equal(ruleOf(diagnostic), 'py/dangling-task');
    const taskGroupOffered = async (): Promise<boolean> => (await actionsAt(uri, diagnostic)).some((action) => action.title === 'Move to asyncio.TaskGroup (needs Python 3.11+)');
    assert.equal(await taskGroupOffered(), true, 'offered when the project declares no Python');
    try {
      await vscode.workspace.fs.writeFile(pyproject, new TextEncoder().encode('[project]\nname = "demo"\nrequires-python = ">=3.9"\n'));
      assert.equal(await taskGroupOffered(), false, 'not offered when the project supports Python 3.9');
      await vscode.workspace.fs.writeFile(pyproject, new TextEncoder().encode('[project]\nname = "demo"\nrequires-python = ">=3.12"\n'));
      assert.equal(await taskGroupOffered(), true, 'offered when the project needs 3.12+');
      // A project of its own in the file's directory (a monorepo's service) declares first.
      await vscode.workspace.fs.writeFile(nearer, new TextEncoder().encode('3.10\n'));
      assert.equal(await taskGroupOffered(), false, "not offered when the file's own project pins 3.10");
    } finally {
      await vscode.workspace.fs.delete(pyproject);
      await vscode.workspace.fs.delete(nearer).then(undefined, () => undefined);
    }
  });

  test('analyses unsaved JSX, and clears the diagnostics when the document closes', async () => {
    const document = await vscode.workspace.openTextDocument({
      language: 'javascriptreact',
      content: "const fs = require('fs');\nexport const View = async () => <p>{fs.readFileSync('x')}</p>;\n",
    });
    await vscode.window.showTextDocument(document);
    const [diagnostic] = await diagnosticsWhere(document.uri, (found) => found.length === 1);
    assert.equal(diagnostic && ruleOf(diagnostic), 'js/sync-io-in-async');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await diagnosticsWhere(document.uri, (found) => found.length === 0);
  });
});
