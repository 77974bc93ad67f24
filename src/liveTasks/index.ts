import * as vscode from 'vscode';
import type { SourceLocation } from '../core/probe/protocol';
import { CommandId, ContextKey } from '../ids';
import { attachToProcess } from './attach';
import { DEBUG_SESSIONS_SETTING, type DebugSessionMonitor } from './debugSessions';
import type { LiveTasksController } from './liveTasksController';
import type { LiveNode, LiveTasksMode, LiveTasksTreeProvider } from './liveTasksTree';
import type { LiveTasksViews } from './liveTasksViews';
import { MonitoredRun } from './monitoredRun';
import { MONITORED_TASK_TYPE, MonitoredTaskProvider } from './monitoredTasks';
import { newMonitoredTerminal } from './monitoredTerminal';
import { RecentCommands, runCommand } from './runCommand';

async function revealInEditor(target: unknown, tree: LiveTasksTreeProvider | undefined): Promise<void> {
  const location = isLocation(target) ? target : isLiveNode(target) ? tree?.locationOf(target) : undefined;
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

/** Rows listed by "Find in Live Tasks…" at most (the tree walked from the top). */
const MAX_FOUND_ROWS = 5000;

async function setMode(controller: LiveTasksController, mode: LiveTasksMode): Promise<void> {
  controller.setMode(mode);
  await vscode.commands.executeCommand('setContext', ContextKey.LiveTasksMode, mode);
}

interface RowPick extends vscode.QuickPickItem {
  readonly node: LiveNode;
}

/** Every row of the tree as it is arranged now, from the top, with its label and description. */
function rowsOf(tree: LiveTasksTreeProvider): RowPick[] {
  const picks: RowPick[] = [];
  const visit = (node: LiveNode | undefined, trail: string) => {
    for (const child of tree.getChildren(node)) {
      if (picks.length >= MAX_FOUND_ROWS) return;
      const item = tree.getTreeItem(child);
      const label = typeof item.label === 'string' ? item.label : item.label?.label ?? child.key;
      picks.push({ node: child, label, description: typeof item.description === 'string' ? item.description : undefined, detail: trail || undefined });
      visit(child, trail ? `${trail} › ${label}` : label);
    }
  };
  visit(undefined, '');
  return picks;
}

/** A QuickPick over the names of every process, thread and task; the one picked is revealed in the tree. */
async function findInLiveTasks(views: LiveTasksViews | undefined): Promise<void> {
  const picks = views ? rowsOf(views.tree) : [];
  if (!views || picks.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Live Tasks is empty: run a program with the Concurrency Monitor first.'));
    return;
  }
  const picked = await vscode.window.showQuickPick(picks, { placeHolder: vscode.l10n.t('Find a process, thread or task by name'), matchOnDescription: true });
  if (picked) await views.view.reveal(picked.node, { select: true, focus: true, expand: true });
}

function setDebugMonitoring(on: boolean): Thenable<void> {
  return vscode.workspace.getConfiguration('concurrencyLens.monitor').update(DEBUG_SESSIONS_SETTING, on, vscode.ConfigurationTarget.Global);
}

/** Every way to start a monitored run (a file, a command, a task, a terminal, a debug session, an attached process) and the commands of the Live Tasks view, whose views load with the first run. */
export function register(controller: LiveTasksController, debugMonitor: DebugSessionMonitor, workspaceState: vscode.Memento): vscode.Disposable[] {
  void vscode.commands.executeCommand('setContext', ContextKey.LiveTasksMode, controller.mode);
  const recent = new RecentCommands(workspaceState);
  const tasks = new MonitoredTaskProvider(controller);
  return [
    vscode.debug.registerDebugConfigurationProvider('*', debugMonitor),
    vscode.debug.registerDebugAdapterTrackerFactory('*', debugMonitor),
    tasks,
    vscode.tasks.registerTaskProvider(MONITORED_TASK_TYPE, tasks),
    vscode.commands.registerCommand(CommandId.RunWithMonitor, (uri?: unknown) => controller.runFile(uri instanceof vscode.Uri ? uri : undefined)),
    vscode.commands.registerCommand(CommandId.RunWithMonitorTrace, (uri?: unknown) => controller.runFile(uri instanceof vscode.Uri ? uri : undefined, { trace: true })),
    vscode.commands.registerCommand(CommandId.ShowAwaitTree, () => setMode(controller, 'awaits')),
    vscode.commands.registerCommand(CommandId.ShowByThread, () => setMode(controller, 'threads')),
    vscode.commands.registerCommand(CommandId.FindInLiveTasks, () => findInLiveTasks(controller.viewsIfLoaded)),
    vscode.commands.registerCommand(CommandId.RunCommand, (commandLine?: unknown) => runCommand(controller, recent, typeof commandLine === 'string' ? commandLine : undefined)),
    vscode.commands.registerCommand(CommandId.NewMonitoredTerminal, () => newMonitoredTerminal(controller)),
    vscode.commands.registerCommand(CommandId.AttachToProcess, (pid?: unknown) => attachToProcess(controller, typeof pid === 'number' ? pid : undefined)),
    vscode.commands.registerCommand(CommandId.StopRun, (target?: unknown) => {
      const given = target instanceof MonitoredRun || isLiveNode(target) ? target : undefined;
      // A selection event that arrives while the view refreshes carries no rows (VS Code finds them
      // by handle, and a refresh forgets the handles until the rows are listed again); the view's
      // selection read now has them.
      const selected = controller.viewsIfLoaded?.view.selection[0];
      if (!given && selected) controller.selectNode(selected);
      return controller.stop(given);
    }),
    vscode.commands.registerCommand(CommandId.ClearEndedRuns, () => controller.clearEndedRuns()),
    vscode.commands.registerCommand(CommandId.MonitorDebugSessions, () => setDebugMonitoring(true)),
    vscode.commands.registerCommand(CommandId.StopMonitoringDebugSessions, () => setDebugMonitoring(false)),
    vscode.commands.registerCommand(CommandId.RevealInEditor, (target?: unknown) => revealInEditor(target, controller.viewsIfLoaded?.tree)),
  ];
}
