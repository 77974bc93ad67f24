import * as vscode from 'vscode';
import { ProbeServer } from '../core/probe/server';
import { posixShell, probeEnvironment } from '../core/runs/launchSpec';
import { RunBroker } from '../core/runs/runBroker';
import { RunSession } from '../core/runs/runSession';
import type { LiveTasksController } from './liveTasksController';
import { MonitoredRun, processTreeSource, supervisorArguments } from './monitoredRun';

/** The task type of tasks.json entries run with the monitor: `{"type": "concurrency-lens", "command": "pytest -x"}`. */
export const MONITORED_TASK_TYPE = 'concurrency-lens';

interface MonitoredTaskDefinition extends vscode.TaskDefinition {
  readonly command?: unknown;
  readonly cwd?: unknown;
}

/**
 * Tasks of type `concurrency-lens`: the command line runs under our supervisor in the task's own
 * terminal (a ProcessExecution: output straight to the terminal), through the user's POSIX shell,
 * every Python and Node.js process below it probed. The editor resolves a task whenever it lists
 * tasks, so the execution carries no run: when the task really runs, its supervisor asks the run
 * broker for one, and the run appears in Live Tasks then.
 */
export class MonitoredTaskProvider implements vscode.TaskProvider, vscode.Disposable {
  private broker: Promise<RunBroker> | undefined;

  constructor(private readonly controller: LiveTasksController) {}

  provideTasks(): vscode.Task[] {
    return []; // tasks.json holds them: each is resolved below
  }

  async resolveTask(task: vscode.Task): Promise<vscode.Task | undefined> {
    const definition = task.definition as MonitoredTaskDefinition;
    if (typeof definition.command !== 'string' || definition.command.trim() === '') {
      this.controller.log.warn(`task "${task.name}": a ${MONITORED_TASK_TYPE} task needs a "command" (a command line)`);
      return undefined;
    }
    const folder = typeof task.scope === 'object' ? task.scope : vscode.workspace.workspaceFolders?.[0];
    const cwd = typeof definition.cwd === 'string' ? definition.cwd : folder?.uri.fsPath;
    const broker = await (this.broker ??= RunBroker.start((request) => this.openRun(request.title), this.controller.log));
    // The variables that load the probes go to the program alone (see supervisorArguments); the run's endpoint comes from the broker.
    const programOnly = probeEnvironment({ install: this.controller.install, baseEnv: process.env, probeEnv: {}, blockedThresholdMs: this.controller.blockedThresholdMs(folder) });
    const execution = new vscode.ProcessExecution(
      process.execPath,
      [...supervisorArguments(this.controller.supervisorScript, programOnly, { broker: task.name }), '--', posixShell(process.env.SHELL), '-c', definition.command],
      { ...(cwd !== undefined ? { cwd } : {}), env: { ...broker.environment, ELECTRON_RUN_AS_NODE: '1' } },
    );
    return new vscode.Task(definition, task.scope ?? vscode.TaskScope.Workspace, task.name, MONITORED_TASK_TYPE, execution);
  }

  dispose(): void {
    void this.broker?.then((broker) => broker.dispose());
  }

  /** A task's supervisor asks for its run: a fresh endpoint, listed in Live Tasks at once. */
  private async openRun(taskName: string): Promise<Record<string, string>> {
    if (!vscode.workspace.isTrusted) throw new Error('the workspace is not trusted');
    const server = await ProbeServer.start({ logger: this.controller.log });
    const session = new RunSession(server, { logger: this.controller.log, blockedThresholdMs: this.controller.blockedThresholdMs() });
    this.controller.add(new MonitoredRun(session, taskName, 'task', processTreeSource(session)));
    return server.environment;
  }
}
