import * as vscode from 'vscode';
import { ENV_ADDRESS, ENV_TOKEN } from '../core/probe/endpoint';
import { blockedThresholdOf, type LaunchSpec } from '../core/runs/launchSpec';
import type { ProbeServer } from '../core/probe/server';
import type { ExitStatus, RunModel, RunOutcome } from '../core/runs/runModel';
import { RunSession } from '../core/runs/runSession';

/** A run's program is gone but its terminal's supervisor has not said so: stop waiting after this long. */
const CLOSED_TERMINAL_GRACE_MS = 3000;

/**
 * One monitored program in a terminal of its own. The terminal runs our supervisor
 * (dist/supervisor.js) with the editor's own Node.js, and the supervisor runs the program with the
 * terminal's stdio: output at a plain terminal's speed, a real TTY for input, Ctrl+C for the
 * program. The supervisor tells the run the program's pid at once and, from waitpid, how it ended;
 * the probes fill the RunModel. Stop or exit leaves no process of the run alive.
 */
export class MonitoredRun implements vscode.Disposable {
  readonly session: RunSession;
  private readonly terminal: vscode.Terminal;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly endEmitter = new vscode.EventEmitter<RunOutcome>();

  /** Fires once, when the program has exited and its probes are done. */
  readonly onDidEnd = this.endEmitter.event;

  constructor(server: ProbeServer, spec: LaunchSpec, readonly title: string, supervisorScript: string, log: vscode.LogOutputChannel) {
    const blockedThresholdMs = blockedThresholdOf(spec);
    this.session = new RunSession(server, { logger: log, ...(blockedThresholdMs !== undefined ? { blockedThresholdMs } : {}) });
    this.session.onDidEnd((outcome) => this.endEmitter.fire(outcome));
    log.info(`monitored run: ${spec.command} ${spec.args.join(' ')} (in ${spec.cwd})`);
    // The endpoint's secret stays out of argv (any local user can read a command line); the
    // variables that load the probes go to the program alone, or they would load into the supervisor.
    const { [ENV_ADDRESS]: address, [ENV_TOKEN]: token, ...programOnly } = spec.env;
    this.terminal = vscode.window.createTerminal({
      name: title,
      iconPath: new vscode.ThemeIcon('pulse'),
      // The editor's own Node.js runs the supervisor, which takes ELECTRON_RUN_AS_NODE off the program's environment.
      shellPath: process.execPath,
      shellArgs: [
        supervisorScript, '--wait-for-key', '--texts', JSON.stringify(supervisorTexts()), '--unset', 'ELECTRON_RUN_AS_NODE',
        ...Object.entries(programOnly).flatMap(([name, value]) => ['--set', `${name}=${value}`]),
        '--', spec.command, ...spec.args,
      ],
      cwd: spec.cwd,
      env: { ...(address !== undefined ? { [ENV_ADDRESS]: address } : {}), ...(token !== undefined ? { [ENV_TOKEN]: token } : {}), ELECTRON_RUN_AS_NODE: '1' },
      isTransient: true,
    });
    this.terminal.show(true);
    this.subscriptions.push(vscode.window.onDidCloseTerminal((closed) => {
      if (closed !== this.terminal || !this.isRunning) return;
      // Closed while the program ran: its supervisor passes the hangup on; make sure it ends.
      this.stop();
      setTimeout(() => this.session.programExited({ endedAt: Date.now() }), CLOSED_TERMINAL_GRACE_MS).unref();
    }));
  }

  get model(): RunModel {
    return this.session.model;
  }

  /** The program's pid, once its supervisor has started it. */
  get pid(): number | undefined {
    return this.session.rootPid;
  }

  get isRunning(): boolean {
    return this.session.isRunning;
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

  /** Ends the whole process tree: SIGTERM, then SIGKILL. */
  stop(): void {
    this.session.stop();
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.session.dispose();
    this.endEmitter.dispose();
    this.terminal.dispose();
  }
}

/** What the supervisor prints in the terminal, in the editor's language. */
function supervisorTexts(): Record<string, string> {
  return {
    exited: vscode.l10n.t('Program exited with code {0}', '{0}'),
    signalled: vscode.l10n.t('Program ended by {0}', '{0}'),
    cannotStart: vscode.l10n.t('Could not start the program: {0}', '{0}'),
    pressAnyKey: vscode.l10n.t('Press any key to close the terminal.'),
  };
}
