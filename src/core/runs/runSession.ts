import { Emitter, type Subscription } from '../emitter';
import type { BlockedFrame, HelloFrame, ProbeFrame } from '../probe/protocol';
import type { ProbeLogger, ProbeServer } from '../probe/server';
import { HeldThreads } from './heldThreads';
import { PauseLog } from './pauses';
import { descendantPids, parentPid, signalProcesses } from './processTree';
import { type ExitStatus, type RunOutcome, RunModel } from './runModel';
import type { ProgramExit } from './supervision';

/** After SIGTERM, the run's processes get this long before SIGKILL. */
export const STOP_GRACE_MS = 1500;
/** After the program exits, its probes' connections get this long to deliver their last frames. */
export const DRAIN_MS = 1000;
/** How far up the process tree a new process's ancestors are searched for one in the run. */
const MAX_ANCESTRY = 64;
/** How often the probes' silences are looked at (see HeldThreads). */
const SILENCE_CHECK_MS = 500;

export interface RunSessionOptions {
  readonly logger: ProbeLogger;
  /** The blocked-loop threshold handed to the probes (drawn over the lag history). */
  readonly blockedThresholdMs?: number;
  /**
   * True (the default) when the run started its program: when that ends, whatever it left behind
   * is killed with it. False for programs the run only watches (a debug session's, a terminal's,
   * an attached process): they are left alone when the run ends.
   */
  readonly ownsProcesses?: boolean;
  /** The parent of a pid, to nest a process whose parent is not in the run (default: /proc). */
  readonly parentOf?: (pid: number) => number | undefined;
  /**
   * Whether a held Node.js main thread's line is looked up through its inspector, opened for the
   * moment (default true; see HeldThreads): not in a debug session, whose debugger owns it.
   */
  readonly useInspector?: boolean;
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
  /** The root is a process the run did not start (attached): the run ends when it does. */
  private endsWithRoot = false;
  private exit: ProgramExit | undefined;
  private readonly pauses = new PauseLog();
  /** Loops (`pid/loopId`) whose ongoing block was reported before a pause: its later reports belong to it. */
  private readonly acceptedOngoingBlocks = new Set<string>();
  /** Speaks for the probes whose thread is held. */
  private readonly held: HeldThreads;
  private readonly silenceTimer: ReturnType<typeof setInterval>;
  private readonly endEmitter = new Emitter<RunOutcome>();
  private readonly stateEmitter = new Emitter<void>();
  private resolveEnded!: (outcome: RunOutcome) => void;
  /** Resolves once the run is over and its model finished. */
  readonly ended = new Promise<RunOutcome>((resolve) => {
    this.resolveEnded = resolve;
  });

  constructor(readonly server: ProbeServer, private readonly options: RunSessionOptions) {
    this.model = new RunModel(options.blockedThresholdMs !== undefined ? { blockedThresholdMs: options.blockedThresholdMs } : {});
    this.held = new HeldThreads(this.model, {
      logger: options.logger,
      useInspector: options.useInspector ?? true,
      report: (pid, frame) => this.isRunning && !this.pauses.isPaused && this.isRealBlock(pid, frame) && (this.model.apply(pid, frame), true),
    });
    this.subscriptions = [
      server.onHello(({ id, hello }) => {
        if (hello.role === 'supervisor') return;
        this.openProbes.set(id, hello.pid);
        this.held.watch(id, hello);
        this.model.addProcess(hello, this.ancestorInRun(hello));
      }),
      server.onFrame(({ connection, frame }) => {
        this.held.heard(connection.id, () => {
          if (connection.hello.role === 'supervisor') this.onSupervisorFrame(frame);
          else if (frame.kind !== 'blocked' || (this.isRealBlock(connection.hello.pid, frame) && !this.held.repeatsGilHold(connection.hello.pid, frame))) this.model.apply(connection.hello.pid, frame);
        });
      }),
      server.onClose(({ connection }) => {
        if (connection.hello.role === 'supervisor') {
          // A supervisor that went away without saying how the program ended (killed itself).
          if (this.exit === undefined) this.programExited({ endedAt: Date.now() });
          return;
        }
        this.openProbes.delete(connection.id);
        this.held.closed(connection.id);
        const endedAt = Date.now();
        this.model.endProcess(connection.hello.pid, endedAt);
        if (this.endsWithRoot && connection.hello.pid === this.root) this.programExited({ endedAt, ...this.statusOf(this.root) });
      }),
    ];
    this.silenceTimer = setInterval(() => {
      if (this.isRunning && !this.pauses.isPaused) this.held.check();
    }, SILENCE_CHECK_MS);
    this.silenceTimer.unref();
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

  /** When a debugger held the run's programs paused. */
  get pauseLog(): PauseLog {
    return this.pauses;
  }

  /** True while a debugger holds the run's programs paused. */
  get isPaused(): boolean {
    return this.pauses.isPaused && this.isRunning;
  }

  /** Fires once, with the run's outcome, when it is over. */
  readonly onDidEnd = this.endEmitter.event;
  /** Fires when the run is paused or goes on. */
  readonly onDidChangeState = this.stateEmitter.event;

  /** The run started its program (a supervisor in another process says so with a `spawn` frame). */
  programStarted(pid: number, argv: readonly string[], cwd: string | undefined, startedAt: number): void {
    this.root = pid;
    this.model.addLaunched({ pid, argv: [...argv], cwd, startedAt });
  }

  /**
   * The run watches a process it did not start (an attached one): it is the run's root, and the run
   * ends when its probe goes away.
   */
  adoptRoot(pid: number, argv: readonly string[], cwd: string | undefined, startedAt: number): void {
    this.endsWithRoot = true;
    this.root = pid;
    this.model.addLaunched({ pid, argv: [...argv], cwd, startedAt }, parentPid(pid) ?? 0);
  }

  /**
   * What started the run is gone (its debug session ended, its terminal closed): ends the run. Its
   * outcome is its one root process's exit status, where known.
   */
  end(endedAt = Date.now()): void {
    const roots = this.model.rootProcesses();
    this.programExited({ endedAt, ...(roots.length === 1 ? this.statusOf(roots[0]!.pid) : {}) });
  }

  /** A debugger paused the run's programs (`true`) or let them go on, at `time`. */
  setPaused(paused: boolean, time = Date.now()): void {
    if (paused === this.pauses.isPaused) return;
    if (paused) this.pauses.pause(time);
    else this.pauses.resume(time);
    this.stateEmitter.fire();
  }

  /** The program ended (or could not start): ends the run. */
  programExited(exit: ProgramExit): void {
    if (this.exit !== undefined) return;
    this.exit = exit;
    this.pauses.resume(exit.endedAt);
    if (exit.error !== undefined) this.options.logger.warn(`the program could not start: ${exit.error}`);
    if (this.root !== undefined) this.model.endProcess(this.root, exit.endedAt, exit);
    // Whatever the program left behind (pool workers, grandchildren) goes with it.
    if (this.options.ownsProcesses ?? true) this.signalAll('SIGKILL');
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
    clearInterval(this.silenceTimer);
    if (this.options.ownsProcesses ?? true) this.stop();
    for (const subscription of this.subscriptions) subscription.dispose();
    this.endEmitter.dispose();
    this.stateEmitter.dispose();
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

  /**
   * Where to show a process whose parent is not in the run: under its nearest ancestor that is (a
   * shell or `npm run`'s `sh -c` between them), found up the live process tree.
   */
  private ancestorInRun(hello: HelloFrame): number | undefined {
    if (this.model.process(hello.ppid) || hello.ppid <= 1) return undefined;
    const parentOf = this.options.parentOf ?? parentPid;
    let pid: number | undefined = hello.ppid;
    for (let depth = 0; depth < MAX_ANCESTRY && pid !== undefined && pid > 1; depth += 1) {
      pid = parentOf(pid);
      if (pid !== undefined && pid !== hello.pid && this.model.process(pid)) return pid;
    }
    return undefined;
  }

  /**
   * A probe cannot tell a loop held at a breakpoint from a blocked one: a block that overlaps a
   * pause of the debugger is time spent paused, and is dropped (the continuation of a block that
   * was reported before the pause still reaches it, so that it ends).
   */
  private isRealBlock(pid: number, frame: BlockedFrame): boolean {
    const loop = `${pid}/${frame.loopId}`;
    if (this.acceptedOngoingBlocks.has(loop)) {
      if (!frame.ongoing) this.acceptedOngoingBlocks.delete(loop);
      return true;
    }
    if (this.pauses.overlaps(frame.t - frame.durationMs, frame.t)) {
      this.options.logger.info(`pid ${pid}: a ${Math.round(frame.durationMs)} ms block of ${frame.loopId} overlaps a debugger pause: not reported`);
      return false;
    }
    if (frame.ongoing) this.acceptedOngoingBlocks.add(loop);
    return true;
  }

  private statusOf(pid: number): ExitStatus {
    const record = this.model.process(pid);
    return {
      ...(record?.exitCode !== undefined ? { exitCode: record.exitCode } : {}),
      ...(record?.signal !== undefined ? { signal: record.signal } : {}),
    };
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
