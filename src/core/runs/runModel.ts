import { Emitter, type Subscription } from '../emitter';
import type { RunRecording } from './recording';
import { RECORDING_FORMAT, RECORDING_VERSION } from './recordingFormat';
import type {
  ChildInfo, DeltaFrame, HelloFrame, LoopInfo, ProbeFrame, Runtime, SlowCallback, SnapshotFrame, SourceLocation, SpawnFrame, SystemCall, TaskInfo,
  ThreadInfo, TraceFrame,
} from '../probe/protocol';

/** The entity sets of a process, by kind. */
export interface EntityInfoByKind {
  thread: ThreadInfo;
  task: TaskInfo;
  loop: LoopInfo;
  child: ChildInfo;
}
export type EntityKind = keyof EntityInfoByKind;
export const ENTITY_KINDS: readonly EntityKind[] = ['thread', 'task', 'loop', 'child'];
/** The frame field holding each kind (`threads`, `tasks`, …). */
const FRAME_SET = { thread: 'threads', task: 'tasks', loop: 'loops', child: 'children' } as const;

/** One span of time an entity spent in one state; `end` is absent while it lasts. */
export interface StateInterval {
  state: string;
  start: number;
  end?: number;
}

/** What the run knows about one entity: its latest info and a bounded history of its states. */
export interface TrackedEntity<K extends EntityKind = EntityKind> {
  readonly kind: K;
  info: EntityInfoByKind[K];
  /** False once the probe removed it, left it out of a snapshot, or its process went away. */
  live: boolean;
  /** Oldest first; at most {@link MAX_INTERVALS_PER_ENTITY}, older ones dropped (`droppedIntervals`). */
  history: StateInterval[];
  droppedIntervals: number;
}

/** The scheduling lag of one event loop over time, oldest first (columns of equal length). */
export interface LagHistory {
  readonly loopId: string;
  threadId: string;
  readonly times: number[];
  readonly lagMs: number[];
  /** Samples dropped to keep at most {@link MAX_LAG_SAMPLES}. */
  droppedSamples: number;
}

/**
 * Trace mode: how busy one event loop was over time (the ms of callbacks run in each bucket of
 * {@link TRACE_BUCKET_MS}, only buckets it ran something in; columns, oldest first) and its slowest
 * callbacks of the run.
 */
export interface LoopTrace {
  readonly loopId: string;
  threadId: string;
  readonly bucketStart: number[];
  readonly busyMs: number[];
  /** Buckets dropped to keep at most {@link MAX_TRACE_BUCKETS}. */
  droppedBuckets: number;
  callbacks: number;
  busyMsTotal: number;
  /** Slowest first, at most {@link MAX_SLOW_CALLBACKS}. */
  slow: SlowCallback[];
}

/** An event loop that did not get back to its scheduler for `durationMs`. */
export interface BlockedEvent {
  pid: number;
  loopId: string;
  threadId: string;
  /** When the block began (the frame's time minus its duration). */
  startedAt: number;
  durationMs: number;
  /** Innermost frame last. */
  stack: SourceLocation[];
  /** True while the probe reports it still blocked. */
  ongoing: boolean;
  /** Python: the thread held the GIL in C code, so nothing else in its process ran (see BlockedFrame). */
  gil?: boolean;
  /** The system call the thread was held in (see BlockedFrame). */
  systemCall?: SystemCall;
}

export interface ProcessRecord {
  readonly pid: number;
  ppid: number;
  /**
   * The nearest ancestor that is part of the run, when its parent is not (a shell, or the `sh -c`
   * that `npm run` starts, between them): it is shown under that one instead of as a root.
   */
  parentInRun?: number;
  argv: readonly string[];
  cwd?: string;
  /** Unknown until its probe says hello: a program the run started that has no probe (yet). */
  runtime?: Runtime;
  /** What the process says it is for (its hello's `processRole`), e.g. `resource-tracker`. */
  processRole?: string;
  startedAt: number;
  endedAt?: number;
  exitCode?: number;
  signal?: string;
  /** True while its probe is connected. */
  connected: boolean;
  /** Frames its probe reported dropping from its bounded buffer. */
  droppedFrames: number;
  /** What observing it cost, as its probe counted (from its exit frame; not every probe counts). */
  probeCost?: ProbeCost;
  /** When its probe last sampled it (its latest snapshot or delta): what it reported holds as of then. */
  sampledAt?: number;
  readonly entities: { [K in EntityKind]: Map<string, TrackedEntity<K>> };
  /** Lag samples of each loop, by loop id. */
  readonly lag: Map<string, LagHistory>;
  /** Trace mode: what each loop ran, by loop id (empty without trace mode). */
  readonly trace: Map<string, LoopTrace>;
}

/** The CPU time a probe's own work took in its process, beside the process's whole CPU time (ms). */
export interface ProbeCost {
  readonly probeCpuMs: number;
  readonly cpuMs: number;
}

/** How the run ended: when, and the exit status of the program it started, where known. */
export interface RunOutcome {
  readonly endedAt: number;
  readonly exitCode?: number;
  readonly signal?: string;
  /** A recording made while the run was still going on: it ends here, the program did not. */
  readonly stillRunning?: boolean;
}

export interface ExitStatus {
  readonly exitCode?: number;
  readonly signal?: string;
}

export interface RunSummary {
  processes: number;
  threads: number;
  tasksCreated: number;
  tasksFailed: number;
  tasksCancelled: number;
  /** Loop blocks reported over the whole run. */
  blocks: number;
  longestBlock?: BlockedEvent;
}

/** Which parts of the run changed, as {@link runKey} / {@link processKey} / {@link entityKey} keys. */
export interface RunChange {
  readonly keys: ReadonlySet<string>;
}

export const MAX_INTERVALS_PER_ENTITY = 100;
/** Ended entities kept per process and kind (for the timeline); the oldest ended ones go first. */
export const MAX_ENDED_ENTITIES = 10_000;
export const MAX_BLOCKED_EVENTS = 1_000;
/** Lag samples kept per loop: 10 minutes at the probes' default 200 ms sample period. */
export const MAX_LAG_SAMPLES = 3_000;
/** Trace mode: a loop's busy time is kept per bucket of this many ms ... */
export const TRACE_BUCKET_MS = 10;
/** ... for at most this many buckets it ran something in (at least 10 minutes). */
export const MAX_TRACE_BUCKETS = 60_000;
export const MAX_SLOW_CALLBACKS = 50;
/** Trace mode: a task's running slices that arrive before the task does wait for it, at most this many per task. */
const MAX_EARLY_SLICES_PER_TASK = MAX_INTERVALS_PER_ENTITY / 2;

export interface RunModelOptions {
  /** The blocked-loop threshold the probes were given, when known (drawn over the lag history). */
  readonly blockedThresholdMs?: number;
}

/** The key of the run's top level (processes appearing or leaving the root). */
export const runKey = 'run';
export function processKey(pid: number): string {
  return `p:${pid}`;
}
export function entityKey(pid: number, kind: EntityKind, id: string): string {
  return `p:${pid}/${kind}:${id}`;
}
/** The key that changes at each of a process's samples, even when nothing else did. */
export function sampledKey(pid: number): string {
  return `p:${pid}/sampled`;
}
/** The key that changes when a process's list of blocked-loop events changes. */
export function blocksKey(pid: number): string {
  return `p:${pid}/blocked`;
}

/**
 * The state of one monitored run: its processes (nested by ppid) with their threads, asyncio
 * tasks, event loops and child processes, built by applying the probes' frames. It keeps, for the
 * timeline, a bounded history of state intervals per entity and the blocked-loop events, and
 * counts what the end-of-run summary needs. {@link onDidChange} lists the keys that changed, so a
 * view can refresh only those nodes. Pure data: no I/O, no timers; times are the probes' clocks.
 */
export class RunModel {
  private readonly processMap = new Map<number, ProcessRecord>();
  private readonly blockEvents: BlockedEvent[] = [];
  /** The still-ongoing block of each loop, by `pid/loopId`. */
  private readonly ongoingBlocks = new Map<string, BlockedEvent>();
  /** Per process and kind, ids of ended entities in the order they ended (for eviction). */
  private readonly endedOrder = new Map<string, string[]>();
  private readonly counters = { threads: 0, tasksCreated: 0, tasksFailed: 0, tasksCancelled: 0, blocks: 0 };
  private longest: BlockedEvent | undefined;
  /** Trace mode: running slices of tasks not described yet, by `pid/taskId` (pairs of start, end). */
  private readonly pendingSlices = new Map<string, number[]>();
  /** Where each child process its parent reported lives in the model: pid → parent pid and entity id. */
  private readonly childEntities = new Map<number, { parentPid: number; id: string }>();
  private runOutcome: RunOutcome | undefined;
  private readonly changeEmitter = new Emitter<RunChange>();
  private pendingKeys: Set<string> | undefined;

  /** Fires after each applied frame (or batch) with the keys that changed. */
  readonly onDidChange: (listener: (change: RunChange) => void) => Subscription = this.changeEmitter.event;

  constructor(readonly options: RunModelOptions = {}) {}

  /** Every process seen, in order of arrival. */
  processes(): ProcessRecord[] {
    return [...this.processMap.values()];
  }

  process(pid: number): ProcessRecord | undefined {
    return this.processMap.get(pid);
  }

  /** The name of thread `threadId` of process `pid`, when the run knows that thread. */
  threadName(pid: number, threadId: string): string | undefined {
    return this.processMap.get(pid)?.entities.thread.get(threadId)?.info.name;
  }

  /** Processes with no ancestor in the run (normally the one program started). */
  rootProcesses(): ProcessRecord[] {
    return this.processes().filter((record) => this.parentOf(record) === undefined);
  }

  /** The processes shown under `pid`: its children, and descendants whose parents are not in the run. */
  childProcesses(pid: number): ProcessRecord[] {
    return this.processes().filter((record) => this.parentOf(record) === pid);
  }

  /** The process a record is shown under: its parent, else its nearest ancestor in the run, if any. */
  parentOf(record: ProcessRecord): number | undefined {
    if (record.ppid !== record.pid && this.processMap.has(record.ppid)) return record.ppid;
    return record.parentInRun !== undefined && record.parentInRun !== record.pid && this.processMap.has(record.parentInRun) ? record.parentInRun : undefined;
  }

  /** How the run ended; undefined while it goes on. */
  get outcome(): RunOutcome | undefined {
    return this.runOutcome;
  }

  /** The time the views measure ages against: the run's end once it has ended. */
  clock(now: number): number {
    return this.runOutcome?.endedAt ?? now;
  }

  /** The child entity by which a process's parent describes it (its name and role), if any. */
  describedByParent(pid: number): ChildInfo | undefined {
    const where = this.childEntities.get(pid);
    return where && this.processMap.get(where.parentPid)?.entities.child.get(where.id)?.info;
  }

  /** Blocked-loop events, oldest first (at most {@link MAX_BLOCKED_EVENTS}). */
  blockedEvents(): readonly BlockedEvent[] {
    return this.blockEvents;
  }

  summary(): RunSummary {
    const unreported = { done: 0, failed: 0, cancelled: 0 };
    for (const record of this.processMap.values()) {
      for (const loop of record.entities.loop.values()) {
        const counts = loop.info.tasksUnreported;
        if (!counts) continue;
        unreported.done += counts.done;
        unreported.failed += counts.failed;
        unreported.cancelled += counts.cancelled;
      }
    }
    return {
      processes: this.processMap.size + this.unprobedChildren(), ...this.counters,
      // Tasks a probe only counted (it describes at most so many ending at once) count too.
      tasksCreated: this.counters.tasksCreated + unreported.done + unreported.failed + unreported.cancelled,
      tasksFailed: this.counters.tasksFailed + unreported.failed,
      tasksCancelled: this.counters.tasksCancelled + unreported.cancelled,
      longestBlock: this.longest,
    };
  }

  /** Child processes known only from their parent's report: not Python or Node, or a forked
   * worker that ended within the probe's grace period. */
  private unprobedChildren(): number {
    let count = 0;
    for (const record of this.processMap.values()) {
      for (const child of record.entities.child.values()) if (child.info.pid === undefined || !this.processMap.has(child.info.pid)) count += 1;
    }
    return count;
  }

  /**
   * The run started a program (its supervisor says so at once): the run's root is known before the
   * program's probe, if it gets one, says hello.
   */
  addLaunched(spawn: Pick<SpawnFrame, 'pid' | 'argv' | 'cwd' | 'startedAt'>, ppid = 0): void {
    if (this.processMap.has(spawn.pid)) return;
    this.processMap.set(spawn.pid, {
      pid: spawn.pid, ppid, argv: spawn.argv, cwd: spawn.cwd, startedAt: spawn.startedAt,
      connected: false, droppedFrames: 0, entities: emptyEntities(), lag: new Map(), trace: new Map(),
    });
    this.batch((keys) => keys.add(runKey).add(processKey(spawn.pid)));
  }

  /**
   * A probed process said hello: adds it. A program the run launched takes its probe's details;
   * any other pid seen again starts over (e.g. after `exec`). `parentInRun`: its nearest ancestor in
   * the run when its parent is not in it (see {@link ProcessRecord.parentInRun}).
   */
  addProcess(hello: HelloFrame, parentInRun?: number): void {
    const known = this.processMap.get(hello.pid);
    const nesting = parentInRun !== undefined ? { parentInRun } : {};
    if (known && !known.connected && known.runtime === undefined && known.endedAt === undefined) {
      Object.assign(known, {
        ppid: known.ppid || hello.ppid, argv: hello.argv, cwd: hello.cwd ?? known.cwd, runtime: hello.runtime, processRole: hello.processRole,
        startedAt: Math.min(known.startedAt, hello.startedAt), connected: true, ...nesting,
      });
    } else {
      this.processMap.set(hello.pid, {
        pid: hello.pid, ppid: hello.ppid, ...nesting, argv: hello.argv, cwd: hello.cwd, runtime: hello.runtime, processRole: hello.processRole,
        startedAt: hello.startedAt, connected: true, droppedFrames: 0, entities: emptyEntities(), lag: new Map(), trace: new Map(),
      });
    }
    this.batch((keys) => {
      keys.add(runKey).add(processKey(hello.pid));
      const parent = this.parentOf(this.processMap.get(hello.pid)!);
      if (parent !== undefined) keys.add(processKey(parent));
    });
  }

  /** Applies a frame from the probe of `pid` (frames of unknown processes are ignored). */
  apply(pid: number, frame: ProbeFrame): void {
    const record = this.processMap.get(pid);
    if (!record) return;
    this.batch((keys) => {
      record.droppedFrames += frame.dropped ?? 0;
      switch (frame.kind) {
        case 'hello':
          return;
        case 'snapshot':
          this.noteSample(record, frame.t, keys);
          return this.applySnapshot(record, frame, keys);
        case 'delta':
          this.noteSample(record, frame.t, keys);
          return this.applyDelta(record, frame, keys);
        case 'blocked':
          return this.recordBlock(record, { pid, loopId: frame.loopId, threadId: frame.threadId, startedAt: frame.t - frame.durationMs, durationMs: frame.durationMs, stack: frame.stack, ongoing: frame.ongoing ?? false, ...(frame.gil ? { gil: true } : {}), ...(frame.systemCall ? { systemCall: frame.systemCall } : {}) }, keys);
        case 'trace':
          return this.applyTrace(record, frame, keys);
        case 'exit':
          record.exitCode = frame.exitCode ?? record.exitCode;
          record.signal = frame.signal ?? record.signal;
          record.endedAt = frame.t;
          if (frame.probeCpuMs !== undefined && frame.cpuMs !== undefined) record.probeCost = { probeCpuMs: frame.probeCpuMs, cpuMs: frame.cpuMs };
          keys.add(processKey(pid));
          return;
        case 'spawn':
        case 'reaped':
          return; // a supervisor's frames: see addLaunched and endProcess
      }
    });
  }

  /**
   * The blocked events of `pid` reported for a thread by a provisional id (one that held the GIL
   * before its probe could describe it) are that thread's, `threadId`.
   */
  renameBlockedThread(pid: number, provisionalId: string, threadId: string): void {
    const record = this.processMap.get(pid);
    if (!record) return;
    this.batch((keys) => {
      for (const event of this.blockEvents) {
        if (event.pid !== pid || event.threadId !== provisionalId) continue;
        event.threadId = threadId;
        keys.add(blocksKey(pid)).add(processKey(pid));
      }
    });
  }

  /**
   * `pid` has ended (its probe disconnected, or its supervisor or parent saw it exit): its threads
   * and tasks end with it, at its end time; an exit status that any source knows is kept.
   */
  endProcess(pid: number, time: number, exit?: ExitStatus): void {
    const record = this.processMap.get(pid);
    if (!record) return;
    this.batch((keys) => {
      record.connected = false;
      record.endedAt ??= time;
      // waitpid (the supervisor's, the parent's) knows best: it saw how the process really ended.
      if (exit && (exit.exitCode !== undefined || exit.signal !== undefined)) {
        record.exitCode = exit.exitCode;
        record.signal = exit.signal;
      }
      this.takeExitFromParent(record);
      this.endEverythingIn(record, keys);
      keys.add(processKey(pid));
    });
  }

  /**
   * The run is over (`time`, and how the program it started ended): every process still going is
   * ended then, with the child processes nobody probed. Views read the run as it was at that moment.
   */
  finish(time: number, exit: ExitStatus = {}, stillRunning = false): void {
    if (this.runOutcome) return;
    this.batch((keys) => {
      for (const record of this.processMap.values()) {
        if (record.endedAt === undefined || record.connected) this.endProcess(record.pid, time);
        for (const child of record.entities.child.values()) if (child.live) this.end(record, child, 'child', time, keys);
      }
      this.runOutcome = { endedAt: time, ...definedOnly(exit), ...(stillRunning ? { stillRunning } : {}) };
      keys.add(runKey);
    });
  }

  /** Applies several updates and fires one change for all of them. */
  batch(update: (keys: Set<string>) => void): void {
    const outer = this.pendingKeys === undefined;
    const keys = (this.pendingKeys ??= new Set());
    try {
      update(keys);
    } finally {
      if (outer) {
        this.pendingKeys = undefined;
        if (keys.size > 0) this.changeEmitter.fire({ keys });
      }
    }
  }

  dispose(): void {
    this.changeEmitter.dispose();
  }

  /** The whole run as plain JSON (histories and blocked events included), as it is at `now`. */
  toRecording(now = Date.now()): RunRecording {
    const list = <K extends EntityKind>(map: Map<string, TrackedEntity<K>>) =>
      [...map.values()].map(({ info, live, history, droppedIntervals }) => ({ info, live, history, droppedIntervals }));
    return {
      format: RECORDING_FORMAT,
      version: RECORDING_VERSION,
      ...(this.options.blockedThresholdMs !== undefined ? { blockedThresholdMs: this.options.blockedThresholdMs } : {}),
      processes: this.processes().map(({ entities, lag, trace, ...process }) => ({
        ...process, argv: [...process.argv],
        threads: list(entities.thread), tasks: list(entities.task), loops: list(entities.loop), children: list(entities.child),
        lag: [...lag.values()].map((history) => ({ ...history, times: [...history.times], lagMs: [...history.lagMs] })),
        ...(trace.size > 0 ? { trace: [...trace.values()].map(copyTrace) } : {}),
      })),
      blockedEvents: this.blockEvents.map((event) => ({ ...event })),
      counters: { ...this.counters },
      longestBlock: this.longest && { ...this.longest },
      ...(this.runOutcome ? { outcome: { ...this.runOutcome } } : { recordedAt: now }),
    };
  }

  /** Rebuilds a run from {@link toRecording}'s output (validate foreign input with `parseRunRecording` first). */
  static fromRecording(recording: RunRecording): RunModel {
    const model = new RunModel(recording.blockedThresholdMs !== undefined ? { blockedThresholdMs: recording.blockedThresholdMs } : {});
    const map = <K extends EntityKind>(kind: K, items: { info: EntityInfoByKind[K]; live: boolean; history: StateInterval[]; droppedIntervals: number }[]) =>
      new Map(items.map((item) => [item.info.id, { kind, ...item, history: item.history.map((interval) => ({ ...interval })) }]));
    for (const { threads, tasks, loops, children, lag = [], trace = [], ...process } of recording.processes) {
      model.processMap.set(process.pid, {
        ...process, argv: [...process.argv],
        entities: { thread: map('thread', threads), task: map('task', tasks), loop: map('loop', loops), child: map('child', children) },
        lag: new Map(lag.map((history) => [history.loopId, { ...history, times: [...history.times], lagMs: [...history.lagMs] }])),
        trace: new Map(trace.map((loop) => [loop.loopId, copyTrace(loop)])),
      });
    }
    for (const record of model.processMap.values()) {
      for (const child of record.entities.child.values()) if (child.info.pid !== undefined) model.childEntities.set(child.info.pid, { parentPid: record.pid, id: child.info.id });
    }
    model.blockEvents.push(...recording.blockedEvents.map((event) => ({ ...event })));
    Object.assign(model.counters, recording.counters);
    model.longest = recording.longestBlock && { ...recording.longestBlock };
    if (recording.outcome) {
      model.runOutcome = { ...recording.outcome };
    } else {
      // Made while the run went on (or before outcomes were recorded): it ends where it was made.
      const root = model.rootProcesses()[0];
      const endedAt = recording.recordedAt ?? model.lastTimeSeen();
      model.finish(endedAt, root ? { exitCode: root.exitCode, signal: root.signal } : {}, recording.recordedAt !== undefined);
    }
    return model;
  }

  /** The latest time anything in the run happened (for recordings that do not say when they end). */
  private lastTimeSeen(): number {
    let latest = 0;
    for (const record of this.processMap.values()) {
      latest = Math.max(latest, record.startedAt, record.endedAt ?? 0);
      for (const kind of ENTITY_KINDS) {
        for (const entity of record.entities[kind].values()) for (const interval of entity.history) latest = Math.max(latest, interval.start, interval.end ?? 0);
      }
      for (const history of record.lag.values()) latest = Math.max(latest, history.times[history.times.length - 1] ?? 0);
    }
    for (const event of this.blockEvents) latest = Math.max(latest, event.startedAt + event.durationMs);
    return latest;
  }

  /**
   * Trace mode: each slice makes its task's history exact (running from its start to its end,
   * pending between), and adds to its loop's busy time; the slowest callbacks are kept.
   */
  private applyTrace(record: ProcessRecord, frame: TraceFrame, keys: Set<string>): void {
    let trace = record.trace.get(frame.loopId);
    if (!trace) record.trace.set(frame.loopId, (trace = { loopId: frame.loopId, threadId: frame.threadId, bucketStart: [], busyMs: [], droppedBuckets: 0, callbacks: 0, busyMsTotal: 0, slow: [] }));
    trace.threadId = frame.threadId;
    const origin = frame.microseconds?.since ?? 0;
    const scale = frame.microseconds ? 0.001 : 1;
    for (let index = 0; index < frame.start.length; index += 1) {
      const start = origin + frame.start[index]! * scale;
      const duration = frame.duration[index]! * scale;
      addBusy(trace, start, duration);
      const taskId = frame.task[index]!;
      if (taskId === '') continue;
      const task = record.entities.task.get(taskId);
      if (task) {
        stepTask(task, start, start + duration);
        keys.add(entityKey(record.pid, 'task', taskId));
      } else {
        this.earlySlices(record.pid, taskId).push(start, start + duration);
      }
    }
    trace.callbacks += frame.start.length;
    if (frame.slow && frame.slow.length > 0) {
      trace.slow = [...trace.slow, ...frame.slow].sort((a, b) => b.durationMs - a.durationMs).slice(0, MAX_SLOW_CALLBACKS);
    }
    if (trace.bucketStart.length > MAX_TRACE_BUCKETS * 1.25) {
      const excess = trace.bucketStart.length - MAX_TRACE_BUCKETS;
      trace.bucketStart.splice(0, excess);
      trace.busyMs.splice(0, excess);
      trace.droppedBuckets += excess;
    }
    keys.add(traceKey(record.pid));
  }

  /** Slices of a task not described yet (pairs of start, end), bounded per task and in all. */
  private earlySlices(pid: number, taskId: string): number[] {
    const key = `${pid}/${taskId}`;
    let slices = this.pendingSlices.get(key);
    if (!slices) {
      if (this.pendingSlices.size >= MAX_ENDED_ENTITIES) this.pendingSlices.delete(this.pendingSlices.keys().next().value!);
      this.pendingSlices.set(key, (slices = []));
    }
    if (slices.length >= MAX_EARLY_SLICES_PER_TASK * 2) slices.splice(0, 2);
    return slices;
  }

  /** A traced task first described now (maybe already ended): its history from its creation, with the slices that came before it. */
  private replaySlices(pid: number, task: TrackedEntity<'task'>, state: string, endedAt: number | undefined): void {
    const key = `${pid}/${task.info.id}`;
    const slices = this.pendingSlices.get(key);
    if (!slices) return;
    this.pendingSlices.delete(key);
    task.history.splice(0, task.history.length, { state: 'pending', start: task.info.startedAt });
    const final = isFinal('task', state);
    for (let index = 0; index < slices.length; index += 2) {
      pushInterval(task, 'running', slices[index]!);
      // A task that has ended ended with its last step: no wait after it.
      if (!final || index + 2 < slices.length) pushInterval(task, 'pending', slices[index + 1]!);
    }
    if (final) pushInterval(task, state, Math.max(endedAt ?? 0, slices[slices.length - 1]!));
  }

  private noteSample(record: ProcessRecord, time: number, keys: Set<string>): void {
    record.sampledAt = Math.max(record.sampledAt ?? 0, time);
    keys.add(sampledKey(record.pid));
  }

  private applySnapshot(record: ProcessRecord, frame: SnapshotFrame, keys: Set<string>): void {
    for (const kind of ENTITY_KINDS) {
      const infos = (frame[FRAME_SET[kind]] ?? []) as EntityInfoByKind[typeof kind][];
      const present = new Set<string>();
      for (const info of infos) {
        present.add(info.id);
        this.upsert(record, kind, info, frame.t, keys);
      }
      for (const entity of record.entities[kind].values()) {
        if (entity.live && !present.has(entity.info.id)) this.end(record, entity, kind, frame.t, keys);
      }
    }
  }

  private applyDelta(record: ProcessRecord, frame: DeltaFrame, keys: Set<string>): void {
    for (const kind of ENTITY_KINDS) {
      for (const info of (frame.upsert?.[FRAME_SET[kind]] ?? []) as EntityInfoByKind[typeof kind][]) this.upsert(record, kind, info, frame.t, keys);
      for (const id of frame.remove?.[FRAME_SET[kind]] ?? []) {
        const entity = record.entities[kind].get(id);
        if (entity?.live) this.end(record, entity, kind, frame.t, keys);
      }
    }
  }

  private upsert<K extends EntityKind>(record: ProcessRecord, kind: K, info: EntityInfoByKind[K], time: number, keys: Set<string>): void {
    const entities = record.entities[kind] as Map<string, TrackedEntity<K>>;
    const existing = entities.get(info.id);
    const state = stateOf(kind, info);
    const endedAt = endOf(kind, info);
    keys.add(entityKey(record.pid, kind, info.id));
    if (kind === 'loop') recordLag(record, info as LoopInfo, time);
    if (kind === 'child') this.noteChild(record, info as ChildInfo, keys);
    if (!existing) {
      const entity: TrackedEntity<K> = { kind, info, live: true, history: [{ state, start: startOf(kind, info) ?? time }], droppedIntervals: 0 };
      entities.set(info.id, entity);
      keys.add(parentKey(record.pid, kind, info));
      this.countNew(kind, info);
      if (kind === 'task') this.replaySlices(record.pid, entity as TrackedEntity<'task'>, state, endedAt);
      if (endedAt !== undefined || isFinal(kind, state)) this.end(record, entity, kind, endedAt ?? time, keys);
      return;
    }
    const previousState = stateOf(kind, existing.info);
    if (kind === 'task' && previousState !== state) this.countOutcome(state);
    if (kind === 'task' && (existing.info as TaskInfo).threadId !== (info as TaskInfo).threadId) keys.add(parentKey(record.pid, kind, existing.info));
    existing.info = info;
    // A traced task's slices say exactly when it ran: the samples' pending/running is only a glimpse.
    const traced = kind === 'task' && record.trace.size > 0 && !isFinal(kind, state);
    if (previousState !== state && !traced) pushInterval(existing, state, endedAt ?? time);
    if (!existing.live) return;
    if (endedAt !== undefined || isFinal(kind, state)) this.end(record, existing, kind, endedAt ?? time, keys);
  }

  /**
   * An entity is no longer live (it said so, its probe stopped reporting it, or its process
   * ended): it reads as ended from now on, at `time` unless it said when — a thread as exited,
   * every age stopped.
   */
  private end<K extends EntityKind>(record: ProcessRecord, entity: TrackedEntity<K>, kind: K, time: number, keys: Set<string>): void {
    entity.live = false;
    finalize(entity, time);
    const last = entity.history[entity.history.length - 1];
    if (last && last.end === undefined) last.end = Math.max(last.start, time);
    keys.add(entityKey(record.pid, kind, entity.info.id)).add(parentKey(record.pid, kind, entity.info));
    const orderKey = `${record.pid}/${kind}`;
    let order = this.endedOrder.get(orderKey);
    if (!order) this.endedOrder.set(orderKey, (order = []));
    order.push(entity.info.id);
    if (order.length > MAX_ENDED_ENTITIES * 1.25) {
      // Evict in batches so the array shift stays amortised O(1).
      const entities = record.entities[kind];
      for (const id of order.splice(0, order.length - MAX_ENDED_ENTITIES)) if (entities.get(id)?.live === false) entities.delete(id);
    }
  }

  /**
   * A process's threads, tasks and loops end with it, at its end time (so every age stops there);
   * its threads are then exited. Its children are processes of their own: an orphan may go on.
   */
  private endEverythingIn(record: ProcessRecord, keys: Set<string>): void {
    const time = record.endedAt!;
    for (const [loopKey, block] of this.ongoingBlocks) {
      if (block.pid !== record.pid) continue;
      // Still blocked when its process ended (stopped, killed): it lasted until then.
      block.durationMs = Math.max(block.durationMs, time - block.startedAt);
      this.noteLongest(block);
      block.ongoing = false;
      this.ongoingBlocks.delete(loopKey);
      keys.add(blocksKey(record.pid));
    }
    for (const thread of record.entities.thread.values()) if (thread.live) this.end(record, thread, 'thread', time, keys);
    for (const task of record.entities.task.values()) if (task.live) this.end(record, task, 'task', time, keys);
    for (const loop of record.entities.loop.values()) if (loop.live) this.end(record, loop, 'loop', time, keys);
  }

  /** A process whose own probe sent no exit status takes the one its parent read (waitpid, join). */
  private takeExitFromParent(record: ProcessRecord): void {
    if (record.exitCode !== undefined || record.signal !== undefined) return;
    const child = this.describedByParent(record.pid);
    if (child?.endedAt === undefined) return;
    record.exitCode = child.exitCode;
    record.signal = child.signal;
  }

  /** A child process its parent reports: indexed by pid; once the parent saw it end, the probed process with that pid has ended too. */
  private noteChild(parent: ProcessRecord, child: ChildInfo, keys: Set<string>): void {
    if (child.pid === undefined) return;
    this.childEntities.set(child.pid, { parentPid: parent.pid, id: child.id });
    const probed = this.processMap.get(child.pid);
    if (!probed || probed === parent) return;
    keys.add(processKey(child.pid));
    if (child.endedAt !== undefined) this.endProcess(child.pid, child.endedAt, child);
  }

  private recordBlock(record: ProcessRecord, event: BlockedEvent, keys: Set<string>): void {
    // A loop blocks once at a time: frames marked ongoing update the same event until the final one.
    const loopKey = `${event.pid}/${event.loopId}`;
    const previous = this.ongoingBlocks.get(loopKey);
    if (event.ongoing) this.ongoingBlocks.set(loopKey, previous ?? event);
    else this.ongoingBlocks.delete(loopKey);
    if (previous) {
      previous.durationMs = Math.max(previous.durationMs, event.durationMs);
      // The stack dumped while a thread held the GIL beats the one its probe took once it could run again.
      if (event.stack.length > 0 && (event.gil || !previous.gil)) previous.stack = event.stack;
      previous.ongoing = event.ongoing;
      if (event.gil) previous.gil = true;
      if (event.systemCall) previous.systemCall = event.systemCall;
      this.noteLongest(previous);
    } else {
      this.blockEvents.push(event);
      if (this.blockEvents.length > MAX_BLOCKED_EVENTS) this.blockEvents.shift();
      this.counters.blocks += 1;
      this.noteLongest(event);
    }
    keys.add(blocksKey(record.pid)).add(processKey(record.pid));
  }

  private noteLongest(event: BlockedEvent): void {
    if (!this.longest || event.durationMs > this.longest.durationMs) this.longest = { ...event };
  }

  private countNew(kind: EntityKind, info: EntityInfoByKind[EntityKind]): void {
    if (kind === 'thread') this.counters.threads += 1;
    if (kind !== 'task') return;
    this.counters.tasksCreated += 1;
    this.countOutcome((info as TaskInfo).state);
  }

  private countOutcome(state: string): void {
    if (state === 'failed') this.counters.tasksFailed += 1;
    if (state === 'cancelled') this.counters.tasksCancelled += 1;
  }
}

/** The key that changes when a process's trace (its loops' busy time, slowest callbacks) changes. */
export function traceKey(pid: number): string {
  return `p:${pid}/trace`;
}

/** A traced task ran from `start` to `end`: running then, pending after. */
function stepTask(task: TrackedEntity<'task'>, start: number, end: number): void {
  const last = task.history[task.history.length - 1];
  if (!task.live || (last && last.start > start)) return; // it has ended, or the history already says more
  pushInterval(task, 'running', start);
  pushInterval(task, 'pending', end);
}

function addBusy(trace: LoopTrace, start: number, duration: number): void {
  trace.busyMsTotal += duration;
  let at = start;
  let left = duration;
  // A slice may cross buckets: each gets its part.
  while (left > 0 || at === start) {
    const bucket = Math.floor(at / TRACE_BUCKET_MS) * TRACE_BUCKET_MS;
    const part = Math.min(left, bucket + TRACE_BUCKET_MS - at);
    const last = trace.bucketStart.length - 1;
    if (last >= 0 && trace.bucketStart[last] === bucket) trace.busyMs[last]! += part;
    else if (last < 0 || trace.bucketStart[last]! < bucket) {
      trace.bucketStart.push(bucket);
      trace.busyMs.push(part);
    } else {
      // Out of order (frames of two ticks crossed): find its bucket.
      const index = lowerBound(trace.bucketStart, bucket);
      if (trace.bucketStart[index] === bucket) trace.busyMs[index]! += part;
      else {
        trace.bucketStart.splice(index, 0, bucket);
        trace.busyMs.splice(index, 0, part);
      }
    }
    at = bucket + TRACE_BUCKET_MS;
    left -= part;
    if (left <= 0) break;
  }
}

function lowerBound(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle]! < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

function copyTrace(trace: LoopTrace): LoopTrace {
  return { ...trace, bucketStart: [...trace.bucketStart], busyMs: [...trace.busyMs], slow: trace.slow.map((callback) => ({ ...callback })) };
}

function emptyEntities(): ProcessRecord['entities'] {
  return { thread: new Map(), task: new Map(), loop: new Map(), child: new Map() };
}

function definedOnly(exit: ExitStatus): ExitStatus {
  return { ...(exit.exitCode !== undefined ? { exitCode: exit.exitCode } : {}), ...(exit.signal !== undefined ? { signal: exit.signal } : {}) };
}

function recordLag(record: ProcessRecord, loop: LoopInfo, time: number): void {
  let history = record.lag.get(loop.id);
  if (!history) record.lag.set(loop.id, (history = { loopId: loop.id, threadId: loop.threadId, times: [], lagMs: [], droppedSamples: 0 }));
  history.threadId = loop.threadId;
  const last = history.times.length - 1;
  if (last >= 0 && history.times[last]! >= time) {
    // Two reports in one frame time (a snapshot and a delta): keep the larger lag.
    history.lagMs[last] = Math.max(history.lagMs[last]!, loop.lagMs);
    return;
  }
  history.times.push(time);
  history.lagMs.push(loop.lagMs);
  if (history.times.length > MAX_LAG_SAMPLES * 1.25) {
    // Trim in batches so the cost per sample stays amortised O(1).
    const excess = history.times.length - MAX_LAG_SAMPLES;
    history.times.splice(0, excess);
    history.lagMs.splice(0, excess);
    history.droppedSamples += excess;
  }
}

/** An ended entity's info as it reads from then on: a thread exited, and everything ended by `time` at the latest. */
function finalize(entity: TrackedEntity, time: number): void {
  switch (entity.kind) {
    case 'thread': {
      const info = entity.info as ThreadInfo;
      if (info.state === 'exited' && info.endedAt !== undefined) return;
      entity.info = { ...info, state: 'exited', endedAt: info.endedAt ?? time };
      pushInterval(entity, 'exited', info.endedAt ?? time);
      return;
    }
    case 'child': {
      const info = entity.info as ChildInfo;
      if (info.endedAt !== undefined) return;
      entity.info = { ...info, endedAt: time };
      pushInterval(entity, 'exited', time);
      return;
    }
    case 'task': {
      const info = entity.info as TaskInfo;
      if (info.endedAt === undefined) entity.info = { ...info, endedAt: time };
      return;
    }
    case 'loop':
      return;
  }
}

function pushInterval(entity: TrackedEntity, state: string, time: number): void {
  const last = entity.history[entity.history.length - 1];
  if (last && last.end === undefined) last.end = Math.max(last.start, time);
  entity.history.push({ state, start: time });
  if (entity.history.length > MAX_INTERVALS_PER_ENTITY) {
    entity.history.shift();
    entity.droppedIntervals += 1;
  }
}

function stateOf(kind: EntityKind, info: EntityInfoByKind[EntityKind]): string {
  switch (kind) {
    case 'thread':
      return (info as ThreadInfo).state;
    case 'task':
      return (info as TaskInfo).state;
    case 'child':
      return (info as ChildInfo).endedAt === undefined ? 'running' : 'exited';
    case 'loop':
      return 'running';
  }
}

function isFinal(kind: EntityKind, state: string): boolean {
  return kind === 'task' ? state === 'done' || state === 'cancelled' || state === 'failed' : state === 'exited';
}

function startOf(kind: EntityKind, info: EntityInfoByKind[EntityKind]): number | undefined {
  return kind === 'loop' ? undefined : (info as ThreadInfo | TaskInfo | ChildInfo).startedAt;
}

function endOf(kind: EntityKind, info: EntityInfoByKind[EntityKind]): number | undefined {
  return kind === 'loop' ? undefined : (info as ThreadInfo | TaskInfo | ChildInfo).endedAt;
}

/** The node that lists an entity: a task under its thread, the rest under the process. */
function parentKey(pid: number, kind: EntityKind, info: EntityInfoByKind[EntityKind]): string {
  return kind === 'task' ? entityKey(pid, 'thread', (info as TaskInfo).threadId) : processKey(pid);
}
