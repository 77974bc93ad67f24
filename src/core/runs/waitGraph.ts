/**
 * The wait-for graph of a run: who waits for whom, across the threads, asyncio tasks and processes
 * of every process, as the probes last sampled them. Read from the run model (pure; the model is
 * the one source of truth): each waiting thread or task points at what can end its wait — the
 * thread that holds the lock it wants, the thread it joins, the tasks it awaits, the process it
 * waits to exit; a process points at its main thread (it exits when that ends).
 *
 * A plain lock's owner is unknown to the runtime: the holders are the threads and tasks whose own
 * frames are inside `with <expression>:` where that expression names the same object (the probe
 * reports the lock-like objects each frame names; the syntax tree says which `with` bodies the
 * frame's line is in).
 */
import type { SourceLocation, StackFrame, WaitInfo } from '../probe/protocol';
import { itemsEnteredAt, type WithItem } from '../syntax/withBlocks';
import type { ProcessRecord, RunModel, TrackedEntity } from './runModel';
import { processTitle } from './treeShape';

/** How long a waiter must have waited on the same thing, as of its process's last sample, to be settled in that wait. */
export const SETTLED_MS = 1000;

/** The `with` items of a source file, once known (undefined while not read). */
export type WithItemsOf = (file: string) => readonly WithItem[] | undefined;

export type WaiterKind = 'thread' | 'task' | 'process';

export interface Waiter {
  readonly key: string;
  readonly kind: WaiterKind;
  readonly pid: number;
  /** The thread or task id; a process's pid as text. */
  readonly id: string;
  readonly name: string;
  /** What it waits on; undefined when it runs (or, for a process, always). */
  readonly wait?: WaitInfo;
  /** It has waited on this for at least {@link SETTLED_MS}, as of its process's last sample. */
  readonly settled: boolean;
  /** A thread the interpreter does not wait for at exit. */
  readonly daemon?: boolean;
  /** A task's loop thread. */
  readonly threadId?: string;
}

/** Why one waiter waits for another. */
export type WaitReason =
  /** The target's frame is inside `with <expression>:` (at `at`) holding the lock waited for. */
  | { readonly kind: 'holds'; readonly expression: string; readonly at: SourceLocation }
  /** The runtime knows the target owns the lock (an RLock's owner). */
  | { readonly kind: 'owns' }
  | { readonly kind: 'joins' }
  | { readonly kind: 'awaits' }
  /** The target (a pool thread) runs the work waited for. */
  | { readonly kind: 'runs' }
  /** Waiting for the target process to exit. */
  | { readonly kind: 'exits' }
  /** A process exits when its main thread ends. */
  | { readonly kind: 'main-thread' }
  /** Blocked writing to a pipe or queue that only the target (the parent process) reads. */
  | { readonly kind: 'reads' }
  /** The (child) process cannot exit: the pipe it writes to is full, and only the target reads it. */
  | { readonly kind: 'full-pipe' };

export interface WaitEdge {
  readonly from: string;
  readonly to: string;
  readonly reason: WaitReason;
}

export interface WaitGraph {
  readonly waiters: ReadonlyMap<string, Waiter>;
  readonly edges: readonly WaitEdge[];
  edgesFrom(key: string): readonly WaitEdge[];
  edgesTo(key: string): readonly WaitEdge[];
}

export function threadKey(pid: number, id: string): string {
  return `thread:${pid}/${id}`;
}
export function taskKey(pid: number, id: string): string {
  return `task:${pid}/${id}`;
}
export function processWaiterKey(pid: number): string {
  return `process:${pid}`;
}

/** The call of a Python thread's wait for a coroutine it handed an event loop (`run_coroutine_threadsafe(…).result()`): its `threadId` runs that loop. */
export const COROUTINE_RESULT_CALL = 'run_coroutine_threadsafe().result';

/** How the call of a Python thread blocked on a child's pipe begins (`Popen.stdin.write`, `Popen.stdout.read`): its `pid` is that child. */
export const POPEN_PIPE_CALL = 'Popen.std';

/** What a lock wait waits for when the runtime knows no owner: only these kinds can be held by a `with`. */
const HELD_KINDS: ReadonlySet<WaitInfo['kind']> = new Set(['lock', 'semaphore']);
/** Lock types a holder may enter again (no deadlock with itself). */
const REENTRANT_TYPES: ReadonlySet<string> = new Set(['RLock', '_RLock']);

/**
 * Whether an entity's info is what its process looked like at its last sample: live, or ended at
 * or after that sample (with its process, when the run ended).
 */
export function currentAtLastSample(record: ProcessRecord, entity: TrackedEntity<'thread'> | TrackedEntity<'task'>): boolean {
  if (entity.live) return true;
  const endedAt = entity.info.endedAt;
  return record.sampledAt !== undefined && endedAt !== undefined && endedAt >= record.sampledAt;
}

/** A process that ended this close to the run's end ended with it (stopped), not on its own. */
const ENDED_WITH_RUN_MS = 2000;

/** Whether a process that ended at `endedAt` ended with the run (its stop): the run reads as it was then. */
export function endedWithRun(model: RunModel, endedAt: number): boolean {
  return model.outcome !== undefined && endedAt >= model.outcome.endedAt - ENDED_WITH_RUN_MS;
}

/**
 * When a debugger held the run paused (see pauses.ts): a paused program's threads wait on the
 * debugger, so no wait settles while it is paused, and one counts only from the moment it went on.
 */
export interface PauseState {
  readonly isPaused: boolean;
  readonly lastResumedAt: number | undefined;
}

function isSettled(record: ProcessRecord, wait: WaitInfo | undefined, pauses: PauseState | undefined): boolean {
  if (wait === undefined || record.sampledAt === undefined || pauses?.isPaused) return false;
  return record.sampledAt - Math.max(wait.since, pauses?.lastResumedAt ?? -Infinity) >= SETTLED_MS;
}

/** The files of the frames the probes sent (their `with` blocks tell who holds a plain lock). */
export function stackFiles(model: RunModel): string[] {
  const files: string[] = [];
  for (const record of model.processes()) {
    for (const entity of [...record.entities.thread.values(), ...record.entities.task.values()]) {
      for (const frame of entity.info.stack ?? []) files.push(frame.file);
    }
  }
  return files;
}

/** The wait-for graph of `model` as its processes were last sampled (`pauses`: when a debugger held it). */
export function buildWaitGraph(model: RunModel, withItemsOf: WithItemsOf, pauses?: PauseState): WaitGraph {
  const waiters = new Map<string, Waiter>();
  const edges: WaitEdge[] = [];
  const stacks: { key: string; pid: number; stack: readonly StackFrame[]; wait?: WaitInfo }[] = [];

  for (const record of model.processes()) {
    const title = processTitle(model, record);
    waiters.set(processWaiterKey(record.pid), { key: processWaiterKey(record.pid), kind: 'process', pid: record.pid, id: String(record.pid), name: title.name ?? title.command, settled: true });
    for (const thread of record.entities.thread.values()) {
      if (!currentAtLastSample(record, thread)) continue;
      const wait = thread.info.wait;
      const key = threadKey(record.pid, thread.info.id);
      waiters.set(key, {
        key, kind: 'thread', pid: record.pid, id: thread.info.id, name: thread.info.name, settled: isSettled(record, wait, pauses),
        ...(wait ? { wait } : {}), ...(thread.info.daemon !== undefined ? { daemon: thread.info.daemon } : {}),
      });
      if (thread.info.stack) stacks.push({ key, pid: record.pid, stack: thread.info.stack, ...(wait ? { wait } : {}) });
    }
    for (const task of record.entities.task.values()) {
      if (!currentAtLastSample(record, task) || (task.info.state !== 'pending' && task.info.state !== 'running')) continue;
      const wait = task.info.state === 'pending' ? task.info.wait : undefined;
      const key = taskKey(record.pid, task.info.id);
      waiters.set(key, { key, kind: 'task', pid: record.pid, id: task.info.id, name: task.info.name, settled: isSettled(record, wait, pauses), threadId: task.info.threadId, ...(wait ? { wait } : {}) });
      if (task.info.stack) stacks.push({ key, pid: record.pid, stack: task.info.stack, ...(wait ? { wait } : {}) });
    }
    // Unprobed children: a process waited for is a node even when nothing describes its insides
    // (one stopped with the run, still one: a stopped run reads as it was when it was stopped).
    for (const child of record.entities.child.values()) {
      const pid = child.info.pid;
      if (pid === undefined || model.process(pid) || (child.info.endedAt !== undefined && !endedWithRun(model, child.info.endedAt))) continue;
      waiters.set(processWaiterKey(pid), { key: processWaiterKey(pid), kind: 'process', pid, id: String(pid), name: child.info.name ?? child.info.command, settled: true });
    }
  }

  const add = (from: string, to: string, reason: WaitReason) => {
    if (waiters.has(to)) edges.push({ from, to, reason });
  };
  const holdersOf = (pid: number, wait: WaitInfo, waiterKey: string): { key: string; reason: WaitReason }[] => {
    const found: { key: string; reason: WaitReason }[] = [];
    for (const candidate of stacks) {
      if (candidate.pid !== pid) continue;
      // A thread in `condition.wait()` released the condition's lock while it waits.
      if (candidate.wait?.kind === 'condition' && candidate.wait.object === wait.object) continue;
      if (candidate.key === waiterKey && REENTRANT_TYPES.has(wait.type ?? '')) continue;
      for (const frame of candidate.stack) {
        const items = withItemsOf(frame.file);
        if (!items || !frame.objects) continue;
        for (const item of itemsEnteredAt(items, frame.line)) {
          if (frame.objects[item.expression] !== wait.object) continue;
          found.push({ key: candidate.key, reason: { kind: 'holds', expression: item.expression, at: { file: frame.file, line: item.line, ...(frame.function ? { function: frame.function } : {}) } } });
        }
      }
    }
    return found;
  };

  for (const waiter of [...waiters.values()]) {
    const record = model.process(waiter.pid);
    if (waiter.kind === 'process') {
      const main = record && [...record.entities.thread.values()].find((thread) => thread.info.kind === 'main');
      if (main) add(waiter.key, threadKey(waiter.pid, main.info.id), { kind: 'main-thread' });
      continue;
    }
    const wait = waiter.wait;
    if (!wait || !record) continue;
    switch (wait.kind) {
      case 'lock':
      case 'semaphore':
        if (wait.threadId !== undefined) add(waiter.key, threadKey(waiter.pid, wait.threadId), { kind: 'owns' });
        else if (HELD_KINDS.has(wait.kind) && wait.object !== undefined) for (const holder of holdersOf(waiter.pid, wait, waiter.key)) add(waiter.key, holder.key, holder.reason);
        break;
      case 'join':
        if (wait.threadId !== undefined) add(waiter.key, threadKey(waiter.pid, wait.threadId), { kind: 'joins' });
        else if (waiter.kind === 'thread') {
          // The interpreter at exit waits for every thread that is not a daemon.
          for (const other of waiters.values()) {
            if (other.kind === 'thread' && other.pid === waiter.pid && other.key !== waiter.key && other.daemon === false) add(waiter.key, other.key, { kind: 'joins' });
          }
        }
        break;
      case 'process-join':
      case 'subprocess':
        if (wait.pid !== undefined) {
          add(waiter.key, processWaiterKey(wait.pid), { kind: 'exits' });
          if (wait.pipeFull) add(processWaiterKey(wait.pid), waiter.key, { kind: 'full-pipe' });
        }
        break;
      case 'pipe-send':
        if (model.process(record.ppid)) add(waiter.key, processWaiterKey(record.ppid), { kind: 'reads' });
        break;
      case 'future':
      case 'executor':
        if (wait.threadId !== undefined) add(waiter.key, threadKey(waiter.pid, wait.threadId), { kind: 'runs' });
        break;
      case 'task':
      case 'gather':
      case 'shield':
      case 'timeout':
      case 'futures-wait':
        break; // the tasks it awaits: below
      case 'condition':
      case 'event':
      case 'barrier':
      case 'queue-get':
      case 'queue-put':
      case 'queue-join':
      case 'pipe-recv':
      case 'pool-idle':
      case 'loop-idle':
      case 'sleep':
      case 'socket':
      case 'select':
      case 'input':
      case 'io':
      case 'stream':
      case 'atomics':
      case 'top-level-await':
      case 'other':
        break; // nobody in particular can end these: see stuck.ts for when nothing at all can
    }
    for (const taskId of wait.taskIds ?? []) add(waiter.key, taskKey(waiter.pid, taskId), { kind: 'awaits' });
  }

  const from = new Map<string, WaitEdge[]>();
  const to = new Map<string, WaitEdge[]>();
  for (const edge of edges) {
    (from.get(edge.from) ?? from.set(edge.from, []).get(edge.from)!).push(edge);
    (to.get(edge.to) ?? to.set(edge.to, []).get(edge.to)!).push(edge);
  }
  return { waiters, edges, edgesFrom: (key) => from.get(key) ?? [], edgesTo: (key) => to.get(key) ?? [] };
}
