import * as os from 'node:os';
import * as vscode from 'vscode';
import { commandLaunchSpec, posixShell } from '../core/runs/launchSpec';
import type { LiveTasksController } from './liveTasksController';
import { type MonitoredRun, runInTerminal } from './monitoredRun';

/** Command lines run with the monitor, most recent first, kept per workspace. */
const RECENT_COMMANDS_KEY = 'concurrencyLens.recentCommands';
const MAX_RECENT_COMMANDS = 20;

export class RecentCommands {
  constructor(private readonly state: vscode.Memento) {}

  list(): string[] {
    const saved = this.state.get<unknown>(RECENT_COMMANDS_KEY);
    return Array.isArray(saved) ? saved.filter((line): line is string => typeof line === 'string') : [];
  }

  async remember(commandLine: string): Promise<void> {
    await this.state.update(RECENT_COMMANDS_KEY, [commandLine, ...this.list().filter((line) => line !== commandLine)].slice(0, MAX_RECENT_COMMANDS));
  }
}

/** The folder a command runs in: the active editor's workspace folder, else the first one, else the home folder. */
export function commandFolder(): { folder?: vscode.WorkspaceFolder; cwd: string } {
  const active = vscode.window.activeTextEditor?.document.uri;
  const folder = (active && vscode.workspace.getWorkspaceFolder(active)) ?? vscode.workspace.workspaceFolders?.[0];
  return folder ? { folder, cwd: folder.uri.fsPath } : { cwd: os.homedir() };
}

/** A command line shortened for a terminal tab and a run's row. */
export function commandTitle(commandLine: string): string {
  const oneLine = commandLine.replace(/\s+/g, ' ').trim();
  return oneLine.length > 60 ? `${oneLine.slice(0, 59)}…` : oneLine;
}

/**
 * "Run Command with Concurrency Monitor…": a command line (asked for, recent ones first, when not
 * given) run by the user's POSIX shell in a terminal in the workspace folder; every Python and
 * Node.js process it starts, at any depth, reports to the run.
 */
export async function runCommand(controller: LiveTasksController, recent: RecentCommands, given?: string): Promise<MonitoredRun | undefined> {
  if (!controller.checkTrusted()) return undefined;
  const commandLine = (given ?? await askForCommand(recent.list()))?.trim();
  if (!commandLine) return undefined;
  await recent.remember(commandLine);
  const { folder, cwd } = commandFolder();
  const title = commandTitle(commandLine);
  return controller.startWithServer((server) => {
    const spec = commandLaunchSpec({
      commandLine, shell: posixShell(process.env.SHELL), cwd, install: controller.install, baseEnv: process.env,
      probeEnv: server.environment, blockedThresholdMs: controller.blockedThresholdMs(folder), detail: controller.probeDetail(folder),
    });
    return Promise.resolve(runInTerminal(server, spec, title, 'command', controller.supervisorScript, controller.log));
  });
}

/** A quick pick that runs what is typed, with the recent command lines below to pick again. */
function askForCommand(recent: readonly string[]): Promise<string | undefined> {
  const pick = vscode.window.createQuickPick<vscode.QuickPickItem & { commandLine?: string }>();
  pick.title = vscode.l10n.t('Run Command with Concurrency Monitor');
  pick.placeholder = vscode.l10n.t('A command line to run in the workspace folder, e.g. pytest -x, npm run dev, python -m app');
  const recentItems = recent.map((commandLine) => ({ label: commandLine, description: vscode.l10n.t('recent'), commandLine }));
  pick.items = recentItems;
  pick.onDidChangeValue((value) => {
    const typed = value.trim();
    pick.items = typed && !recent.includes(typed) ? [{ label: typed, description: vscode.l10n.t('run this command'), alwaysShow: true, commandLine: typed }, ...recentItems] : recentItems;
  });
  return new Promise((resolve) => {
    pick.onDidAccept(() => {
      resolve(pick.selectedItems[0]?.commandLine ?? pick.value);
      pick.hide();
    });
    pick.onDidHide(() => {
      resolve(undefined);
      pick.dispose();
    });
    pick.show();
  });
}
