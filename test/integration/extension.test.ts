import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension } from './extensionHost';

interface Manifest {
  contributes: { commands: { command: string }[] };
}

suite('Extension', () => {
  test('activates in a real VS Code extension host', async () => {
    const { extension } = await activateExtension();
    assert.equal(extension.isActive, true);
    assert.match(vscode.version, /^1\.\d+\.\d+/);
    assert.equal(extension.extensionKind, vscode.ExtensionKind.Workspace);
  });

  test('registers every command the manifest contributes', async () => {
    const { extension } = await activateExtension();
    const contributed = (extension.packageJSON as Manifest).contributes.commands.map((command) => command.command);
    assert.ok(contributed.length > 0);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((id) => !registered.has(id));
    assert.deepEqual(missing, [], `commands contributed but not registered: ${missing.join(', ')}`);
  });
});
