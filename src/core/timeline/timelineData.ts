import { type BlockedEvent, type LagHistory, type LoopTrace, type ProcessRecord, type RunModel, type StateInterval, TRACE_BUCKET_MS, type TrackedEntity } from '../runs/runModel';
import type { SlowCallback, SourceLocation } from '../probe/protocol';
import { exitKind, isRuntimeInternal, processTitle } from '../runs/treeShape';

/**
 * The timeline of a run: one lane per process, thread or worker, task and unprobed child process,
 * each a sequence of state spans over time, plus marks where a loop was blocked. Derived from the
 * run model's state histories, so a live run and an opened recording draw the same way. It crosses
 * to the webview as is: the spans are columns of typed arrays (one per field), which `postMessage`
 * copies as whole buffers instead of serializing 100k objects.
 */
export const TIMELINE_STATES = ['running', 'waiting', 'blocked', 'done', 'failed', 'cancelled'] as const;
export type TimelineState = (typeof TIMELINE_STATES)[number];

/**
 * `lag` is the event-loop lag strip drawn under the lane of the thread that runs the loop; `busy`
 * (trace mode) how busy the loop was, under the same thread.
 */
export const LANE_KINDS = ['process', 'thread', 'worker', 'task', 'child', 'lag', 'busy'] as const;
export type LaneKind = (typeof LANE_KINDS)[number];

export interface TimelineSource {
  readonly file: string;
  readonly line: number;
}

export interface TimelineLane {
  /** Unique within the timeline (the run model's entity key). */
  readonly id: string;
  readonly kind: LaneKind;
  /** Nesting: 0 process, 1 its threads and children, 2 tasks. */
  readonly depth: number;
  readonly pid: number;
  /** Program data (names, commands): always shown as text. */
  readonly label: string;
  readonly source?: TimelineSource;
  /** How it ended when that needs words (a failed task's exception): program data, shown as text. */
  readonly detail?: string;
}

/** One span, as {@link spanOf} reads it from the columns. */
export interface TimelineSpan {
  /** Index into `lanes`. */
  readonly lane: number;
  readonly start: number;
  /** Equal to `start` for an instant end state (done, failed, cancelled). */
  readonly end: number;
  readonly state: TimelineState;
}

export interface TimelineMark {
  readonly lane: number;
  /** When the loop stopped answering. */
  readonly time: number;
  readonly durationMs: number;
  /** Innermost frame of the program's own code while blocked, when known. */
  readonly source?: TimelineSource;
  readonly functionName?: string;
  /** A Python thread held the GIL inside C code (nothing else in its process ran), not only its loop. */
  readonly gil?: boolean;
}

/**
 * All spans, as columns: span `i` runs from `start[i]` to `end[i]` (equal for an instant end state)
 * in state `TIMELINE_STATES[state[i]]`. The spans of lane `l` are `laneStart[l]` up to
 * `laneStart[l + 1]`, in order of time, never overlapping.
 */
export interface TimelineSpans {
  /** One more entry than there are lanes; the last is the number of spans. */
  readonly laneStart: Uint32Array;
  readonly start: Float64Array;
  readonly end: Float64Array;
  readonly state: Uint8Array;
}

/**
 * The lag history of one event loop, shown in its own (`lag`) lane, with the loop's blocks on the
 * same strip: a block is a lag that lasted its duration, so the strip and the blocks never disagree
 * (even where a probe's samples missed a block).
 */
export interface TimelineLag {
  /** Index of its `lag` lane in `lanes`. */
  readonly lane: number;
  /** Index of the lane of the thread that runs the loop. */
  readonly threadLane: number;
  readonly loopId: string;
  /** Sample times (ms since the epoch) and lags, oldest first. */
  readonly time: Float64Array;
  readonly lagMs: Float64Array;
  /** The loop's blocks: when each began (ms since the epoch) and how long it lasted, oldest first. */
  readonly blockStart: Float64Array;
  readonly blockMs: Float64Array;
  /** The largest lag: of the samples and of the blocks. */
  readonly maxMs: number;
  /** 95th percentile of the samples (nearest rank). */
  readonly p95Ms: number;
}

/** Trace mode: how busy one event loop was, in its own (`busy`) lane. */
export interface TimelineBusy {
  readonly lane: number;
  readonly threadLane: number;
  readonly loopId: string;
  /** The end of each bucket (ms since the epoch) and the share of it the loop ran callbacks, in percent; a 0 where each run of busy buckets starts. */
  readonly time: Float64Array;
  readonly percent: Float64Array;
  /** Over the time it was traced. */
  readonly busyPercent: number;
  readonly callbacks: number;
}

/** Trace mode: one of the callbacks that held their loop longest. */
export interface TimelineSlowCallback {
  /** The lane of the thread that runs the loop. */
  readonly threadLane: number;
  readonly start: number;
  readonly durationMs: number;
  /** Program data (a task's name and coroutine, a function's name): shown as text. */
  readonly callback: string;
  readonly source?: TimelineSource;
}

export interface TimelineData {
  /** ms since the Unix epoch, the probes' clock. */
  readonly start: number;
  readonly end: number;
  readonly live: boolean;
  readonly lanes: readonly TimelineLane[];
  readonly spans: TimelineSpans;
  readonly marks: readonly TimelineMark[];
  readonly lags: readonly TimelineLag[];
  /** Trace mode: how busy each loop was. */
  readonly busy: readonly TimelineBusy[];
  /** Trace mode: the callbacks that held their loop longest, slowest first. */
  readonly slowCallbacks: readonly TimelineSlowCallback[];
  /** The blocked-loop threshold of the run, when known: the line across the lag strips. */
  readonly blockedThresholdMs?: number;
}

/** The state colour of a probe state (`exited` of a thread or child that failed reads as failed). */
export function timelineState(state: string, failedExit = false): TimelineState | undefined {
  switch (state) {
    case 'running':
      return 'running';
    case 'waiting':
    case 'pending':
      return 'waiting';
    case 'blocked':
      return 'blocked';
    case 'done':
    case 'exited':
      return failedExit ? 'failed' : 'done';
    case 'failed':
      return 'failed';
    case 'cancelled':
      return 'cancelled';
    default:
      return undefined;
  }
}

/** Span `index` as an object (for hit-testing and tables: never in a loop over all spans). */
export function spanOf(spans: TimelineSpans, lane: number, index: number): TimelineSpan {
  return { lane, start: spans.start[index]!, end: spans.end[index]!, state: TIMELINE_STATES[spans.state[index]!]! };
}

/** The spans of `lane` as objects. */
export function laneSpans(data: TimelineData, lane: number): TimelineSpan[] {
  const spans: TimelineSpan[] = [];
  for (let index = data.spans.laneStart[lane]!; index < data.spans.laneStart[lane + 1]!; index += 1) spans.push(spanOf(data.spans, lane, index));
  return spans;
}

const STATE_INDEX = new Map<TimelineState, number>(TIMELINE_STATES.map((state, index) => [state, index]));

/**
 * Builds the timeline of `model` as of `now` (open spans end there). Processes are in tree order
 * (children after their parent), each followed by its threads (by start), the tasks of each thread,
 * then the child processes that have no probe of their own.
 */
export function buildTimeline(model: RunModel, now: number, live: boolean): TimelineData {
  const lanes: TimelineLane[] = [];
  const laneStart: number[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  const states: number[] = [];
  const marks: TimelineMark[] = [];
  const lags: TimelineLag[] = [];
  const busy: TimelineBusy[] = [];
  const slow: { threadLane: number; callback: SlowCallback }[] = [];
  let start = Number.POSITIVE_INFINITY;
  let end = 0;
  const probedPids = new Set(model.processes().map((record) => record.pid));

  const addLane = (lane: TimelineLane, history: readonly StateInterval[], failedExit: boolean): number => {
    const index = lanes.push(lane) - 1;
    laneStart.push(starts.length);
    for (const interval of history) {
      const state = timelineState(interval.state, failedExit);
      if (!state) continue;
      const spanEnd = interval.end ?? Math.max(interval.start, now);
      starts.push(interval.start);
      ends.push(spanEnd);
      states.push(STATE_INDEX.get(state)!);
      start = Math.min(start, interval.start);
      end = Math.max(end, spanEnd);
    }
    return index;
  };

  const addProcess = (record: ProcessRecord): void => {
    const processEnd = record.endedAt ?? (record.connected ? now : record.startedAt);
    const failed = exitKind(record) === 'failed';
    const history: StateInterval[] = [{ state: 'running', start: record.startedAt, end: processEnd }];
    if (record.endedAt !== undefined) history.push({ state: 'exited', start: record.endedAt, end: record.endedAt });
    addLane({ id: `p:${record.pid}`, kind: 'process', depth: 0, pid: record.pid, label: processLabel(model, record) }, history, failed);

    const threadLanes = new Map<string, number>();
    const threads = sortByStart([...record.entities.thread.values()]);
    const tasksByThread = groupTasks(record);
    for (const thread of threads) {
      const { info } = thread;
      const failedExit = info.exitCode !== undefined && info.exitCode !== 0;
      const lane = addLane(
        { id: laneId(record.pid, thread), kind: info.kind === 'worker' ? 'worker' : 'thread', depth: 1, pid: record.pid, label: info.name, ...sourceOf(info.location) },
        thread.history,
        failedExit,
      );
      threadLanes.set(info.id, lane);
      for (const history of record.lag.values()) {
        if (history.threadId !== info.id || history.times.length === 0) continue;
        const lagLane = addLane({ id: `${laneId(record.pid, thread)}/lag:${history.loopId}`, kind: 'lag', depth: 2, pid: record.pid, label: info.name }, [], false);
        const blocks = model.blockedEvents().filter((event) => event.pid === record.pid && event.loopId === history.loopId);
        lags.push(timelineLag(lagLane, lane, history, blocks));
        start = Math.min(start, history.times[0]!);
        end = Math.max(end, history.times[history.times.length - 1]!);
      }
      for (const trace of record.trace.values()) {
        if (trace.threadId !== info.id || trace.bucketStart.length === 0) continue;
        const busyLane = addLane({ id: `${laneId(record.pid, thread)}/busy:${trace.loopId}`, kind: 'busy', depth: 2, pid: record.pid, label: info.name }, [], false);
        busy.push(timelineBusy(busyLane, lane, trace));
        for (const callback of trace.slow) slow.push({ threadLane: lane, callback });
      }
      for (const task of tasksByThread.get(info.id) ?? []) addTask(record, task);
    }
    for (const [threadId, tasks] of tasksByThread) if (!threadLanes.has(threadId)) for (const task of tasks) addTask(record, task);

    for (const child of sortByStart([...record.entities.child.values()])) {
      if (child.info.pid !== undefined && probedPids.has(child.info.pid)) continue; // shown as a process of its own
      const failedExit = exitKind(child.info) === 'failed';
      const name = child.info.name ?? child.info.command;
      const label = child.info.pid === undefined ? name : `${name} (${child.info.pid})`;
      addLane({ id: laneId(record.pid, child), kind: 'child', depth: 1, pid: record.pid, label }, child.history, failedExit);
    }

    for (const event of model.blockedEvents()) {
      if (event.pid !== record.pid) continue;
      const lane = threadLanes.get(event.threadId);
      if (lane !== undefined) marks.push(blockedMark(lane, event));
    }
    for (const child of model.childProcesses(record.pid)) addProcess(child);
  };

  const addTask = (record: ProcessRecord, task: TrackedEntity<'task'>): void => {
    const { info } = task;
    const label = info.coroutine && info.coroutine !== info.name ? `${info.name} · ${info.coroutine}` : info.name;
    const detail = info.exception !== undefined ? { detail: info.exception } : {};
    addLane({ id: laneId(record.pid, task), kind: 'task', depth: 2, pid: record.pid, label, ...sourceOf(info.raisedAt ?? info.suspendedAt ?? info.createdAt), ...detail }, task.history, false);
  };

  for (const root of model.rootProcesses()) addProcess(root);
  if (!Number.isFinite(start)) start = end = now;
  laneStart.push(starts.length);
  const spans: TimelineSpans = {
    laneStart: Uint32Array.from(laneStart), start: Float64Array.from(starts), end: Float64Array.from(ends), state: Uint8Array.from(states),
  };
  const threshold = model.options.blockedThresholdMs;
  const slowCallbacks = slow.sort((a, b) => b.callback.durationMs - a.callback.durationMs).slice(0, SLOW_CALLBACKS_SHOWN).map(({ threadLane, callback }) => ({
    threadLane, start: callback.start, durationMs: callback.durationMs, callback: callback.callback, ...sourceOf(callback.location),
  }));
  return { start, end: Math.max(end, start), live, lanes, spans, marks, lags, busy, slowCallbacks, ...(threshold !== undefined ? { blockedThresholdMs: threshold } : {}) };
}

/** The slowest callbacks the timeline lists. */
export const SLOW_CALLBACKS_SHOWN = 20;

/** A loop's busy buckets as a strip: each bucket's share in percent, a zero before each run of consecutive buckets (where it starts). */
function timelineBusy(lane: number, threadLane: number, trace: LoopTrace): TimelineBusy {
  const time: number[] = [];
  const percent: number[] = [];
  for (let index = 0; index < trace.bucketStart.length; index += 1) {
    const bucket = trace.bucketStart[index]!;
    if (index === 0 || trace.bucketStart[index - 1]! + TRACE_BUCKET_MS < bucket) {
      time.push(bucket);
      percent.push(0);
    }
    time.push(bucket + TRACE_BUCKET_MS);
    percent.push(Math.min(100, (trace.busyMs[index]! / TRACE_BUCKET_MS) * 100));
  }
  const span = trace.bucketStart[trace.bucketStart.length - 1]! + TRACE_BUCKET_MS - trace.bucketStart[0]!;
  return {
    lane, threadLane, loopId: trace.loopId, time: Float64Array.from(time), percent: Float64Array.from(percent),
    busyPercent: Math.min(100, (trace.busyMsTotal / span) * 100), callbacks: trace.callbacks,
  };
}

function timelineLag(lane: number, threadLane: number, history: LagHistory, blocks: readonly BlockedEvent[]): TimelineLag {
  const sorted = Float64Array.from(history.lagMs).sort();
  const blockMs = Float64Array.from(blocks, (event) => event.durationMs);
  return {
    lane, threadLane, loopId: history.loopId,
    time: Float64Array.from(history.times), lagMs: Float64Array.from(history.lagMs),
    blockStart: Float64Array.from(blocks, (event) => event.startedAt), blockMs,
    maxMs: Math.max(sorted[sorted.length - 1] ?? 0, ...blockMs), p95Ms: percentile(sorted, 0.95),
  };
}

/** Nearest-rank percentile of ascending `sorted` (0 when empty). */
export function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))]!;
}

/** Its name where the program gave it one (a `multiprocessing` worker), else its script, and its pid. */
function processLabel(model: RunModel, record: ProcessRecord): string {
  const name = processTitle(model, record).name;
  const script = record.argv.slice(1).find((arg) => !arg.startsWith('-')) ?? record.argv[0] ?? record.runtime?.name ?? '';
  return `${name ?? basename(script)} (${record.pid})`;
}

function basename(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}

function laneId(pid: number, entity: TrackedEntity): string {
  return `p:${pid}/${entity.kind}:${entity.info.id}`;
}

function sortByStart<K extends 'thread' | 'child'>(entities: TrackedEntity<K>[]): TrackedEntity<K>[] {
  return entities.sort((a, b) => (a.history[0]?.start ?? 0) - (b.history[0]?.start ?? 0));
}

function groupTasks(record: ProcessRecord): Map<string, TrackedEntity<'task'>[]> {
  const groups = new Map<string, TrackedEntity<'task'>[]>();
  for (const task of record.entities.task.values()) {
    let group = groups.get(task.info.threadId);
    if (!group) groups.set(task.info.threadId, (group = []));
    group.push(task);
  }
  for (const group of groups.values()) group.sort((a, b) => (a.history[0]?.start ?? 0) - (b.history[0]?.start ?? 0));
  return groups;
}

function sourceOf(location: SourceLocation | undefined): { source?: TimelineSource } {
  return location ? { source: { file: location.file, line: location.line } } : {};
}

/** The innermost frame of the program's own code (not the runtime's internals). */
export function programFrame(stack: readonly SourceLocation[]): SourceLocation | undefined {
  for (let index = stack.length - 1; index >= 0; index -= 1) {
    const frame = stack[index]!;
    if (!isRuntimeInternal(frame.file)) return frame;
  }
  return undefined;
}

function blockedMark(lane: number, event: BlockedEvent): TimelineMark {
  const frame = programFrame(event.stack);
  return {
    lane,
    time: event.startedAt,
    durationMs: event.durationMs,
    ...sourceOf(frame),
    ...(frame?.function ? { functionName: frame.function } : {}),
    ...(event.gil ? { gil: true } : {}),
  };
}
