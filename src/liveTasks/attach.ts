import * as vscode from 'vscode';
import type { AttachFailure } from '../core/attach/attachNode';
import type { PythonAttachFailure } from '../core/attach/attachPython';
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
 * "Attach Monitor to Process…": lists this user's Node.js and Python processes, and loads the probe
 * into the one picked (src/core/attach/attachNode.ts, src/core/attach/attachPython.ts).
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
  if (controller.runs.some((run) => run.isRunning && run.model.process(picked.pid)?.connected)) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Process {0} is monitored already.', picked.pid));
    return undefined;
  }
  const blockedThresholdMs = controller.blockedThresholdMs();
  return controller.startWithServer(async (server) => {
    const session = new RunSession(server, { logger: controller.log, blockedThresholdMs, ownsProcesses: false });
    session.adoptRoot(picked.pid, picked.argv, undefined, Date.now());
    const env = { ...server.environment, [ENV_BLOCKED_THRESHOLD_MS]: String(blockedThresholdMs) };
    const result = picked.runtime === 'python' ? await attachPython(picked.pid, controller, env) : await attachNode(picked.pid, controller, env);
    if (!result.ok) {
      controller.log.warn(`attach to ${picked.pid} failed (${result.reason}): ${result.detail}`);
      session.dispose();
      throw new LaunchError(failureMessage(picked.pid, result));
    }
    return new MonitoredRun(session, `${processLabel(picked.argv)} (pid ${picked.pid})`, 'attach', processTreeSource(session));
  });
}

type AttachOutcome = { readonly ok: true } | { readonly ok: false; readonly reason: AttachFailure | PythonAttachFailure; readonly detail: string };

async function attachNode(pid: number, controller: LiveTasksController, env: Record<string, string>): Promise<AttachOutcome> {
  // The inspector client (ws) loads when something is attached to, not at activation.
  const { attachNodeProbe } = await import('../core/attach/attachNode');
  const result = await attachNodeProbe({ pid, install: controller.install, env });
  if (result.ok) controller.log.info(`attached to ${pid}${result.openedInspector ? ' (inspector opened and closed again)' : ''}; ${result.workers} Worker(s) running`);
  return result;
}

async function attachPython(pid: number, controller: LiveTasksController, env: Record<string, string>): Promise<AttachOutcome> {
  const { attachPythonDescendants, attachPythonProbe } = await import('../core/attach/attachPython');
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Attaching the monitor to Python process {0}…', pid) },
    async (progress) => {
      const result = await attachPythonProbe({ pid, install: controller.install, env });
      if (!result.ok) return result;
      progress.report({ message: vscode.l10n.t('and to the processes it started') });
      const { attached, failed } = await attachPythonDescendants({ pid, install: controller.install, env });
      controller.log.info(`attached to Python process ${pid} (gdb) and to ${attached.length} it had started${attached.length > 0 ? ` (${attached.join(', ')})` : ''}`);
      for (const child of failed) controller.log.warn(`attach to ${child.pid}, started by ${pid}, failed (${child.reason}): ${child.detail}`);
      return result;
    },
  );
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
    offerRunCommands(vscode.l10n.t('No Node.js or Python process of yours is running. Start one with the monitor instead.'));
    return undefined;
  }
  const items = candidates.map((candidate) => ({
    label: processLabel(candidate.argv),
    description: `pid ${candidate.pid} · ${candidate.runtime === 'node' ? 'Node.js' : 'Python'}`,
    detail: candidate.argv.join(' ').slice(0, 500),
    candidate,
  }));
  const picked = await vscode.window.showQuickPick(items, { placeHolder: vscode.l10n.t('A Node.js or Python process to attach the Concurrency Monitor to'), matchOnDescription: true, matchOnDetail: true });
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

function failureMessage(pid: number, result: Extract<AttachOutcome, { ok: false }>): string {
  switch (result.reason) {
    case 'unsupported-platform':
      return vscode.l10n.t('Attaching the monitor to this process is not supported on this operating system. Start the program with "Run Command with Concurrency Monitor…" instead.');
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
    case 'no-gdb':
      return vscode.l10n.t('Attaching to a running Python process needs gdb, which was not found. Install it (on Debian and Ubuntu: sudo apt install gdb) and try again.');
    case 'ptrace-denied':
      return vscode.l10n.t('The system does not allow attaching to process {0} (ptrace; on Ubuntu /proc/sys/kernel/yama/ptrace_scope is 1 by default: only a program\'s parent may attach). Start the program with the monitor instead, or allow it with: sudo sysctl kernel.yama.ptrace_scope=0', pid);
    case 'not-python':
      return vscode.l10n.t('Process {0} does not export the CPython functions the monitor needs to attach (another Python implementation, or a statically linked one). Start the program with the monitor instead.', pid);
    case 'main-thread-busy':
      return vscode.l10n.t('The main thread of process {0} kept running Python code: the monitor attaches in a moment when it waits (a sleep, a lock, a join, I/O), which it did not do for 3 s. Try again, or start the program with the monitor.', pid);
    case 'failed':
      return vscode.l10n.t('Could not attach to process {0}. See the "Concurrency Lens" output for details.', pid);
  }
}
