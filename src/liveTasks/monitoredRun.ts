import * as vscode from 'vscode';
import { ENV_ADDRESS, ENV_TOKEN } from '../core/probe/endpoint';
import type { ProbeServer } from '../core/probe/server';
import { blockedThresholdOf, type LaunchSpec } from '../core/runs/launchSpec';
import type { ExitStatus, RunModel, RunOutcome } from '../core/runs/runModel';
import { RunSession } from '../core/runs/runSession';
import type { RunKind, RunView } from './liveTasksTree';

/** A run's program is gone but its terminal's supervisor has not said so: stop waiting after this long. */
const CLOSED_TERMINAL_GRACE_MS = 3000;

/** What started a run, and how Stop stops it: a terminal, a task, a debug session, an attached process. */
export interface RunSource extends vscode.Disposable {
  stop(): void;
}

/** A run whose source is its own process tree: Stop ends that tree (SIGTERM, then SIGKILL). */
export function processTreeSource(session: RunSession): RunSource {
  return { stop: () => session.stop(), dispose: () => undefined };
}

let lastRunId = 0;

/**
 * One monitored run, however it started: its session (endpoint, model, end) and its source. The
 * source decides how Stop stops it (a terminal's process tree, a debug session, …); the session
 * fills the model and ends the run.
 */
export class MonitoredRun implements RunView, vscode.Disposable {
  readonly id = `r${++lastRunId}`;
  private readonly endEmitter = new vscode.EventEmitter<RunOutcome>();
  private readonly stateEmitter = new vscode.EventEmitter<void>();
  /** Fires once, when the program has exited and its probes are done. */
  readonly onDidEnd = this.endEmitter.event;
  /** Fires when the run pauses in the debugger or goes on. */
  readonly onDidChangeState = this.stateEmitter.event;

  constructor(readonly session: RunSession, readonly title: string, readonly kind: Exclude<RunKind, 'recording'>, private readonly source: RunSource) {
    session.onDidEnd((outcome) => this.endEmitter.fire(outcome));
    session.onDidChangeState(() => this.stateEmitter.fire());
  }

  get model(): RunModel {
    return this.session.model;
  }

  /** The program's pid, once its supervisor has started it (or the process attached to). */
  get pid(): number | undefined {
    return this.session.rootPid;
  }

  get isRunning(): boolean {
    return this.session.isRunning;
  }

  get isPaused(): boolean {
    return this.session.isPaused;
  }

  get exit(): ExitStatus | undefined {
    const exit = this.session.programExit;
    return exit && { exitCode: exit.exitCode, signal: exit.signal };
  }

  /** Resolves when the program has exited and the run is complete, with how the program ended. */
  async whenEnded(): Promise<ExitStatus> {
    await this.session.ended;
    return this.exit!;
  }

  /** Stops the run's programs, as its source does it. */
  stop(): void {
    if (this.isRunning) this.source.stop();
  }

  dispose(): void {
    this.source.dispose();
    this.session.dispose();
    this.endEmitter.dispose();
    this.stateEmitter.dispose();
  }
}

/** An opened recording (or a restored last run), listed beside the runs: ended, nothing to stop. */
export class RecordedRun implements RunView {
  readonly id = `r${++lastRunId}`;
  readonly kind = 'recording';
  readonly isRunning = false;
  readonly isPaused = false;

  constructor(readonly model: RunModel, readonly title: string) {}

  stop(): void {
    // It has ended.
  }

  dispose(): void {
    // The shown run may still show its model.
  }
}

/**
 * Runs a program in a terminal of its own: the terminal runs our supervisor (dist/supervisor.js)
 * with the editor's own Node.js, and the supervisor runs the program with the terminal's stdio:
 * output at a plain terminal's speed, a real TTY for input, Ctrl+C for the program. The supervisor
 * tells the run the program's pid at once and, from waitpid, how it ended; the probes fill the
 * model. Stop or exit leaves no process of the run alive.
 */
export function runInTerminal(server: ProbeServer, spec: LaunchSpec, title: string, kind: 'file' | 'command', supervisorScript: string, log: vscode.LogOutputChannel): MonitoredRun {
  const blockedThresholdMs = blockedThresholdOf(spec);
  const session = new RunSession(server, { logger: log, ...(blockedThresholdMs !== undefined ? { blockedThresholdMs } : {}) });
  log.info(`monitored run: ${spec.command} ${spec.args.join(' ')} (in ${spec.cwd})`);
  // The endpoint's secret stays out of argv (any local user can read a command line); the
  // variables that load the probes go to the program alone, or they would load into the supervisor.
  const { [ENV_ADDRESS]: address, [ENV_TOKEN]: token, ...programOnly } = spec.env;
  const terminal = vscode.window.createTerminal({
    name: vscode.l10n.t('Concurrency Monitor: {0}', title),
    iconPath: new vscode.ThemeIcon('pulse'),
    // The editor's own Node.js runs the supervisor, which takes ELECTRON_RUN_AS_NODE off the program's environment.
    shellPath: process.execPath,
    shellArgs: [...supervisorArguments(supervisorScript, programOnly, { waitForKey: true }), '--', spec.command, ...spec.args],
    cwd: spec.cwd,
    env: { ...(address !== undefined ? { [ENV_ADDRESS]: address } : {}), ...(token !== undefined ? { [ENV_TOKEN]: token } : {}), ELECTRON_RUN_AS_NODE: '1' },
    isTransient: true,
  });
  terminal.show(true);
  const closed = vscode.window.onDidCloseTerminal((gone) => {
    if (gone !== terminal || !session.isRunning) return;
    // Closed while the program ran: its supervisor passes the hangup on; make sure it ends.
    session.stop();
    setTimeout(() => session.programExited({ endedAt: Date.now() }), CLOSED_TERMINAL_GRACE_MS).unref();
  });
  return new MonitoredRun(session, title, kind, {
    stop: () => session.stop(),
    dispose: () => {
      closed.dispose();
      terminal.dispose();
    },
  });
}

/**
 * The supervisor's options before `--`: its words in the editor's language, and the program-only
 * variables (the editor's Node.js runs it: ELECTRON_RUN_AS_NODE is for the supervisor alone).
 */
export function supervisorArguments(supervisorScript: string, programOnly: Readonly<Record<string, string>>, options: { waitForKey?: boolean; broker?: string } = {}): string[] {
  return [
    supervisorScript,
    ...(options.waitForKey ? ['--wait-for-key'] : []),
    ...(options.broker !== undefined ? ['--broker', '--title', options.broker] : []),
    '--texts', JSON.stringify(supervisorTexts()), '--unset', 'ELECTRON_RUN_AS_NODE',
    ...Object.entries(programOnly).flatMap(([name, value]) => ['--set', `${name}=${value}`]),
  ];
}

/** What the supervisor prints in the terminal, in the editor's language. */
function supervisorTexts(): Record<string, string> {
  return {
    exited: vscode.l10n.t('Program exited with code {0}', '{0}'),
    signalled: vscode.l10n.t('Program ended by {0}', '{0}'),
    cannotStart: vscode.l10n.t('Could not start the program: {0}', '{0}'),
    pressAnyKey: vscode.l10n.t('Press any key to close the terminal.'),
    unmonitored: vscode.l10n.t('Concurrency Lens is not reachable ({0}): the program runs without the monitor.', '{0}'),
  };
}
