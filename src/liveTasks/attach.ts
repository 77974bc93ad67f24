import * as vscode from 'vscode';
import { type AttachResult, attachNodeProbe } from '../core/attach/attachNode';
import { listRuntimeProcesses, runtimeOf, selfAndAncestors, type RuntimeProcess } from '../core/attach/processes';
import { ENV_BLOCKED_THRESHOLD_MS } from '../core/probe/endpoint';
import { commandLine } from '../core/runs/processTree';
import { RunSession } from '../core/runs/runSession';
import { processLabel } from '../core/runs/treeShape';
import { CommandId } from '../ids';
import { LaunchError } from './launchers';
import type { LiveTasksController } from './liveTasksController';
import { MonitoredRun, processTreeSource } from './monitoredRun';

/**
 * "Attach Monitor to Process…": lists this user's Node.js processes (and Python ones, which cannot
 * be attached to yet), and loads the probe into the one picked (src/core/attach/attachNode.ts).
 * From then on it reports like a monitored run; the run ends when the process does.
 */
export async function attachToProcess(controller: LiveTasksController, givenPid?: number): Promise<MonitoredRun | undefined> {
  if (!controller.checkTrusted()) return undefined;
  if (process.platform === 'win32') {
    void vscode.window.showErrorMessage(vscode.l10n.t('Attaching the monitor to a running process is not supported on Windows. Start the program with "Run Command with Concurrency Monitor…" instead.'));
    return undefined;
  }
  const picked = givenPid !== undefined ? describe(givenPid) : await pickProcess();
  if (!picked) return undefined;
  if (picked.runtime === 'python') {
    offerRunCommands(vscode.l10n.t('Attaching to a running Python process needs Python 3.14\'s sys.remote_exec and is not supported yet. Start the program with the monitor instead.'));
    return undefined;
  }
  if (controller.runs.some((run) => run.isRunning && run.model.process(picked.pid)?.connected)) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Process {0} is monitored already.', picked.pid));
    return undefined;
  }
  const blockedThresholdMs = controller.blockedThresholdMs();
  return controller.startWithServer(async (server) => {
    const session = new RunSession(server, { logger: controller.log, blockedThresholdMs, ownsProcesses: false });
    session.adoptRoot(picked.pid, picked.argv, undefined, Date.now());
    const result = await attachNodeProbe({
      pid: picked.pid, install: controller.install, env: { ...server.environment, [ENV_BLOCKED_THRESHOLD_MS]: String(blockedThresholdMs) },
    });
    if (!result.ok) {
      controller.log.warn(`attach to ${picked.pid} failed (${result.reason}): ${result.detail}`);
      session.dispose();
      throw new LaunchError(failureMessage(picked.pid, result));
    }
    controller.log.info(`attached to ${picked.pid}${result.openedInspector ? ' (inspector opened and closed again)' : ''}; ${result.workers} Worker(s) running`);
    return new MonitoredRun(session, `${processLabel(picked.argv)} (pid ${picked.pid})`, 'attach', processTreeSource(session));
  });
}

/** A pid given by a caller (a test, another command): what it runs, or undefined (said why) when it is not there. */
function describe(pid: number): RuntimeProcess | undefined {
  const argv = commandLine(pid);
  if (!argv) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Process {0} does not exist (any more).', pid));
    return undefined;
  }
  return { pid, argv, runtime: runtimeOf(pid) ?? 'node' };
}

async function pickProcess(): Promise<RuntimeProcess | undefined> {
  // The editor's own processes are Node.js too: never offered.
  const candidates = listRuntimeProcesses(process.getuid?.() ?? 0, selfAndAncestors(process.pid));
  if (candidates.length === 0) {
    offerRunCommands(vscode.l10n.t('No Node.js process of yours is running. Start one with the monitor instead.'));
    return undefined;
  }
  const items = candidates.map((candidate) => ({
    label: processLabel(candidate.argv),
    description: candidate.runtime === 'node' ? `pid ${candidate.pid}` : vscode.l10n.t('pid {0} · Python: not supported yet', candidate.pid),
    detail: candidate.argv.join(' ').slice(0, 500),
    candidate,
  }));
  const picked = await vscode.window.showQuickPick(items, { placeHolder: vscode.l10n.t('A Node.js process to attach the Concurrency Monitor to'), matchOnDescription: true, matchOnDetail: true });
  return picked?.candidate;
}

/** Says why, with the commands that start a program monitored instead. */
function offerRunCommands(message: string): void {
  const runCommand = vscode.l10n.t('Run Command with Monitor…');
  const terminal = vscode.l10n.t('New Monitored Terminal');
  void vscode.window.showInformationMessage(message, runCommand, terminal).then((choice) => {
    if (choice === runCommand) void vscode.commands.executeCommand(CommandId.RunCommand);
    else if (choice === terminal) void vscode.commands.executeCommand(CommandId.NewMonitoredTerminal);
  });
}

function failureMessage(pid: number, result: Extract<AttachResult, { ok: false }>): string {
  switch (result.reason) {
    case 'unsupported-platform':
      return vscode.l10n.t('Attaching the monitor to a running process is not supported on Windows. Start the program with "Run Command with Concurrency Monitor…" instead.');
    case 'gone':
      return vscode.l10n.t('Process {0} does not exist (any more).', pid);
    case 'other-user':
      return vscode.l10n.t('Process {0} belongs to another user: the monitor can attach only to your own processes.', pid);
    case 'not-node':
      return vscode.l10n.t('Process {0} does not run Node.js.', pid);
    case 'already-monitored':
      return vscode.l10n.t('Process {0} is monitored already.', pid);
    case 'no-inspector':
      return vscode.l10n.t('Process {0} did not open its inspector on 127.0.0.1:9229 (a program that handles SIGUSR1 itself, or runs with --disable-sigusr1, cannot be attached to). See the "Concurrency Lens" output for details.', pid);
    case 'port-taken':
      return vscode.l10n.t('The inspector port of process {0} is taken by another process. Stop that process\'s debugger and try again.', pid);
    case 'failed':
      return vscode.l10n.t('Could not attach to process {0}. See the "Concurrency Lens" output for details.', pid);
  }
}
