/**
 * Why is it stuck: deadlock diagnosis over the wait-for graph (see waitGraph.ts). Two kinds:
 * - a cycle of settled waits (each waiter has waited on the same thing for a second, as its
 *   process's last sample saw): a lock-order inversion, an await cycle, threads joining each other,
 *   a process joined before the queue it writes to is drained, a child whose full pipe nobody reads;
 * - no waker: every thread and task of every process of the run waits on something only the run
 *   itself could provide (a lock, an event, a queue, a join, an `Atomics.wait` with no timeout…), no
 *   event loop has a timer, a watched file descriptor or a signal handler, and no process outside the
 *   probes' sight runs — nothing can ever wake it. In a Node.js process: its main script has run, its
 *   loop only waits and nothing keeps it alive but Workers, each parked in such an `Atomics.wait`; or
 *   it ended because its ES module's top-level await waited on a promise nothing could settle.
 * Anything that can end by itself (a sleep, a timeout, I/O, a socket, user input, a child process no
 * probe sees) is a waker: an idle server, a pool waiting for work while the program sleeps or reads,
 * a loop waiting on a timer and a program paused in a debugger are not stuck.
 */
import type { SourceLocation, WaitInfo } from '../probe/protocol';
import type { ProcessRecord, RunModel } from './runModel';
import { commandLabel, exitKind, processLabel } from './treeShape';
import {
  buildWaitGraph, currentAtLastSample, endedWithRun, type PauseState, taskKey, threadKey, type Waiter, type WaitGraph, type WaitReason, type WithItemsOf,
} from './waitGraph';

export type StuckPattern = 'lock-order' | 'self-lock' | 'own-loop' | 'await-cycle' | 'join-cycle' | 'join-before-drain' | 'full-pipe' | 'wait-cycle' | 'no-waker';

export interface StuckStep {
  readonly waiter: Waiter;
  /** In a cycle: the next step's waiter and why this one waits for it. */
  readonly next?: { readonly to: Waiter; readonly reason: WaitReason };
}

export interface StuckReport {
  /** Stable while the same waiters stay stuck the same way. */
  readonly key: string;
  readonly kind: 'cycle' | 'no-waker';
  readonly pattern: StuckPattern;
  /** Since when (the latest of its waits' starts): it has been stuck since then at least. */
  readonly since: number;
  /** A cycle's waiters in order (the last waits for the first), or every waiter of a stall with no waker. */
  readonly steps: readonly StuckStep[];
  /** Threads and tasks that wait, directly or not, on the stuck ones: stuck with them. */
  readonly alsoWaiting: readonly Waiter[];
}

/** A process of the run that failed (an exit code other than 0, a crash signal) before the run was stopped: often why the others wait (a pool worker that died with its task). */
export interface FailedProcess {
  readonly pid: number;
  readonly name: string;
  readonly exitCode?: number;
  readonly signal?: string;
  readonly endedAt: number;
}

/**
 * The processes of the run that failed while it ran, probed or only seen as another's child
 * (a forked worker that died before its probe spoke), oldest first: beside a stuck report, they
 * often say why (a `multiprocessing.Pool` loses the task of a worker that dies, and waits forever).
 */
export function failedProcesses(model: RunModel): FailedProcess[] {
  const found = new Map<number, FailedProcess>();
  const note = (pid: number | undefined, name: string, status: { endedAt?: number; exitCode?: number; signal?: string }): void => {
    if (pid === undefined || status.endedAt === undefined || found.has(pid) || exitKind(status) !== 'failed' || endedWithRun(model, status.endedAt)) return;
    found.set(pid, { pid, name, endedAt: status.endedAt, ...(status.exitCode !== undefined ? { exitCode: status.exitCode } : {}), ...(status.signal !== undefined ? { signal: status.signal } : {}) });
  };
  for (const record of model.processes()) {
    for (const child of record.entities.child.values()) note(child.info.pid, child.info.name ?? commandLabel(child.info.command), child.info);
  }
  for (const record of model.processes()) note(record.pid, processLabel(record.argv), record);
  return [...found.values()].sort((a, b) => a.endedAt - b.endedAt);
}

/** A line of the program's code a report involves: where a waiter waits, or where it entered a lock another waits for. */
export interface InvolvedLine {
  readonly location: SourceLocation;
  readonly role: 'waits' | 'holds';
  readonly step: number;
}

/** Wait kinds that only the run itself can end (a waiter in one of them needs another thread, task or process of the run). */
const INTERNAL_KINDS: ReadonlySet<WaitInfo['kind']> = new Set([
  'lock', 'condition', 'event', 'semaphore', 'barrier', 'join', 'queue-get', 'queue-put', 'queue-join', 'future', 'futures-wait',
  'process-join', 'subprocess', 'pipe-recv', 'pipe-send', 'task', 'gather', 'shield', 'executor', 'pool-idle', 'loop-idle', 'atomics',
]);

/** Everything stuck in the run as its processes were last sampled; nothing while a debugger holds it paused. */
export function diagnose(model: RunModel, withItemsOf: WithItemsOf, pauses?: PauseState): StuckReport[] {
  const graph = buildWaitGraph(model, withItemsOf, pauses);
  const cycles = findCycles(graph);
  if (cycles.length > 0) return cycles;
  const stall = noWaker(model, graph);
  return stall ? [stall] : [];
}

/** The deadlocks of a run, for `record --fail-on deadlock`: every stuck report. */
export function deadlocksOf(model: RunModel, withItemsOf: WithItemsOf, pauses?: PauseState): StuckReport[] {
  return diagnose(model, withItemsOf, pauses);
}

/** The lines a report involves, each once, in step order. */
export function involvedLines(report: StuckReport): InvolvedLine[] {
  const lines: InvolvedLine[] = [];
  const seen = new Set<string>();
  const push = (location: SourceLocation | undefined, role: InvolvedLine['role'], step: number) => {
    if (!location) return;
    const key = `${location.file}:${location.line}`;
    if (seen.has(key)) return;
    seen.add(key);
    lines.push({ location, role, step });
  };
  report.steps.forEach((step, index) => {
    push(step.waiter.wait?.at, 'waits', index);
    if (step.next?.reason.kind === 'holds') push(step.next.reason.at, 'holds', (index + 1) % report.steps.length);
  });
  return lines;
}

/** Cycles of settled waits: each strongly connected component of more than one waiter (or one that waits for itself), as its shortest cycle. */
function findCycles(graph: WaitGraph): StuckReport[] {
  const usable = (key: string) => {
    const waiter = graph.waiters.get(key);
    return waiter !== undefined && (waiter.kind === 'process' || waiter.settled);
  };
  const reports: StuckReport[] = [];
  for (const component of stronglyConnected(graph, usable)) {
    const members = new Set(component);
    const start = [...component].filter((key) => graph.waiters.get(key)!.kind !== 'process').sort()[0];
    if (start === undefined) continue;
    const path = shortestCycle(graph, start, members);
    if (!path) continue;
    const steps: StuckStep[] = path.map((edge) => ({ waiter: graph.waiters.get(edge.from)!, next: { to: graph.waiters.get(edge.to)!, reason: edge.reason } }));
    const waiting = steps.filter((step) => step.waiter.kind !== 'process');
    reports.push({
      key: `cycle:${[...members].sort().join(',')}`,
      kind: 'cycle',
      pattern: patternOf(steps),
      since: Math.max(...waiting.map((step) => step.waiter.wait?.since ?? 0)),
      steps,
      alsoWaiting: upstream(graph, members),
    });
  }
  return reports.sort((a, b) => a.key.localeCompare(b.key));
}

/** Tarjan's algorithm over the waiters `usable` says may take part, following only their edges. */
function stronglyConnected(graph: WaitGraph, usable: (key: string) => boolean): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  const visit = (root: string) => {
    // Iterative, so a long chain of waiters cannot overflow the call stack.
    const work: { key: string; edge: number }[] = [{ key: root, edge: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const edges = graph.edgesFrom(frame.key);
      if (frame.edge < edges.length) {
        const next = edges[frame.edge++]!.to;
        if (!usable(next)) continue;
        if (!index.has(next)) {
          index.set(next, counter);
          low.set(next, counter++);
          stack.push(next);
          onStack.add(next);
          work.push({ key: next, edge: 0 });
        } else if (onStack.has(next)) {
          low.set(frame.key, Math.min(low.get(frame.key)!, index.get(next)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.key, Math.min(low.get(parent.key)!, low.get(frame.key)!));
      if (low.get(frame.key) === index.get(frame.key)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.key);
        const selfLoop = component.length === 1 && graph.edgesFrom(member).some((edge) => edge.to === member);
        if (component.length > 1 || selfLoop) components.push(component);
      }
    }
  };
  for (const key of graph.waiters.keys()) if (usable(key) && !index.has(key)) visit(key);
  return components;
}

/** The shortest cycle through `start` within `members` (breadth first), as its edges in order. */
function shortestCycle(graph: WaitGraph, start: string, members: ReadonlySet<string>): { from: string; to: string; reason: WaitReason }[] | undefined {
  const cameBy = new Map<string, { from: string; to: string; reason: WaitReason }>();
  const queue = [start];
  for (let head = 0; head < queue.length; head += 1) {
    const key = queue[head]!;
    for (const edge of graph.edgesFrom(key)) {
      if (!members.has(edge.to)) continue;
      if (edge.to === start) {
        const path = [edge];
        for (let at = key; at !== start; at = cameBy.get(at)!.from) path.unshift(cameBy.get(at)!);
        return path;
      }
      if (cameBy.has(edge.to)) continue;
      cameBy.set(edge.to, edge);
      queue.push(edge.to);
    }
  }
  return undefined;
}

function patternOf(steps: readonly StuckStep[]): StuckPattern {
  const reasons = steps.map((step) => step.next!.reason.kind);
  if (reasons.includes('full-pipe')) return 'full-pipe';
  if (reasons.includes('reads')) return 'join-before-drain';
  if (reasons.every((reason) => reason === 'holds' || reason === 'owns')) return steps.length === 1 ? 'self-lock' : 'lock-order';
  // A thread that waits for work only it could run: its event loop's coroutine (run_coroutine_threadsafe on the loop's thread).
  if (steps.length === 1 && reasons[0] === 'runs') return 'own-loop';
  if (reasons.every((reason) => reason === 'awaits')) return 'await-cycle';
  if (reasons.every((reason) => reason === 'joins' || reason === 'exits' || reason === 'main-thread')) return 'join-cycle';
  return 'wait-cycle';
}

/** The threads and tasks with a path of waits to `members` (breadth first, nearest first). */
function upstream(graph: WaitGraph, members: ReadonlySet<string>): Waiter[] {
  const seen = new Set(members);
  const queue = [...members];
  const found: Waiter[] = [];
  for (let head = 0; head < queue.length; head += 1) {
    for (const edge of graph.edgesTo(queue[head]!)) {
      if (seen.has(edge.from)) continue;
      seen.add(edge.from);
      queue.push(edge.from);
      const waiter = graph.waiters.get(edge.from)!;
      if (waiter.kind !== 'process') found.push(waiter);
    }
  }
  return found;
}

/**
 * Everything waits and nothing can wake it: every process of the run is a probed process stalled
 * (pythonStall, nodeStall), and no child process outside the probes' sight is running.
 */
function noWaker(model: RunModel, graph: WaitGraph): StuckReport | undefined {
  const processes = model.processes().filter((record) => record.endedAt === undefined || endedWithRun(model, record.endedAt));
  if (processes.length === 0) return undefined;
  const probedPids = new Set(model.processes().map((record) => record.pid));
  const steps: StuckStep[] = [];
  for (const record of processes) {
    if (record.sampledAt === undefined) return undefined;
    for (const child of record.entities.child.values()) {
      if (child.info.endedAt === undefined && (child.info.pid === undefined || !probedPids.has(child.info.pid))) return undefined;
    }
    const stalled = record.runtime?.name === 'python' ? pythonStall(model, record, graph, probedPids)
      : record.runtime?.name === 'node' ? nodeStall(record, graph, probedPids)
        : undefined;
    if (!stalled) return undefined;
    steps.push(...stalled);
  }
  steps.sort((a, b) => a.waiter.key.localeCompare(b.waiter.key));
  return {
    key: `no-waker:${processes.map((record) => record.pid).sort((a, b) => a - b).join(',')}`,
    kind: 'no-waker',
    pattern: 'no-waker',
    since: Math.max(...steps.map((step) => step.waiter.wait!.since)),
    steps,
    alsoWaiting: [],
  };
}

/**
 * A Python process whose threads and tasks all wait, settled, on what only the run could provide,
 * and whose loops have nothing that could wake them: its steps, else undefined.
 */
function pythonStall(model: RunModel, record: ProcessRecord, graph: WaitGraph, probedPids: ReadonlySet<number>): StuckStep[] | undefined {
  for (const loop of record.entities.loop.values()) {
    const wakers = loop.info.wakers;
    if (!loop.live && model.outcome === undefined) continue;
    if (!wakers || wakers.timers + wakers.readers + wakers.writers + wakers.signals + wakers.ready > 0) return undefined;
  }
  const current = [
    ...[...record.entities.thread.values()].filter((thread) => currentAtLastSample(record, thread)).map((thread) => threadKey(record.pid, thread.info.id)),
    ...[...record.entities.task.values()]
      .filter((task) => currentAtLastSample(record, task) && (task.info.state === 'pending' || task.info.state === 'running'))
      .map((task) => taskKey(record.pid, task.info.id)),
  ];
  if (!current.some((key) => key.startsWith('thread:'))) return undefined;
  return settledInternalWaits(current, graph, probedPids);
}

/**
 * A Node.js process whose main script has run and whose loop only waits, kept alive by nothing but
 * Workers (no timer, server, socket, child, port or stdin: those can wake it), every Worker parked,
 * settled, in an `Atomics.wait` with no timeout: only another thread's `Atomics.notify` could end
 * one, and no thread is left to call it. Its steps (the main thread's loop first), else undefined.
 * A Worker running or idle on its own loop (it may have timers of its own) is a waker.
 */
function nodeStall(record: ProcessRecord, graph: WaitGraph, probedPids: ReadonlySet<number>): StuckStep[] | undefined {
  const mainThread = [...record.entities.thread.values()].find((thread) => thread.info.kind === 'main' && currentAtLastSample(record, thread));
  // Node itself found that nothing could settle the module's top-level await (its loop ran out): final, no need to settle.
  const mainWaiter = mainThread && graph.waiters.get(threadKey(record.pid, mainThread.info.id));
  if (mainWaiter?.wait?.kind === 'top-level-await' && record.endedAt !== undefined) return [{ waiter: { ...mainWaiter, settled: true } }];
  const loop = mainThread && [...record.entities.loop.values()].find((candidate) => candidate.info.threadId === mainThread.info.id);
  const keptAliveBy = loop?.info.keptAliveBy;
  if (!mainThread || !loop || !keptAliveBy || keptAliveBy.length === 0 || loop.info.keptAliveByMore || loop.info.idleSince === undefined) return undefined;
  // A request in flight (a file read, a DNS lookup…) keeps no handle but ends by itself, and its callback runs on the main thread.
  if (Object.keys(loop.info.resources ?? {}).some((type) => /Req/.test(type))) return undefined;
  const workers = [...record.entities.thread.values()].filter((thread) => thread !== mainThread && currentAtLastSample(record, thread));
  if (workers.length === 0 || keptAliveBy.some((handle) => handle.kind !== 'worker' || !workers.some((worker) => worker.info.id === handle.threadId))) return undefined;
  const steps = settledInternalWaits(workers.map((worker) => threadKey(record.pid, worker.info.id)), graph, probedPids);
  const main = graph.waiters.get(threadKey(record.pid, mainThread.info.id));
  if (!steps || !main) return undefined;
  return [{ waiter: { ...main, wait: { kind: 'loop-idle', call: 'event loop', since: loop.info.idleSince }, settled: true } }, ...steps];
}

/** Each waiter of `keys` as a step, when every one waits, settled, on what only the run could provide; else undefined. */
function settledInternalWaits(keys: readonly string[], graph: WaitGraph, probedPids: ReadonlySet<number>): StuckStep[] | undefined {
  const steps: StuckStep[] = [];
  for (const key of keys) {
    const waiter = graph.waiters.get(key);
    if (!waiter?.wait || !waiter.settled || !internal(waiter.wait, probedPids)) return undefined;
    steps.push({ waiter });
  }
  return steps;
}

function internal(wait: WaitInfo, probedPids: ReadonlySet<number>): boolean {
  if (wait.until !== undefined || wait.timed || !INTERNAL_KINDS.has(wait.kind)) return false;
  // A child no probe sees may end by itself; one of the run's own processes is judged with the rest.
  if ((wait.kind === 'subprocess' || wait.kind === 'process-join') && (wait.pid === undefined || !probedPids.has(wait.pid))) return false;
  return true;
}
