import { type ChildProcess, spawn } from 'node:child_process';
import * as vscode from 'vscode';
import { blockedThresholdOf, type LaunchSpec } from '../core/runs/launchSpec';
import { RunModel } from '../core/runs/runModel';
import type { ProbeServer } from '../core/probe/server';

/** Output kept while the terminal is not open yet. */
const MAX_EARLY_OUTPUT = 1024 * 1024;
/** After SIGTERM, the run's processes get this long before SIGKILL. */
const STOP_GRACE_MS = 1500;
/** After the program exits, its probes' connections get this long to deliver their last frames. */
const DRAIN_MS = 1000;

export interface RunExit {
  readonly exitCode?: number;
  readonly signal?: string;
}

/**
 * One monitored program: its probe endpoint, its process group, its terminal (a Pseudoterminal:
 * the user types into the program's stdin and sees its output, exit code and traceback) and the
 * RunModel its probes fill. Stop or exit leaves no process of the run alive.
 */
export class MonitoredRun implements vscode.Disposable {
  readonly model: RunModel;
  private readonly child: ChildProcess;
  private readonly terminal: vscode.Terminal;
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly endEmitter = new vscode.EventEmitter<RunExit>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private earlyOutput: string[] | undefined = [];
  private earlyBytes = 0;
  private exitInfo: RunExit | undefined;
  private readonly ended: Promise<RunExit>;
  private finished = false;

  /** Fires once, when the program has exited and its probes are done. */
  readonly onDidEnd = this.endEmitter.event;

  constructor(private readonly server: ProbeServer, spec: LaunchSpec, readonly title: string, private readonly log: vscode.LogOutputChannel) {
    this.model = new RunModel({ blockedThresholdMs: blockedThresholdOf(spec) });
    this.subscriptions.push(
      server.onHello((connection) => this.model.addProcess(connection.hello)),
      server.onFrame(({ connection, frame }) => this.model.apply(connection.hello.pid, frame)),
      server.onClose(({ connection }) => this.model.endProcess(connection.hello.pid, Date.now())),
    );
    const pty: vscode.Pseudoterminal = {
      onDidWrite: this.writeEmitter.event,
      open: () => {
        for (const text of this.earlyOutput ?? []) this.writeEmitter.fire(text);
        this.earlyOutput = undefined;
      },
      close: () => this.stop(),
      handleInput: (data) => this.input(data),
    };
    this.terminal = vscode.window.createTerminal({ name: title, pty, isTransient: true });
    this.terminal.show(true);
    log.info(`monitored run: ${spec.command} ${spec.args.join(' ')} (in ${spec.cwd})`);
    // A process group of its own, so Stop reaches every descendant.
    this.child = spawn(spec.command, [...spec.args], { cwd: spec.cwd, env: { ...spec.env }, detached: true, stdio: 'pipe' });
    this.child.stdout?.setEncoding('utf8').on('data', (text: string) => this.write(text));
    this.child.stderr?.setEncoding('utf8').on('data', (text: string) => this.write(text));
    this.child.stdin?.on('error', () => undefined); // the program may close stdin early
    this.ended = new Promise<RunExit>((resolve) => {
      this.child.once('error', (error) => {
        this.write(`${vscode.l10n.t('Could not start {0}: {1}', spec.command, error.message)}\n`);
        this.exitInfo = {};
        resolve(this.exitInfo);
      });
      this.child.once('exit', (code, signal) => {
        const exit: RunExit = { exitCode: code ?? undefined, signal: signal ?? undefined };
        this.exitInfo = exit;
        // Whatever the program left behind (pool workers, grandchildren) goes with it.
        this.signalAll('SIGKILL');
        // Let the last output through (the pipes close), but do not wait on a stray holder.
        const timer = setTimeout(() => resolve(this.finish(exit)), DRAIN_MS);
        this.child.once('close', () => {
          clearTimeout(timer);
          resolve(this.finish(exit));
        });
      });
    }).then(async (exit) => {
      await this.drain();
      this.endEmitter.fire(exit);
      return exit;
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get isRunning(): boolean {
    return this.exitInfo === undefined;
  }

  get exit(): RunExit | undefined {
    return this.exitInfo;
  }

  /** Resolves when the program has exited and the run is complete. */
  whenEnded(): Promise<RunExit> {
    return this.ended;
  }

  /** Ends the whole process tree: SIGTERM to the group and every probed process, then SIGKILL. */
  stop(): void {
    if (!this.isRunning) return;
    this.signalAll('SIGTERM');
    setTimeout(() => this.signalAll('SIGKILL'), STOP_GRACE_MS).unref();
  }

  dispose(): void {
    this.stop();
    for (const subscription of this.subscriptions) subscription.dispose();
    this.writeEmitter.dispose();
    this.endEmitter.dispose();
    this.terminal.dispose();
    this.model.dispose();
    void this.server.dispose();
  }

  private finish(exit: RunExit): RunExit {
    if (this.finished) return exit;
    this.finished = true;
    const pid = this.child.pid;
    if (pid !== undefined) this.model.endProcess(pid, Date.now(), exit);
    const status = exit.signal ? vscode.l10n.t('Program ended by {0}', exit.signal) : vscode.l10n.t('Program exited with code {0}', String(exit.exitCode ?? '?'));
    this.write(`\n[${status}]\n`);
    return exit;
  }

  private async drain(): Promise<void> {
    const deadline = Date.now() + DRAIN_MS;
    while (this.server.connectionCount > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    await this.server.dispose();
  }

  private signalAll(signal: NodeJS.Signals): void {
    const pids = new Set(this.model.processes().filter((record) => record.connected).map((record) => record.pid));
    if (this.child.pid !== undefined) {
      try {
        process.kill(-this.child.pid, signal);
      } catch {
        // The group is already gone.
      }
    }
    for (const pid of pids) {
      try {
        process.kill(pid, signal);
      } catch {
        // Already gone.
      }
    }
  }

  private input(data: string): void {
    if (!this.isRunning || !this.child.stdin?.writable) return;
    // A Pseudoterminal gets raw keys: echo them and turn Enter into a newline for the program.
    const text = data.replace(/\r/g, '\n');
    if (data === '\x03') {
      this.signalAll('SIGINT');
      return;
    }
    this.writeEmitter.fire(data.replace(/\r/g, '\r\n').replace(/\x7f/g, '\b \b'));
    this.child.stdin.write(text);
  }

  private write(text: string): void {
    const terminalText = text.replace(/\r?\n/g, '\r\n');
    if (!this.earlyOutput) {
      this.writeEmitter.fire(terminalText);
      return;
    }
    if (this.earlyBytes + terminalText.length > MAX_EARLY_OUTPUT) return;
    this.earlyBytes += terminalText.length;
    this.earlyOutput.push(terminalText);
  }
}
