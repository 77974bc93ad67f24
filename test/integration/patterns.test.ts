import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension } from './extensionHost';
import { closeScratchEditors, openScratchEditor } from './scratch';

async function editorWith(language: 'python' | 'javascript', content: string, cursor: vscode.Position): Promise<vscode.TextEditor> {
  const editor = await openScratchEditor(language === 'python' ? 'py' : 'mjs', content);
  editor.options = { insertSpaces: true, tabSize: language === 'python' ? 4 : 2 };
  editor.selection = new vscode.Selection(cursor, cursor);
  return editor;
}

suite('Insert Concurrency Pattern', () => {
  suiteSetup(async () => {
    await activateExtension();
  });

  teardown(closeScratchEditors);

  test('inserts a Python pattern at the cursor and its import at the top, undone in one step', async () => {
    const original = '"""Module."""\nimport os\n\n\nprint(os.getcwd())\n';
    const editor = await editorWith('python', original, new vscode.Position(4, 0));
    await vscode.commands.executeCommand('concurrencyLens.insertPattern', { id: 'asyncio TaskGroup' });
    const text = editor.document.getText();
    assert.ok(text.startsWith('"""Module."""\nimport os\nimport asyncio\n\n\nasync def fetch_one(item):\n    await asyncio.sleep(0.1)'), text);
    assert.match(text, /\n {4}async with asyncio\.TaskGroup\(\) as group:\n {8}tasks = \[group\.create_task\(fetch_one\(item\)\) for item in items\]\n/);
    assert.equal(text.match(/import asyncio/g)?.length, 1);

    await vscode.commands.executeCommand('concurrencyLens.insertPattern', { id: 'asyncio timeout' });
    assert.equal(editor.document.getText().match(/import asyncio/g)?.length, 1, 'an import is added once');

    await vscode.commands.executeCommand('undo');
    assert.equal(editor.document.getText(), text, 'one undo removes the second insertion');
    await vscode.commands.executeCommand('undo');
    assert.equal(editor.document.getText(), original, 'one undo removes the pattern and its import');
  });

  test('keeps the indentation of the cursor line', async () => {
    const editor = await editorWith('python', 'class Jobs:\n    \n', new vscode.Position(1, 4));
    await vscode.commands.executeCommand('concurrencyLens.insertPattern', { id: 'asyncio to_thread' });
    const lines = editor.document.getText().split('\n');
    const definition = lines.findIndex((line) => line.includes('def blocking_work'));
    assert.equal(lines[definition], '    def blocking_work(seconds: float) -> str:');
    assert.equal(lines[definition + 1], '        time.sleep(seconds)  # a blocking call: file I/O, requests, a legacy SDK…');
    assert.deepEqual(lines.slice(0, 3), ['import asyncio', 'import time', '']);
  });

  test('adds only the missing names to a JavaScript module', async () => {
    const editor = await editorWith('javascript', "import { Worker } from 'node:worker_threads';\n\n", new vscode.Position(2, 0));
    await vscode.commands.executeCommand('concurrencyLens.insertPattern', { id: 'worker thread in one file' });
    const text = editor.document.getText();
    assert.ok(text.startsWith("import { Worker } from 'node:worker_threads';\nimport { isMainThread, parentPort, workerData } from 'node:worker_threads';\n"), text);
    assert.match(text, /\nif \(isMainThread\) \{\n {2}const worker = new Worker\(new URL\(import\.meta\.url\), \{ workerData: 10_000_000 \}\);/);
  });
});
