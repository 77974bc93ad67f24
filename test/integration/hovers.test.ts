import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension } from './extensionHost';

/** Our hover (the one linking to the guide) at the first occurrence of `marker`, offset by `delta`. */
async function concurrencyHover(file: string, marker: string, delta = 0): Promise<vscode.MarkdownString | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the tests run in a workspace');
  const document = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder.uri, 'hovers', file));
  await vscode.window.showTextDocument(document);
  const offset = document.getText().indexOf(marker);
  assert.ok(offset >= 0, `${marker} in ${file}`);
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, document.positionAt(offset + delta));
  const contents = hovers.flatMap((hover) => hover.contents);
  return contents.find((content): content is vscode.MarkdownString => content instanceof vscode.MarkdownString && content.value.includes('command:concurrencyLens.openGuide'));
}

suite('Hovers', () => {
  suiteSetup(async () => {
    await activateExtension();
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('explain a Python API reached through an import alias', async () => {
    const hover = await concurrencyHover('sample.py', 'gather(*');
    assert.ok(hover, 'a hover on aio.gather');
    assert.match(hover.value, /`asyncio\.gather`/);
    assert.match(hover.value, /https:\/\/docs\.python\.org\/3\/library\/asyncio-task\.html#asyncio\.gather/);
    assert.match(hover.value, /return_exceptions/);
  });

  test('explain Python keywords and names imported with from-imports', async () => {
    assert.match((await concurrencyHover('sample.py', 'ThreadPoolExecutor()'))?.value ?? '', /`concurrent\.futures\.ThreadPoolExecutor`[\s\S]*GIL/);
    assert.match((await concurrencyHover('sample.py', 'async def'))?.value ?? '', /`async def`/);
  });

  test('stay silent on unrelated code', async () => {
    assert.equal(await concurrencyHover('sample.py', 'gather = len'), undefined);
    assert.equal(await concurrencyHover('sample.py', 'sizes'), undefined);
    assert.equal(await concurrencyHover('sample.ts', 'all = pages'), undefined);
  });

  test('explain Node APIs in TypeScript through import aliases, require and globals', async () => {
    assert.match((await concurrencyHover('sample.ts', "Thread('./"))?.value ?? '', /`worker_threads\.Worker`/);
    assert.match((await concurrencyHover('sample.ts', "spawn('ls')"))?.value ?? '', /`child_process\.spawn`/);
    assert.match((await concurrencyHover('sample.ts', 'all(urls'))?.value ?? '', /`Promise\.all`/);
  });

  test('trust only the guide command in the markdown', async () => {
    const hover = await concurrencyHover('sample.py', 'gather(*');
    assert.ok(hover);
    const trust = hover.isTrusted;
    if (typeof trust === 'object') assert.deepEqual(trust.enabledCommands, ['concurrencyLens.openGuide']);
    else assert.notEqual(trust, true, 'never trusted wholesale');
  });
});
