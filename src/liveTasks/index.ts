import * as vscode from 'vscode';
import type { SourceLocation } from '../core/probe/protocol';
import { CommandId, ViewId } from '../ids';
import type { LiveTasksController } from './liveTasksController';
import type { LiveNode, LiveTasksTreeProvider } from './liveTasksTree';
import { RuntimeDiagnostics } from './runtimeDiagnostics';

async function revealInEditor(target: unknown, tree: LiveTasksTreeProvider): Promise<void> {
  const location = isLocation(target) ? target : isLiveNode(target) ? tree.locationOf(target) : undefined;
  if (!location) return;
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(location.file));
  const position = new vscode.Position(Math.max(0, location.line - 1), 0);
  await vscode.window.showTextDocument(document, { selection: new vscode.Range(position, position), preserveFocus: false });
}

function isLocation(value: unknown): value is SourceLocation {
  return typeof value === 'object' && value !== null && typeof (value as SourceLocation).file === 'string' && typeof (value as SourceLocation).line === 'number';
}

function isLiveNode(value: unknown): value is LiveNode {
  return typeof value === 'object' && value !== null && typeof (value as LiveNode).key === 'string' && typeof (value as LiveNode).kind === 'string';
}

export function register(controller: LiveTasksController): vscode.Disposable[] {
  return [
    vscode.window.createTreeView(ViewId.LiveTasks, { treeDataProvider: controller.tree, showCollapseAll: true }),
    vscode.languages.registerCodeActionsProvider({ scheme: 'file' }, controller.diagnostics, { providedCodeActionKinds: RuntimeDiagnostics.providedCodeActionKinds }),
    vscode.commands.registerCommand(CommandId.RunWithMonitor, (uri?: unknown) => controller.runFile(uri instanceof vscode.Uri ? uri : undefined)),
    vscode.commands.registerCommand(CommandId.StopRun, () => controller.stop()),
    vscode.commands.registerCommand(CommandId.RevealInEditor, (target?: unknown) => revealInEditor(target, controller.tree)),
  ];
}
