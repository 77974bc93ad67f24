import { Emitter, type Subscription } from '../emitter';
import type { ProbeFrame } from '../probe/protocol';
import type { ProbeLogger, ProbeServer } from '../probe/server';
import { descendantPids, signalProcesses } from './processTree';
import { type RunOutcome, RunModel } from './runModel';
import type { ProgramExit } from './supervision';

/** After SIGTERM, the run's processes get this long before SIGKILL. */
export const STOP_GRACE_MS = 1500;
/** After the program exits, its probes' connections get this long to deliver their last frames. */
export const DRAIN_MS = 1000;

export interface RunSessionOptions {
  readonly logger: ProbeLogger;
  /** The blocked-loop threshold handed to the probes (drawn over the lag history). */
  readonly blockedThresholdMs?: number;
}

/**
 * One monitored run, whoever started it: its probe endpoint and the RunModel that its probes and
 * its supervisor (if any) fill, and its end. The program it started is the run's root from the
 * moment it exists; when the root ends, what it left behind goes with it, the probes get a moment
 * to say their last, and the model is finished — every process and thread shown as ended.
 */
export class RunSession {
  readonly model: RunModel;
  private readonly subscriptions: Subscription[];
  /** Probed processes whose connection is open, by connection id. */
  private readonly openProbes = new Map<number, number>();
  private root: number | undefined;
  private exit: ProgramExit | undefined;
  private readonly endEmitter = new Emitter<RunOutcome>();
  private resolveEnded!: (outcome: RunOutcome) => void;
  /** Resolves once the run is over and its model finished. */
  readonly ended = new Promise<RunOutcome>((resolve) => {
    this.resolveEnded = resolve;
  });

  constructor(readonly server: ProbeServer, private readonly options: RunSessionOptions) {
    this.model = new RunModel(options.blockedThresholdMs !== undefined ? { blockedThresholdMs: options.blockedThresholdMs } : {});
    this.subscriptions = [
      server.onHello(({ id, hello }) => {
        if (hello.role === 'supervisor') return;
        this.openProbes.set(id, hello.pid);
        this.model.addProcess(hello);
      }),
      server.onFrame(({ connection, frame }) => {
        if (connection.hello.role === 'supervisor') this.onSupervisorFrame(frame);
        else this.model.apply(connection.hello.pid, frame);
      }),
      server.onClose(({ connection }) => {
        if (connection.hello.role === 'supervisor') {
          // A supervisor that went away without saying how the program ended (killed itself).
          if (this.exit === undefined) this.programExited({ endedAt: Date.now() });
          return;
        }
        this.openProbes.delete(connection.id);
        this.model.endProcess(connection.hello.pid, Date.now());
      }),
    ];
  }

  /** The program the run started, once it has a pid. */
  get rootPid(): number | undefined {
    return this.root;
  }

  get isRunning(): boolean {
    return this.exit === undefined;
  }

  get programExit(): ProgramExit | undefined {
    return this.exit;
  }

  /** Fires once, with the run's outcome, when it is over. */
  readonly onDidEnd = this.endEmitter.event;

  /** The run started its program (a supervisor in another process says so with a `spawn` frame). */
  programStarted(pid: number, argv: readonly string[], cwd: string | undefined, startedAt: number): void {
    this.root = pid;
    this.model.addLaunched({ pid, argv: [...argv], cwd, startedAt });
  }

  /** The program ended (or could not start): ends the run. */
  programExited(exit: ProgramExit): void {
    if (this.exit !== undefined) return;
    this.exit = exit;
    if (exit.error !== undefined) this.options.logger.warn(`the program could not start: ${exit.error}`);
    if (this.root !== undefined) this.model.endProcess(this.root, exit.endedAt, exit);
    // Whatever the program left behind (pool workers, grandchildren) goes with it.
    this.signalAll('SIGKILL');
    void this.drain().then(() => {
      this.model.finish(exit.endedAt, exit);
      this.endEmitter.fire(this.model.outcome!);
      this.resolveEnded(this.model.outcome!);
    });
  }

  /** Ends the run's whole process tree: SIGTERM, then SIGKILL after {@link STOP_GRACE_MS}. */
  stop(): void {
    if (!this.isRunning) return;
    this.signalAll('SIGTERM');
    setTimeout(() => this.signalAll('SIGKILL'), STOP_GRACE_MS).unref();
  }

  dispose(): void {
    this.stop();
    for (const subscription of this.subscriptions) subscription.dispose();
    this.endEmitter.dispose();
    this.model.dispose();
    void this.server.dispose();
  }

  private onSupervisorFrame(frame: ProbeFrame): void {
    switch (frame.kind) {
      case 'spawn':
        return this.programStarted(frame.pid, frame.argv, frame.cwd, frame.startedAt);
      case 'reaped':
        return this.programExited({
          endedAt: frame.t, ...(frame.exitCode !== undefined ? { exitCode: frame.exitCode } : {}),
          ...(frame.signal !== undefined ? { signal: frame.signal } : {}), ...(frame.error !== undefined ? { error: frame.error } : {}),
        });
      case 'hello':
      case 'snapshot':
      case 'delta':
      case 'blocked':
      case 'exit':
      case 'trace':
        return; // the server lets only a supervisor's own frames through
    }
  }

  private async drain(): Promise<void> {
    const deadline = Date.now() + DRAIN_MS;
    while (this.openProbes.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    await this.server.dispose();
  }

  private signalAll(signal: NodeJS.Signals): void {
    // The root leads a process group of its own; children may have left it (setsid), so the
    // descendants and every probed process are signalled one by one as well.
    const pids = new Set(this.openProbes.values());
    if (this.root !== undefined) for (const pid of descendantPids(this.root)) pids.add(pid);
    signalProcesses(this.root !== undefined ? [this.root] : [], pids, signal);
  }
}
