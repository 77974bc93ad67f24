import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension } from './extensionHost';
import { closeScratchEditors, openScratchEditor } from './scratch';

async function refactorsAt(extension: 'py' | 'ts' | 'mjs', source: string): Promise<{ document: vscode.TextDocument; text: string; actions: vscode.CodeAction[] }> {
  const start = source.indexOf('«');
  const end = source.indexOf('»') - 1;
  const text = source.replace('«', '').replace('»', '');
  const { document } = await openScratchEditor(extension, text);
  const range = new vscode.Range(document.positionAt(start), document.positionAt(end));
  const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', document.uri, range, vscode.CodeActionKind.Refactor.value);
  return { document, text, actions };
}

suite('Concurrency refactors', function () {
  // The first TypeScript request waits for the built-in TypeScript server, which also answers code-action requests.
  this.timeout(180_000);

  suiteSetup(async () => {
    await activateExtension();
  });

  teardown(closeScratchEditors);

  test('Python: lists the refactors for a selection of awaits and applies gather in one undo step', async () => {
    const { document, text, actions } = await refactorsAt('py', 'import asyncio\n\n\nasync def main(c):\n    «a = await c.one()\n    b = await c.two()»\n    return a + b\n');
    const titles = actions.map((action) => action.title);
    assert.ok(titles.includes('Run these awaits concurrently (asyncio.gather)'), titles.join(' | '));
    assert.ok(titles.includes('Run these awaits concurrently (TaskGroup)'));
    const gather = actions.find((action) => action.title.includes('asyncio.gather'))!;
    assert.equal(gather.kind?.value, vscode.CodeActionKind.RefactorRewrite.value);
    assert.ok(gather.edit && (await vscode.workspace.applyEdit(gather.edit)));
    assert.match(document.getText(), /a, b = await asyncio\.gather\(\n {8}c\.one\(\),\n {8}c\.two\(\),\n {4}\)/);
    await vscode.commands.executeCommand('undo');
    assert.equal(document.getText(), text);
  });

  test('Python: offers extraction to a thread or process pool for blocking statements', async () => {
    const { document, actions } = await refactorsAt('py', 'def work(path):\n    «data = open(path).read()»\n    return data\n');
    const titles = actions.map((action) => action.title);
    assert.deepEqual(titles.filter((title) => title.startsWith('Run in')), ['Run in a thread pool', 'Run in a process pool']);
    const processPool = actions.find((action) => action.title === 'Run in a process pool')!;
    assert.equal(processPool.kind?.value, vscode.CodeActionKind.RefactorExtract.value);
    assert.ok(processPool.edit && (await vscode.workspace.applyEdit(processPool.edit)));
    assert.match(document.getText(), /^from concurrent\.futures import ProcessPoolExecutor\n\ndef _run_in_process\(path\):\n/);
  });

  test('TypeScript: applies Promise.all, and offers nothing for an empty or partial selection', async () => {
    const { document, actions } = await refactorsAt('ts', 'export async function load(api: Api) {\n  «const user = await api.user();\n  const posts = await api.posts();»\n  return { user, posts };\n}\n');
    const promiseAll = actions.find((action) => action.title === 'Run these awaits concurrently (Promise.all)');
    assert.ok(promiseAll?.edit && (await vscode.workspace.applyEdit(promiseAll.edit)));
    assert.match(document.getText(), /const \[user, posts\] = await Promise\.all\(\[\n {4}api\.user\(\),\n {4}api\.posts\(\),\n {2}\]\);/);

    const partial = await refactorsAt('ts', 'async function f(a: A) {\n  const x = await «a.one();\n  const y = await» a.two();\n}\n');
    assert.deepEqual(partial.actions.filter((action) => action.title.startsWith('Run these awaits')), []);
  });

  test('JavaScript: offers a child process and moves CPU work to a worker thread started from the same file', async () => {
    const { document, actions } = await refactorsAt('mjs', 'export async function sum(n) {\n  «let total = 0;\n  for (let i = 0; i < n; i++) total += i;»\n  return total;\n}\n');
    assert.ok(actions.some((action) => action.title === 'Run as a child process' && action.kind?.value === vscode.CodeActionKind.RefactorExtract.value));
    const worker = actions.find((action) => action.title === 'Move to a worker thread');
    assert.equal(worker?.kind?.value, vscode.CodeActionKind.RefactorExtract.value);
    assert.ok(worker?.edit && (await vscode.workspace.applyEdit(worker.edit)));
    const text = document.getText();
    assert.match(text, /const \{ total \} = await runInWorker\('workerTask', \{ n \}\);/);
    assert.match(text, /if \(!isMainThread && workerData\?\.task === 'workerTask'\)/);
    await vscode.commands.executeCommand('undo');
    assert.doesNotMatch(document.getText(), /runInWorker/, 'one undo step');
  });
});
