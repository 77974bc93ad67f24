/** Real files in the (scratch copy of the) test workspace: unlike untitled documents, each has its own URI and closes cleanly. */
import * as vscode from 'vscode';

let counter = 0;

export async function openScratchEditor(extension: string, content: string): Promise<vscode.TextEditor> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the integration tests run in a workspace');
  counter += 1;
  const uri = vscode.Uri.joinPath(folder.uri, 'scratch', `${Date.now()}-${counter}.${extension}`);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(content));
  const document = await vscode.workspace.openTextDocument(uri);
  return vscode.window.showTextDocument(document);
}

/** Saves what the tests changed (so no "save changes?" prompt is left behind) and closes every editor. */
export async function closeScratchEditors(): Promise<void> {
  await vscode.workspace.saveAll(false);
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}
