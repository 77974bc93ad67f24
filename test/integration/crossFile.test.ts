import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateExtension } from './extensionHost';

const SOURCE = 'Concurrency Lens';

function fixtureUri(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the integration tests need the fixture workspace');
  return vscode.Uri.file(path.join(folder.uri.fsPath, 'crossfile', name));
}

/** `line:rule` of our diagnostics (0-based lines). */
function findings(uri: vscode.Uri): string[] {
  return vscode.languages
    .getDiagnostics(uri)
    .filter((diagnostic) => diagnostic.source === SOURCE)
    .map((diagnostic) => `${diagnostic.range.start.line}:${typeof diagnostic.code === 'object' ? String(diagnostic.code.value) : String(diagnostic.code)}`);
}

async function findingsBecome(uri: vscode.Uri, expected: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (JSON.stringify(findings(uri)) !== JSON.stringify(expected)) {
    if (Date.now() > deadline) assert.deepEqual(findings(uri), expected, `${path.basename(uri.fsPath)}: diagnostics never became ${JSON.stringify(expected)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

suite('Knowledge across files', () => {
  suiteSetup(async () => {
    await activateExtension();
  });

  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('a coroutine function of another file: the finding appears when that file, open in the editor, makes the function async', async () => {
    const jobs = fixtureUri('app/jobs.py');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(jobs));
    await findingsBecome(jobs, ['6:py/unawaited-coroutine']);

    const helpers = await vscode.workspace.openTextDocument(fixtureUri('app/helpers.py'));
    await vscode.window.showTextDocument(helpers, { preview: false, viewColumn: vscode.ViewColumn.Beside });
    const edit = new vscode.WorkspaceEdit();
    edit.insert(helpers.uri, new vscode.Position(0, 0), 'async ');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await findingsBecome(jobs, ['6:py/unawaited-coroutine', '7:py/unawaited-coroutine']);

    // Undone (still unsaved): the other file's finding goes away again.
    await vscode.commands.executeCommand('undo');
    await findingsBecome(jobs, ['6:py/unawaited-coroutine']);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  test('an async function of another file changed on disk (not open): the floating promise appears', async () => {
    const main = fixtureUri('web/main.ts');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(main));
    // `save` is async in api.ts: what api.ts offers is known; `load` is not (yet).
    await findingsBecome(main, ['5:js/floating-promise']);

    const api = new TextDecoder().decode(await vscode.workspace.fs.readFile(fixtureUri('web/api.ts')));
    await vscode.workspace.fs.writeFile(fixtureUri('web/api.ts'), new TextEncoder().encode(api.replace('export function load(id: string): string', 'export async function load(id: string): Promise<string>')));
    await findingsBecome(main, ['4:js/floating-promise', '5:js/floating-promise']);
  });
});
