/**
 * Conditions over a finished run that make `concurrency-lens record --fail-on …` fail, so that
 * concurrency goes into CI assertions ("no event-loop block over 100 ms during the test suite").
 * One table: a condition is an id, a line of help and a check over the run's model; add a row to
 * add a condition.
 */
import type { SourceLocation, TaskInfo } from '../probe/protocol';
import { COROUTINE_RESULT_CALL, POPEN_PIPE_CALL, type Waiter, type WithItemsOf } from './waitGraph';
import type { RunModel } from './runModel';
import { diagnose, failedProcesses, type StuckReport, type StuckStep } from './stuck';
import { blockingFrame, exitKind, formatDuration, isLibraryFile, processLabel, signalName, systemCallWords, taskOutcome } from './treeShape';

export interface FailContext {
  /** Blocks shorter than this do not count (the probes report none shorter anyway). */
  readonly blockedThresholdMs: number;
  /** The `with` items of the program's Python files (who holds a plain lock); unknown without. */
  readonly withItemsOf?: WithItemsOf;
}

export interface FailCondition {
  readonly id: string;
  /** One line for `--help`. */
  readonly help: string;
  /** One line per case that makes the condition hold; none when it does not. */
  check(model: RunModel, context: FailContext): string[];
}

export const FAIL_CONDITIONS: readonly FailCondition[] = [
  {
    id: 'blocked-loop',
    help: 'an event loop was blocked for the threshold (--blocked-threshold-ms) or longer, or a Python thread held the GIL that long in C code',
    check: (model, { blockedThresholdMs }) => model.blockedEvents()
      .filter((event) => event.durationMs >= blockedThresholdMs)
      .map((event) => `${event.gil ? `GIL held by ${model.threadName(event.pid, event.threadId) ?? event.threadId}` : 'event loop blocked'} for ${formatDuration(event.durationMs)}${at(blockingFrame(event.stack, (file) => !isLibraryFile(file)))}${event.systemCall ? ` ${systemCallWords(event.systemCall)}` : ''} (pid ${event.pid})`),
  },
  {
    id: 'failed-task',
    help: 'an asyncio task ended with an exception',
    check: (model) => tasks(model).filter(({ task }) => task.state === 'failed')
      .map(({ pid, task }) => `task ${task.name} (${task.coroutine}) failed: ${(task.exception ?? '').split('\n')[0]}${at(task.raisedAt)} (pid ${pid})`),
  },
  {
    id: 'unfinished-task',
    help: 'an asyncio task was still pending when its process ended (never awaited to the end)',
    check: (model) => tasks(model).filter(({ task, live }) => !live && taskOutcome(task) === 'unfinished')
      .map(({ pid, task }) => `task ${task.name} (${task.coroutine}) never finished${at(task.suspendedAt ?? task.createdAt)} (pid ${pid})`),
  },
  {
    id: 'failed-process',
    help: 'a process of the run exited with a non-zero code or was killed by a crash signal',
    check: (model) => model.processes().filter((record) => exitKind(record) === 'failed')
      .map((record) => `process ${record.pid} (${processLabel(record.argv)}) ${record.signal !== undefined ? `killed by ${signalName(record.signal)}` : `exited with code ${record.exitCode}`}`),
  },
  {
    id: 'deadlock',
    help: 'the run got stuck: a wait-for cycle (lock order, await cycle, joins…) or everything waiting with nothing to wake it (the run is stopped then)',
    check: (model, { withItemsOf }) => diagnose(model, withItemsOf ?? (() => undefined)).map((report) => deadlockWords(report, model)),
  },
];

/** A stuck report in one line of plain English (the CLI is not localized): each waiter, what it waits on and where. */
function deadlockWords(report: StuckReport, model: RunModel): string {
  const steps = report.steps.map(({ waiter, next }, index) => {
    const wait = waiter.wait;
    const on = next ? cycleTarget(waiter, next) : waitTarget(waiter, model);
    // In a cycle, what this waiter holds is what the previous one waits for: under the name its own code gives it.
    const previous = report.kind === 'cycle' ? report.steps[(index + report.steps.length - 1) % report.steps.length] : undefined;
    const held = previous?.next?.reason.kind === 'holds' ? previous.next.reason : undefined;
    return `${waiter.name}${held ? ` holds ${held.expression} (line ${held.at.line}) and` : ''} waits for ${on}${at(wait?.at)}`;
  });
  const failed = failedProcesses(model).map((process) => `${process.name} (pid ${process.pid}) ended ${process.signal !== undefined ? `by ${signalName(process.signal)}` : `with exit code ${process.exitCode}`}`);
  return `${report.kind === 'cycle' ? `${report.pattern} deadlock` : 'stuck, nothing can wake it'}: ${steps.join('; ')}${failed.length > 0 ? ` — before it, ${failed.join(', ')}` : ''}`;
}

/** What a waiter in a cycle waits for: the next waiter, and the lock it holds or the coroutine its loop would run. */
function cycleTarget(waiter: Waiter, next: NonNullable<StuckStep['next']>): string {
  if (next.reason.kind === 'holds') return `${waiter.wait?.name ?? next.reason.expression} held by ${next.to.name}`;
  if (next.reason.kind === 'runs' && waiter.wait?.call === COROUTINE_RESULT_CALL) {
    return next.to.key === waiter.key ? 'a coroutine on its own event loop, which cannot run while it waits' : `a coroutine on the event loop of ${next.to.name}`;
  }
  if (next.reason.kind === 'full-pipe') return `${next.to.name} to read the full pipe it writes to`;
  if (next.reason.kind === 'exits') return waiter.wait?.call?.startsWith(POPEN_PIPE_CALL) ? `${next.to.name} (blocked in ${waiter.wait.call})` : `${next.to.name} to exit`;
  return next.to.name;
}

/** What a waiter outside a cycle waits for, by name where the run knows it: the thread it joins, the tasks it awaits. */
function waitTarget({ pid, wait }: Waiter, model: RunModel): string {
  const threadName = (id: string) => model.threadName(pid, id) ?? id;
  const taskNames = (ids: readonly string[]) => ids.map((id) => model.process(pid)?.entities.task.get(id)?.info.name ?? id).join(', ');
  if (!wait) return 'something';
  if (wait.kind === 'join' && wait.threadId !== undefined) return `thread ${threadName(wait.threadId)} to end`;
  if (wait.kind === 'process-join' && wait.pid !== undefined) return `process ${wait.pid} to exit`;
  if ((wait.kind === 'future' || wait.kind === 'executor') && wait.threadId !== undefined) return `a result from ${threadName(wait.threadId)}`;
  if (wait.taskIds !== undefined && wait.taskIds.length > 0) return `${wait.kind === 'gather' ? 'all of ' : ''}task ${taskNames(wait.taskIds)}`;
  if (wait.kind === 'loop-idle') return 'events on its idle event loop';
  if (wait.kind === 'top-level-await') return 'a promise it awaited at the top level of its module, which nothing could settle (Node.js ended it with exit code 13)';
  return wait.name ?? wait.call ?? wait.kind;
}

export const FAIL_CONDITION_IDS: readonly string[] = FAIL_CONDITIONS.map((condition) => condition.id);

export interface HeldCondition {
  readonly id: string;
  readonly cases: readonly string[];
}

/** The conditions among `ids` that held over the run, with their cases; unknown ids are the caller's to refuse. */
export function heldConditions(model: RunModel, ids: readonly string[], context: FailContext): HeldCondition[] {
  return FAIL_CONDITIONS.filter((condition) => ids.includes(condition.id))
    .map((condition) => ({ id: condition.id, cases: condition.check(model, context) }))
    .filter((held) => held.cases.length > 0);
}

function at(location: SourceLocation | undefined): string {
  return location ? ` at ${location.file}:${location.line}` : '';
}

function tasks(model: RunModel): { pid: number; live: boolean; task: TaskInfo }[] {
  return model.processes().flatMap((record) => [...record.entities.task.values()].map((entity) => ({ pid: record.pid, live: entity.live, task: entity.info })));
}
