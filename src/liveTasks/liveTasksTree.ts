import * as vscode from 'vscode';
import { awaitChildren, awaitRoots, waitedOnBy } from '../core/runs/awaitTree';
import { failedProcesses, type StuckReport } from '../core/runs/stuck';
import type { Waiter, WaitGraph, WaitReason } from '../core/runs/waitGraph';
import type { AliveHandle, SourceLocation, SystemCall, TaskInfo } from '../core/probe/protocol';
import {
  blocksKey, entityKey, processKey, runKey, type BlockedEvent, type ProbeCost, type ProcessRecord, type RunChange, type RunModel, type RunSummary, type TrackedEntity,
} from '../core/runs/runModel';
import {
  blockingFrame, commandLabel, countOutcomes, exitKind, type ExitKind, FINISHED_TASKS_INLINE, finishedTasks, formatDuration, groupTasksByCoroutine, keptAlive, type KeptAliveHandle, liveFirst,
  processTitle, shortLocation, signalName, TASK_GROUP_THRESHOLD, TASK_OUTCOMES, type TaskOutcome, taskOutcome, TASKS_PER_GROUP_SHOWN, unlistedTasks,
} from '../core/runs/treeShape';
import { CommandId } from '../ids';
import type { StuckWatch } from './stuckWatch';
import { namesFrom, patternTitle, reasonWords, reportWords, stepWords, waitWords } from './stuckWords';

/**
 * One row of the Live Tasks view; `key` is stable for the life of a run (it is the TreeItem id)
 * and unique across runs: it starts with its run's id (`r3/p:1234/thread:main`).
 */
export type LiveNode =
  | { readonly kind: 'run'; readonly key: string }
  | { readonly kind: 'status'; readonly key: string; readonly status: 'waiting' | 'paused' }
  | { readonly kind: 'summary'; readonly key: string }
  | { readonly kind: 'process'; readonly key: string; readonly pid: number }
  | { readonly kind: 'blocked'; readonly key: string; readonly event: BlockedEvent }
  | { readonly kind: 'thread'; readonly key: string; readonly pid: number; readonly threadId: string }
  | { readonly kind: 'group'; readonly key: string; readonly pid: number; readonly threadId: string; readonly coroutine: string }
  | { readonly kind: 'finished'; readonly key: string; readonly pid: number; readonly threadId: string }
  | { readonly kind: 'outcome'; readonly key: string; readonly pid: number; readonly threadId: string; readonly outcome: TaskOutcome }
  | { readonly kind: 'task'; readonly key: string; readonly pid: number; readonly taskId: string }
  | { readonly kind: 'child'; readonly key: string; readonly pid: number; readonly childId: string }
  /** A Node process whose main script has run and whose loop only waits: what keeps it alive, one row per handle. */
  | { readonly kind: 'keptAlive'; readonly key: string; readonly pid: number }
  | { readonly kind: 'aliveHandle'; readonly key: string; readonly pid: number; readonly index: number }
  /** A stuck report of the run (a deadlock, or a stall nothing can wake), at the top. */
  | { readonly kind: 'stuck'; readonly key: string; readonly reportKey: string }
  | { readonly kind: 'stuckStep'; readonly key: string; readonly reportKey: string; readonly index: number }
  | { readonly kind: 'stuckAlso'; readonly key: string; readonly reportKey: string }
  /** A process of the run that failed before it got stuck (a pool worker that died with its task). */
  | { readonly kind: 'stuckFailed'; readonly key: string; readonly pid: number }
  /** In the await tree: a thread, task or process, under the one that waits for it (`path`: the keys above it). */
  | {
    readonly kind: 'waiter'; readonly key: string; readonly pid: number; readonly waiterKey: string; readonly path: readonly string[];
    readonly reason?: WaitReason; readonly cycle: boolean;
  };

/** How the rows under a process are arranged: threads with their tasks, or who waits for whom. */
export type LiveTasksMode = 'threads' | 'awaits';

/** At most this many refreshes a second: changes in between are merged. */
const REFRESH_INTERVAL_MS = 100;
/** While a run is live and nothing else changed, its rows are redrawn this often so that their ages keep time. */
const AGE_REFRESH_MS = 1000;
/** ... except for this long after a tooltip was asked for: a redraw would close it while it is read. */
const TOOLTIP_READING_MS = 10_000;
/** Blocked-loop rows shown per process (the latest). */
const BLOCKS_SHOWN = 5;
/** More changed rows than this in one refresh: refresh the whole view instead. */
const MAX_TARGETED_REFRESH = 500;

/** What started a run (its icon). */
export type RunKind = 'file' | 'command' | 'task' | 'terminal' | 'debug' | 'attach' | 'recording';

/** A run as the tree lists it. */
export interface RunView {
  /** Unique among the runs listed: the first part of every key of its rows. */
  readonly id: string;
  readonly title: string;
  readonly kind: RunKind;
  readonly model: RunModel;
  readonly isRunning: boolean;
  /** A debugger holds its programs paused. */
  readonly isPaused: boolean;
}

/**
 * The Live Tasks tree over the runs' models. One run: its processes at the root; several: one row
 * per run (title, state, summary once ended), its processes beneath. Under each: what is stuck
 * first (a Stuck row naming the cycle), then Process → blocked
 * loops, Threads → Tasks (grouped by coroutine when there are many; finished ones after the live
 * ones, grouped by outcome when there are many), child processes. A run that has ended reads as it
 * was at its end. In the await tree mode, under each process: the threads and tasks nobody waits
 * for, each with what it waits for below it. Refreshes at most ten times a second and only for the
 * rows whose model keys changed (the await tree entirely: its rows follow the waits).
 */
export class LiveTasksTreeProvider implements vscode.TreeDataProvider<LiveNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<LiveNode | LiveNode[] | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  /** The listed runs by id, in the order shown, with their model subscriptions. */
  private readonly runs = new Map<string, { readonly run: RunView; readonly subscription: { dispose(): void } }>();
  private readonly nodes = new Map<string, LiveNode>();
  /** What the Kept alive rows under each process row last showed (see `keptAliveChanged`). */
  private readonly keptAliveShown = new Map<string, string>();
  /** Thread rows last described as having tasks (see the thread case of `describe`). */
  private readonly threadsShownWithTasks = new Set<string>();
  private pendingKeys = new Set<string>();
  private refreshAll = false;
  private timer: NodeJS.Timeout | undefined;
  private ageTimer: NodeJS.Timeout | undefined;
  /** When the whole view was last redrawn (ms since the epoch). */
  private redrawnAt = 0;
  /** When a row's tooltip was last asked for (ms since the epoch). */
  private tooltipShownAt = 0;

  /** Each row's parent row, as last listed (for reveal). */
  private readonly parents = new Map<string, LiveNode | undefined>();
  private currentMode: LiveTasksMode = 'threads';
  private readonly stuckSubscription: vscode.Disposable;

  constructor(private readonly isUserFile: (file: string) => boolean, private readonly stuck: StuckWatch) {
    this.stuckSubscription = stuck.onDidChange(() => {
      this.refreshAll = true;
      this.flushSoon();
    });
  }

  get mode(): LiveTasksMode {
    return this.currentMode;
  }

  /** Shows threads with their tasks, or the await tree; the view refreshes entirely. */
  setMode(mode: LiveTasksMode): void {
    if (mode === this.currentMode) return;
    this.currentMode = mode;
    this.nodes.clear();
    this.parents.clear();
    this.changeEmitter.fire(undefined);
  }

  /** The row above `node` as last listed (VS Code asks it to reveal a row). */
  getParent(node: LiveNode): LiveNode | undefined {
    return this.parents.get(node.key);
  }

  /** Lists these runs (in this order); the view refreshes entirely. */
  setRuns(runs: readonly RunView[]): void {
    const listed = new Set(runs.map((run) => run.id));
    for (const [id, entry] of this.runs) {
      if (listed.has(id) && entry.run === runs.find((run) => run.id === id)) continue;
      entry.subscription.dispose();
      this.runs.delete(id);
      for (const key of [...this.nodes.keys()]) if (key === id || key.startsWith(`${id}/`)) this.nodes.delete(key);
    }
    const kept = new Map(this.runs);
    this.runs.clear();
    for (const run of runs) {
      this.runs.set(run.id, kept.get(run.id) ?? { run, subscription: run.model.onDidChange((change) => this.schedule(run.id, change)) });
    }
    this.refreshAll = true;
    this.flushSoon();
  }

  /** A run's state changed (it paused, went on, or ended): its rows are redrawn. */
  runChanged(): void {
    this.refreshAll = true;
    this.flushSoon();
  }

  /** The run a row belongs to. */
  runOf(node: LiveNode): RunView | undefined {
    return this.runs.get(node.key.split('/')[0]!)?.run;
  }

  /** A row; its tooltip is left to `resolveTreeItem`, which VS Code calls when the pointer rests on the row. */
  getTreeItem(node: LiveNode): vscode.TreeItem {
    const item = this.describe(node);
    item.id ??= node.key;
    item.tooltip = undefined;
    return item;
  }

  /**
   * The row's tooltip, as of now. Redrawing a row closes its tooltip: while one is being read, the
   * once-a-second redraw that keeps ages current waits (see `keepAgesCurrent`).
   */
  resolveTreeItem(item: vscode.TreeItem, node: LiveNode): vscode.TreeItem {
    this.tooltipShownAt = Date.now();
    item.tooltip = this.describe(node).tooltip;
    return item;
  }

  getChildren(node?: LiveNode): LiveNode[] {
    const children = this.childrenOf(node);
    for (const child of children) this.parents.set(child.key, node);
    return children;
  }

  private childrenOf(node: LiveNode | undefined): LiveNode[] {
    if (!node) {
      const runs = [...this.runs.values()].map((entry) => entry.run);
      if (runs.length === 1) return this.runChildren(runs[0]!);
      return runs.map((run) => this.node({ kind: 'run', key: run.id }));
    }
    const run = this.runOf(node);
    if (!run) return [];
    const { model } = run;
    switch (node.kind) {
      case 'run':
        return this.runChildren(run);
      case 'process':
        return this.currentMode === 'awaits' ? this.awaitProcessChildren(run, node.pid) : this.processChildren(run, node.pid);
      case 'stuck': {
        const report = this.report(run, node.reportKey);
        if (!report) return [];
        const steps = report.steps.map((step, index) => ({ step, index })).filter(({ step }) => step.waiter.kind !== 'process' || step.next?.reason.kind === 'full-pipe')
          .map(({ index }) => this.node({ kind: 'stuckStep', key: `${node.key}/step:${index}`, reportKey: report.key, index }));
        const also = report.alsoWaiting.length > 0 ? [this.node({ kind: 'stuckAlso', key: `${node.key}/also`, reportKey: report.key })] : [];
        const failed = failedProcesses(model).map((process) => this.node({ kind: 'stuckFailed', key: `${node.key}/failed:${process.pid}`, pid: process.pid }));
        return [...steps, ...also, ...failed];
      }
      case 'waiter': {
        const graph = this.stuck.of(model)?.graph;
        const waiter = graph?.waiters.get(node.waiterKey);
        if (!graph || !waiter || node.cycle) return [];
        const path = [...node.path, node.waiterKey];
        return awaitChildren(graph, waiter, node.path).map((child) => this.node({
          kind: 'waiter', key: `${node.key}>${child.waiter.key}`, pid: child.waiter.pid, waiterKey: child.waiter.key, path, reason: child.reason, cycle: child.cycle,
        }));
      }
      case 'thread':
        return this.threadChildren(run, node.pid, node.threadId);
      case 'keptAlive': {
        const process = model.process(node.pid);
        const alive = process && keptAlive(process);
        return (alive?.handles ?? []).map((_, index) => this.node({ kind: 'aliveHandle', key: `${node.key}/${index}`, pid: node.pid, index }));
      }
      case 'group': {
        const tasks = this.liveTasksOf(model, node.pid, node.threadId).filter((task) => task.info.coroutine === node.coroutine);
        return tasks.slice(0, TASKS_PER_GROUP_SHOWN).map((task) => this.taskNode(run, node.pid, task.info.id));
      }
      case 'finished': {
        const counts = countOutcomes(this.finishedTasksOf(model, node.pid, node.threadId));
        return TASK_OUTCOMES.filter((outcome) => counts[outcome] > 0)
          .map((outcome) => this.node({ kind: 'outcome', key: `${node.key}/${outcome}`, pid: node.pid, threadId: node.threadId, outcome }));
      }
      case 'outcome':
        return this.finishedTasksOf(model, node.pid, node.threadId).filter((task) => taskOutcome(task.info) === node.outcome)
          .slice(0, TASKS_PER_GROUP_SHOWN).map((task) => this.taskNode(run, node.pid, task.info.id));
      case 'status':
      case 'summary':
      case 'blocked':
      case 'task':
      case 'child':
      case 'aliveHandle':
      case 'stuckStep':
      case 'stuckAlso':
      case 'stuckFailed':
        return [];
    }
  }

  private report(run: RunView | undefined, key: string): StuckReport | undefined {
    return this.stuck.of(run?.model)?.reports.find((report) => report.key === key);
  }

  /** Where a row points in the source, if anywhere. */
  locationOf(node: LiveNode): SourceLocation | undefined {
    const run = this.runOf(node);
    const process = 'pid' in node ? run?.model.process(node.pid) : undefined;
    switch (node.kind) {
      case 'stuckStep': {
        const step = this.report(run, node.reportKey)?.steps[node.index];
        return step?.waiter.wait?.at ?? (step?.next?.reason.kind === 'holds' ? step.next.reason.at : undefined);
      }
      case 'stuck':
        return this.report(run, node.reportKey)?.steps.find((step) => step.waiter.wait?.at)?.waiter.wait?.at;
      case 'waiter': {
        const waiter = this.stuck.of(run?.model)?.graph.waiters.get(node.waiterKey);
        if (node.reason?.kind === 'holds') return node.reason.at;
        if (waiter?.kind === 'task') return this.locationOf({ kind: 'task', key: node.key, pid: waiter.pid, taskId: waiter.id });
        if (waiter?.kind === 'thread') return this.locationOf({ kind: 'thread', key: node.key, pid: waiter.pid, threadId: waiter.id });
        return undefined;
      }
      case 'thread':
        return process?.entities.thread.get(node.threadId)?.info.location;
      case 'task': {
        const info = process?.entities.task.get(node.taskId)?.info;
        return info?.raisedAt ?? info?.suspendedAt ?? info?.createdAt;
      }
      case 'blocked':
        return blockingFrame(node.event.stack, this.isUserFile);
      case 'aliveHandle':
        return process ? keptAlive(process)?.handles[node.index]?.handle.at : undefined;
      case 'keptAlive':
      case 'run':
      case 'status':
      case 'summary':
      case 'process':
      case 'group':
      case 'finished':
      case 'outcome':
      case 'child':
      case 'stuckAlso':
      case 'stuckFailed':
        return undefined;
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    clearTimeout(this.ageTimer);
    for (const entry of this.runs.values()) entry.subscription.dispose();
    this.runs.clear();
    this.stuckSubscription.dispose();
    this.changeEmitter.dispose();
  }

  /** A run's own rows: whether it waits or is paused, its summary once ended, its processes. */
  private runChildren(run: RunView): LiveNode[] {
    const roots = run.model.rootProcesses().map((process) => this.node({ kind: 'process', key: this.keyIn(run, processKey(process.pid)), pid: process.pid }));
    const status: LiveNode[] = [];
    if (run.isPaused) status.push(this.node({ kind: 'status', key: `${run.id}/status:paused`, status: 'paused' }));
    else if (run.isRunning && roots.length === 0) status.push(this.node({ kind: 'status', key: `${run.id}/status:waiting`, status: 'waiting' }));
    if (!run.isRunning) status.push(this.node({ kind: 'summary', key: `${run.id}/summary` }));
    // A run a debugger holds paused is never stuck (its StuckWatch reports nothing then).
    const stuck = (this.stuck.of(run.model)?.reports ?? []).map((report) => this.node({ kind: 'stuck', key: `${run.id}/stuck:${report.key}`, reportKey: report.key }));
    return [...status, ...stuck, ...roots];
  }

  /** A model key as a row key: unique across runs. */
  private keyIn(run: RunView, modelKey: string): string {
    return `${run.id}/${modelKey}`;
  }

  /** In the await tree: the process's blocked loops, its threads and tasks nobody waits for (each over what it waits for), its child processes. */
  private awaitProcessChildren(run: RunView, pid: number): LiveNode[] {
    const { model } = run;
    if (!model.process(pid)) return [];
    const graph = this.stuck.of(model)?.graph;
    const blocks = model.blockedEvents().filter((event) => event.pid === pid).slice(-BLOCKS_SHOWN).reverse();
    const processNodeKey = this.keyIn(run, processKey(pid));
    return [
      ...blocks.map((event) => this.node({ kind: 'blocked', key: this.keyIn(run, `${blocksKey(pid)}:${event.loopId}@${event.startedAt}`), event })),
      ...this.keptAliveRow(run, pid),
      ...(graph ? awaitRoots(graph, pid) : []).map((waiter) => this.node({ kind: 'waiter', key: `${processNodeKey}/await:${waiter.key}`, pid, waiterKey: waiter.key, path: [], cycle: false })),
      ...model.childProcesses(pid).map((child) => this.node({ kind: 'process', key: this.keyIn(run, processKey(child.pid)), pid: child.pid })),
    ];
  }

  private processChildren(run: RunView, pid: number): LiveNode[] {
    const { model } = run;
    const process = model.process(pid);
    if (!process) return [];
    const blocks = model.blockedEvents().filter((event) => event.pid === pid).slice(-BLOCKS_SHOWN).reverse();
    const probedChildren = model.childProcesses(pid);
    const probedPids = new Set(probedChildren.map((child) => child.pid));
    return [
      ...blocks.map((event) => this.node({ kind: 'blocked', key: this.keyIn(run, `${blocksKey(pid)}:${event.loopId}@${event.startedAt}`), event })),
      ...this.keptAliveRow(run, pid),
      ...liveFirst(process.entities.thread.values()).map((thread) => this.node({ kind: 'thread', key: this.keyIn(run, entityKey(pid, 'thread', thread.info.id)), pid, threadId: thread.info.id })),
      ...probedChildren.map((child) => this.node({ kind: 'process', key: this.keyIn(run, processKey(child.pid)), pid: child.pid })),
      ...liveFirst(process.entities.child.values())
        .filter((child) => child.info.pid === undefined || !probedPids.has(child.info.pid))
        .map((child) => this.node({ kind: 'child', key: this.keyIn(run, entityKey(pid, 'child', child.info.id)), pid, childId: child.info.id })),
    ];
  }

  /** The Kept alive row of a process whose loop only waits (none otherwise); notes what it shows. */
  private keptAliveRow(run: RunView, pid: number): LiveNode[] {
    const process = run.model.process(pid);
    const alive = process && keptAlive(process);
    const processNodeKey = this.keyIn(run, processKey(pid));
    this.keptAliveShown.set(processNodeKey, JSON.stringify(alive ?? null));
    return alive ? [this.node({ kind: 'keptAlive', key: `${processNodeKey}/kept-alive`, pid })] : [];
  }

  /** Whether the Kept alive rows under a process row would show something else now (its loop or a thread changed). */
  private keptAliveChanged(processNodeKey: string): boolean {
    const node = this.nodes.get(processNodeKey);
    const process = node?.kind === 'process' ? this.runOf(node)?.model.process(node.pid) : undefined;
    if (!process || !this.keptAliveShown.has(processNodeKey)) return false;
    return JSON.stringify(keptAlive(process) ?? null) !== this.keptAliveShown.get(processNodeKey);
  }

  private threadChildren(run: RunView, pid: number, threadId: string): LiveNode[] {
    const { model } = run;
    const tasks = this.liveTasksOf(model, pid, threadId);
    const threadKey = this.keyIn(run, entityKey(pid, 'thread', threadId));
    const live = tasks.length <= TASK_GROUP_THRESHOLD
      ? tasks.map((task) => this.taskNode(run, pid, task.info.id))
      : groupTasksByCoroutine(tasks).map((group) => this.node({ kind: 'group', key: `${threadKey}/group:${group.coroutine}`, pid, threadId, coroutine: group.coroutine }));
    const finished = this.finishedTasksOf(model, pid, threadId);
    if (finished.length <= FINISHED_TASKS_INLINE) return [...live, ...finished.map((task) => this.taskNode(run, pid, task.info.id))];
    return [...live, this.node({ kind: 'finished', key: `${threadKey}/finished`, pid, threadId })];
  }

  private liveTasksOf(model: RunModel, pid: number, threadId: string): TrackedEntity<'task'>[] {
    const tasks = model.process(pid)?.entities.task;
    return tasks ? [...tasks.values()].filter((task) => task.live && task.info.threadId === threadId) : [];
  }

  /** The thread's tasks that are no longer live, newest first: they stay in view for the rest of the run. */
  private finishedTasksOf(model: RunModel, pid: number, threadId: string): TrackedEntity<'task'>[] {
    const tasks = model.process(pid)?.entities.task;
    return tasks ? finishedTasks([...tasks.values()].filter((task) => task.info.threadId === threadId)) : [];
  }

  private tasksOf(model: RunModel, pid: number, threadId: string): number {
    const tasks = model.process(pid)?.entities.task;
    let count = 0;
    if (tasks) for (const task of tasks.values()) if (task.info.threadId === threadId) count += 1;
    return count;
  }

  private taskNode(run: RunView, pid: number, taskId: string): LiveNode {
    return this.node({ kind: 'task', key: this.keyIn(run, entityKey(pid, 'task', taskId)), pid, taskId });
  }

  /** The same object for the same key, so targeted refreshes find the row VS Code shows. */
  private node<T extends LiveNode>(fresh: T): T {
    const known = this.nodes.get(fresh.key);
    if (known?.kind === fresh.kind) return known as T;
    this.nodes.set(fresh.key, fresh);
    return fresh;
  }

  private describe(node: LiveNode): vscode.TreeItem {
    const run = this.runOf(node);
    const model = run?.model;
    const now = model?.clock(Date.now()) ?? Date.now();
    switch (node.kind) {
      case 'run':
        return run ? runItem(run, now) : new vscode.TreeItem(node.key);
      case 'status':
        return statusItem(node.status);
      case 'summary':
        return summaryItem(model);
      case 'process': {
        const process = model?.process(node.pid);
        return process && model ? processItem(model, process, now) : new vscode.TreeItem(String(node.pid));
      }
      case 'blocked': {
        const { event } = node;
        const frame = this.locationOf(node);
        const duration = formatDuration(event.durationMs);
        // A thread that took the GIL as it started is named once its probe could describe it (see HeldThreads).
        const threadName = model?.threadName(event.pid, event.threadId) ?? vscode.l10n.t('a new thread');
        const item = new vscode.TreeItem(event.gil ? vscode.l10n.t('GIL held by {0} for {1}', threadName, duration) : vscode.l10n.t('Event loop blocked for {0}', duration));
        // Held now, its place not known yet (a silent Node.js main thread: see HeldThreads).
        const unknownPlace = event.ongoing && event.stack.length === 0;
        const systemCall = event.systemCall && systemCallWords(event.systemCall);
        item.description = [frame && shortLocation(frame), systemCall].filter(Boolean).join(' — ')
          || (unknownPlace ? vscode.l10n.t('where: not known yet') : undefined);
        item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
        const stack = event.stack.map((entry) => `${entry.function ?? '?'} — ${shortLocation(entry)}`).join('\n');
        item.tooltip = systemCall && !frame
          ? vscode.l10n.t('The thread sleeps {0}, a call that waits for another program, a device or a person, and has not come back to its event loop: no JavaScript runs meanwhile, so its line cannot be read. The call and its file come from /proc.', systemCall)
          : unknownPlace
          ? vscode.l10n.t('The thread has not come back to its event loop, so its probe cannot say where it is held (an endless loop, Atomics.wait, a long synchronous call). Its line shows here once it comes back.')
          : event.gil
            ? `${vscode.l10n.t('{0} held the GIL inside C code (a regular expression backtracking, a C extension, a huge computation on built-in types): no other thread of this process could run, its probe included. Where it was comes from a stack dump taken meanwhile.', threadName)}\n\n${stack}`
            : stack;
        return located(item, frame);
      }
      case 'thread': {
        const thread = model?.process(node.pid)?.entities.thread.get(node.threadId);
        if (!thread) return new vscode.TreeItem(node.threadId);
        const live = this.liveTasksOf(model!, node.pid, node.threadId).length;
        const all = this.tasksOf(model!, node.pid, node.threadId);
        const item = new vscode.TreeItem(thread.info.name, all > 0 ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
        // VS Code keeps a leaf row that gains children collapsed; a thread with tasks is another row
        // (another id), so it opens expanded as declared. `flush` refreshes the tree on that change.
        if (all > 0) {
          item.id = `${node.key}#tasks`;
          this.threadsShownWithTasks.add(node.key);
        } else {
          this.threadsShownWithTasks.delete(node.key);
        }
        const where = thread.info.location ? ` · ${shortLocation(thread.info.location)}` : '';
        const unlisted = unlistedTasks(model!.process(node.pid)!, node.threadId);
        const count = (live > 0 ? ` · ${taskCount(live)}` : '') + (unlisted > 0 ? ` · ${vscode.l10n.t('+{0} more tasks not listed', unlisted)}` : '');
        const parentId = thread.info.parentThreadId;
        const startedBy = parentId ? ` · ${vscode.l10n.t('started by {0}', model!.threadName(node.pid, parentId) ?? parentId)}` : '';
        const exitCode = thread.info.state === 'exited' && thread.info.exitCode !== undefined ? ` ${vscode.l10n.t('(exit code {0})', thread.info.exitCode)}` : '';
        const waits = thread.info.wait && thread.info.state !== 'exited' ? ` · ${waitWords(thread.info.wait, node.pid, namesFrom(this.stuck.of(model)?.graph), now)}` : '';
        item.description = `${threadStateLabel(thread.info.state)}${exitCode}${waits}${where}${count}${startedBy} · ${age(thread, now)}`;
        item.iconPath = new vscode.ThemeIcon(thread.info.state === 'exited' ? 'circle-slash' : thread.info.state === 'waiting' ? 'watch' : 'pulse');
        return located(item, thread.info.location);
      }
      case 'group': {
        const count = model ? this.liveTasksOf(model, node.pid, node.threadId).filter((task) => task.info.coroutine === node.coroutine).length : 0;
        const item = new vscode.TreeItem(node.coroutine, vscode.TreeItemCollapsibleState.Collapsed);
        item.description = count > TASKS_PER_GROUP_SHOWN ? vscode.l10n.t('{0} tasks (showing {1})', count, TASKS_PER_GROUP_SHOWN) : taskCount(count);
        item.iconPath = new vscode.ThemeIcon('layers');
        item.contextValue = 'group';
        return item;
      }
      case 'finished': {
        const counts = countOutcomes(model ? this.finishedTasksOf(model, node.pid, node.threadId) : []);
        // Expanded: its few rows are the outcome groups, and only the failed one opens by itself.
        const item = new vscode.TreeItem(vscode.l10n.t('Finished tasks'), vscode.TreeItemCollapsibleState.Expanded);
        item.description = TASK_OUTCOMES.filter((outcome) => counts[outcome] > 0).map((outcome) => `${counts[outcome]} ${outcomeLabel(outcome)}`).join(' · ');
        item.iconPath = new vscode.ThemeIcon('history');
        item.contextValue = 'group';
        return item;
      }
      case 'outcome': {
        const count = model ? this.finishedTasksOf(model, node.pid, node.threadId).filter((task) => taskOutcome(task.info) === node.outcome).length : 0;
        const item = new vscode.TreeItem(outcomeTitle(node.outcome), node.outcome === 'failed' ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
        item.description = count > TASKS_PER_GROUP_SHOWN ? vscode.l10n.t('{0} tasks (showing the latest {1})', count, TASKS_PER_GROUP_SHOWN) : taskCount(count);
        item.iconPath = taskIcon(node.outcome);
        item.contextValue = 'group';
        return item;
      }
      case 'task': {
        const task = model?.process(node.pid)?.entities.task.get(node.taskId);
        return task && model ? taskItem(model, task, node.pid, this.stuck.of(model)?.graph, now) : new vscode.TreeItem(node.taskId);
      }
      case 'stuck': {
        const report = this.report(run, node.reportKey);
        if (!report) return new vscode.TreeItem(node.reportKey);
        const item = new vscode.TreeItem(patternTitle(report.pattern), vscode.TreeItemCollapsibleState.Expanded);
        item.description = vscode.l10n.t('for {0}', formatDuration(Math.max(0, now - report.since)));
        const tooltip = new vscode.MarkdownString();
        tooltip.appendText(reportWords(report, namesFrom(this.stuck.of(model)?.graph), now));
        item.tooltip = tooltip;
        item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'));
        item.contextValue = 'stuck';
        return located(item, this.locationOf(node));
      }
      case 'stuckStep': {
        const report = this.report(run, node.reportKey);
        const step = report?.steps[node.index];
        if (!report || !step) return new vscode.TreeItem(node.key);
        const words = stepWords(report, node.index, namesFrom(this.stuck.of(model)?.graph), now) ?? step.waiter.name;
        const item = new vscode.TreeItem(step.waiter.name);
        item.description = words.startsWith(step.waiter.name) ? words.slice(step.waiter.name.length).trimStart() : words;
        item.tooltip = words;
        item.iconPath = waiterIcon(step.waiter);
        return located(item, this.locationOf(node));
      }
      case 'stuckAlso': {
        const report = this.report(run, node.reportKey);
        const names = report?.alsoWaiting.map((waiter) => waiter.name) ?? [];
        const item = new vscode.TreeItem(vscode.l10n.t('Also waiting on them'));
        item.description = names.length > 5 ? vscode.l10n.t('{0} and {1} more', names.slice(0, 5).join(', '), names.length - 5) : names.join(', ');
        item.iconPath = new vscode.ThemeIcon('watch');
        return item;
      }
      case 'stuckFailed': {
        const failed = (model ? failedProcesses(model) : []).find((process) => process.pid === node.pid);
        const item = new vscode.TreeItem(vscode.l10n.t('Failed before it'));
        if (!failed) return item;
        item.description = `${failed.name} · pid ${failed.pid} · ${exitLabel('failed', failed)}`;
        item.tooltip = vscode.l10n.t('This process of the run failed while the others ran; what they wait for may have been its work (a multiprocessing pool loses the task of a worker that dies, and waits for it forever).');
        item.iconPath = exitIcon('failed');
        return item;
      }
      case 'waiter':
        return this.waiterItem(node, now);
      case 'keptAlive': {
        const process = model?.process(node.pid);
        const alive = process && keptAlive(process);
        const item = new vscode.TreeItem(vscode.l10n.t('Kept alive by'), vscode.TreeItemCollapsibleState.Expanded);
        if (!alive) return item;
        const count = alive.handles.length + alive.more;
        item.description = `${count === 1 ? vscode.l10n.t('1 handle') : vscode.l10n.t('{0} handles', count)} · ${vscode.l10n.t('its main script has run, its event loop has only waited for {0}', formatDuration(Math.max(0, now - alive.since)))}`;
        item.tooltip = vscode.l10n.t('The program has nothing left to run, but these keep its event loop waiting, so the process does not exit: close, clear or unref them.');
        item.iconPath = new vscode.ThemeIcon('debug-disconnect');
        return item;
      }
      case 'aliveHandle': {
        const process = model?.process(node.pid);
        const entry = process ? keptAlive(process)?.handles[node.index] : undefined;
        return entry ? aliveHandleItem(entry, node.pid, this.stuck.of(model)?.graph, now) : new vscode.TreeItem(node.key);
      }
      case 'child': {
        const child = model?.process(node.pid)?.entities.child.get(node.childId);
        if (!child) return new vscode.TreeItem(node.childId);
        const item = new vscode.TreeItem(child.info.name ?? commandLabel(child.info.command));
        const kind = exitKind(child.info);
        const parts = [
          ...(child.info.pid !== undefined ? [`pid ${child.info.pid}`] : []),
          ...(child.info.role ? [roleLabel(child.info.role)] : []),
          exitLabel(kind, child.info),
          formatDuration((child.info.endedAt ?? now) - child.info.startedAt),
        ];
        item.description = parts.join(' · ');
        item.tooltip = child.info.command;
        item.iconPath = kind === 'running' ? new vscode.ThemeIcon('terminal') : exitIcon(kind);
        item.contextValue = 'child';
        return item;
      }
    }
  }

  private waiterItem(node: Extract<LiveNode, { kind: 'waiter' }>, now: number): vscode.TreeItem {
    const run = this.runOf(node);
    const graph = this.stuck.of(run?.model)?.graph;
    const waiter = graph?.waiters.get(node.waiterKey);
    if (!graph || !waiter) return new vscode.TreeItem(node.waiterKey);
    const expandable = !node.cycle && graph.edgesFrom(waiter.key).length > 0;
    const item = new vscode.TreeItem(waiter.name, expandable ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
    const parts: string[] = [];
    if (node.reason) parts.push(reasonWords(node.reason));
    if (node.cycle) parts.push(vscode.l10n.t('back to the start of a cycle'));
    else if (waiter.wait) parts.push(waitWords(waiter.wait, waiter.pid, namesFrom(graph), now));
    else if (waiter.kind !== 'process') parts.push(vscode.l10n.t('running'));
    const where = this.locationOf(node);
    if (where && !node.reason) parts.push(shortLocation(where));
    item.description = parts.join(' · ');
    if (waiter.kind === 'task') {
      const task = run?.model.process(waiter.pid)?.entities.task.get(waiter.id);
      if (run && task) item.tooltip = taskTooltip(run.model, task, waiter.pid, graph, now);
    }
    item.iconPath = node.cycle ? new vscode.ThemeIcon('sync', new vscode.ThemeColor('list.errorForeground')) : waiterIcon(waiter);
    return located(item, where);
  }

  private schedule(runId: string, change: RunChange): void {
    for (const key of change.keys) {
      if (key === runKey) this.refreshAll = true;
      else this.pendingKeys.add(`${runId}/${key}`);
    }
    this.flushSoon();
  }

  private flushSoon(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, REFRESH_INTERVAL_MS);
  }

  private flush(): void {
    this.keepAgesCurrent();
    const keys = this.pendingKeys;
    const all = this.refreshAll;
    this.pendingKeys = new Set();
    this.refreshAll = false;
    if (all || keys.size > MAX_TARGETED_REFRESH || this.currentMode === 'awaits' || this.aThreadGainedOrLostTasks()) {
      this.redrawnAt = Date.now();
      this.changeEmitter.fire(undefined);
      return;
    }
    const nodes = new Set<LiveNode>();
    for (const key of keys) {
      // A blocked event changes the process's rows; every other key is its own row.
      const node = this.nodes.get(key.endsWith('/blocked') ? key.slice(0, -'/blocked'.length) : key);
      if (node) nodes.add(node);
      // A loop or thread that changed may change what keeps the process alive: its rows are the process's.
      const entity = /^(.*\/p:\d+)\/(?:loop|thread):/.exec(key);
      const processNode = entity && this.keptAliveChanged(entity[1]!) ? this.nodes.get(entity[1]!) : undefined;
      if (processNode) nodes.add(processNode);
    }
    if (nodes.size > 0) this.changeEmitter.fire([...nodes]);
  }

  /**
   * While a run is live, every row is redrawn at least once a second: a row is otherwise redrawn only
   * when what it shows changes, and its age would stand still (an idle server's process row).
   */
  private keepAgesCurrent(): void {
    if (this.ageTimer || ![...this.runs.values()].some((entry) => entry.run.isRunning)) return;
    this.ageTimer = setTimeout(() => {
      this.ageTimer = undefined;
      const now = Date.now();
      if (now - this.redrawnAt >= AGE_REFRESH_MS - REFRESH_INTERVAL_MS && now - this.tooltipShownAt >= TOOLTIP_READING_MS) this.refreshAll = true;
      this.flushSoon();
    }, AGE_REFRESH_MS);
  }

  private aThreadGainedOrLostTasks(): boolean {
    for (const node of this.nodes.values()) {
      if (node.kind !== 'thread') continue;
      const model = this.runOf(node)?.model;
      if (!model) continue;
      const hasTasks = this.tasksOf(model, node.pid, node.threadId) > 0;
      if (hasTasks !== this.threadsShownWithTasks.has(node.key)) return true;
    }
    return false;
  }
}

function located(item: vscode.TreeItem, location: SourceLocation | undefined): vscode.TreeItem {
  if (!location) return item;
  item.contextValue = 'located';
  item.command = { command: CommandId.RevealInEditor, title: vscode.l10n.t('Reveal in Editor'), arguments: [location] };
  return item;
}

/** One thing that keeps a process alive: what it is, its detail, the line that created it (a click opens it). */
/** A held thread's system call, localized: "in read() on a pipe, fd 0 (stdin)". */
function systemCallWords(call: SystemCall): string {
  const file = call.file ?? '';
  switch (call.fileKind) {
    case 'fifo':
      return vscode.l10n.t('in {0}() on the named pipe {1}', call.name, file);
    case 'pipe':
      return vscode.l10n.t('in {0}() on a pipe, {1}', call.name, file);
    case 'socket':
      return vscode.l10n.t('in {0}() on a socket, {1}', call.name, file);
    case 'terminal':
      return vscode.l10n.t('in {0}() on the terminal {1}', call.name, file);
    case 'file':
      return vscode.l10n.t('in {0}() on the file {1}', call.name, file);
    case undefined:
      return call.file === undefined ? vscode.l10n.t('in {0}()', call.name) : vscode.l10n.t('in {0}() on {1}', call.name, file);
  }
}

function aliveHandleItem({ handle, thread }: KeptAliveHandle, pid: number, graph: WaitGraph | undefined, now: number): vscode.TreeItem {
  const item = new vscode.TreeItem(handle.kind === 'worker' && thread ? thread.name : aliveHandleTitle(handle));
  const parts = [aliveHandleDetail(handle)];
  if (thread?.wait && thread.state !== 'exited') {
    parts.push(waitWords(thread.wait, pid, namesFrom(graph), now));
    if (thread.wait.at) parts.push(vscode.l10n.t('at {0}', shortLocation(thread.wait.at)));
  }
  if (handle.at) parts.push(vscode.l10n.t('created at {0}', shortLocation(handle.at)));
  item.description = parts.filter((part) => part !== '').join(' · ');
  item.tooltip = handle.at ? `${item.description}\n${handle.at.file}:${handle.at.line}` : item.description;
  item.iconPath = new vscode.ThemeIcon(ALIVE_HANDLE_ICONS[handle.kind]);
  return located(item, handle.at);
}

const ALIVE_HANDLE_ICONS: Readonly<Record<AliveHandle['kind'], string>> = {
  timer: 'watch', interval: 'sync', server: 'radio-tower', socket: 'plug', child: 'terminal', worker: 'pulse', 'message-port': 'mail', stdin: 'keyboard', other: 'circle-outline',
};

function aliveHandleTitle(handle: AliveHandle): string {
  switch (handle.kind) {
    case 'timer':
      return handle.count !== undefined ? vscode.l10n.t('{0} short timers', handle.count) : vscode.l10n.t('Timer');
    case 'interval':
      return vscode.l10n.t('Interval');
    case 'server':
      return vscode.l10n.t('Server');
    case 'socket':
      return vscode.l10n.t('Socket');
    case 'child':
      return vscode.l10n.t('Child process');
    case 'worker':
      return vscode.l10n.t('Worker');
    case 'message-port':
      return vscode.l10n.t('Message port');
    case 'stdin':
      return vscode.l10n.t('Standard input');
    case 'other':
      return handle.type ?? vscode.l10n.t('Other handle');
  }
}

/** "fires in 10 min", "listening on 127.0.0.1:8080", "pid 42 · sleep 100"… */
function aliveHandleDetail(handle: AliveHandle): string {
  const command = [handle.pid !== undefined ? `pid ${handle.pid}` : '', handle.command ?? ''].filter((part) => part !== '').join(' · ');
  switch (handle.kind) {
    case 'timer':
      return handle.delayMs !== undefined ? vscode.l10n.t('set for {0}', formatDuration(handle.delayMs)) : vscode.l10n.t('under 1 s each');
    case 'interval':
      return handle.delayMs !== undefined ? vscode.l10n.t('every {0}', formatDuration(handle.delayMs)) : '';
    case 'server':
      return handle.address ? vscode.l10n.t('listening on {0}', handle.address) : vscode.l10n.t('listening');
    case 'socket':
      if (handle.address) return vscode.l10n.t('connected to {0}', handle.address);
      return command ? vscode.l10n.t('pipe to child process {0}', command) : '';
    case 'child':
      return handle.pipeFull ? vscode.l10n.t('{0} · its output is never read: it waits for room in the full pipe', command) : command;
    case 'worker':
    case 'other':
      return '';
    case 'message-port':
      return vscode.l10n.t('listening for messages');
    case 'stdin':
      return vscode.l10n.t('the program reads it');
  }
}

function processItem(model: RunModel, process: ProcessRecord, now: number): vscode.TreeItem {
  const title = processTitle(model, process);
  // A `python -c …` helper's argv names no script: its role says more.
  const scriptless = process.argv.length === 0 || process.argv[0] === '-c';
  const item = new vscode.TreeItem(title.name ?? (title.role && scriptless ? roleLabel(title.role) : title.command), vscode.TreeItemCollapsibleState.Expanded);
  const kind = exitKind(process);
  const parts = [
    `pid ${process.pid}`,
    ...(title.role ? [roleLabel(title.role)] : []),
    exitLabel(kind, process),
    formatDuration((process.endedAt ?? now) - process.startedAt),
  ];
  item.description = parts.join(' · ');
  const runtime = process.runtime ? `\n${process.runtime.name} ${process.runtime.version}` : '';
  const dropped = process.droppedFrames > 0 ? `\n${vscode.l10n.t('{0} updates dropped by the probe', process.droppedFrames)}` : '';
  const cost = process.probeCost ? `\n${probeCostText(process.probeCost)}` : '';
  item.tooltip = `${process.argv.join(' ')}${runtime}${dropped}${cost}`;
  item.iconPath = kind === 'running' ? new vscode.ThemeIcon('server-process') : exitIcon(kind);
  item.contextValue = 'process';
  return item;
}

/** What watching the process cost it, as its probe counted its own work. */
function probeCostText({ probeCpuMs, cpuMs }: ProbeCost): string {
  const share = cpuMs > 0 ? (probeCpuMs / cpuMs) * 100 : 0;
  return vscode.l10n.t("The probe's own work: {0} ms of CPU, {1}% of this process's", probeCpuMs.toFixed(0), share < 0.1 ? share.toFixed(2) : share.toFixed(1));
}

/** A run's row (when several are listed): its title, and whether it runs, is paused or how it ended. */
function runItem(run: RunView, now: number): vscode.TreeItem {
  const item = new vscode.TreeItem(run.title, run.isRunning ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
  const outcome = run.model.outcome;
  const started = Math.min(...run.model.processes().map((process) => process.startedAt));
  const duration = Number.isFinite(started) ? ` · ${formatDuration((outcome?.endedAt ?? now) - started)}` : '';
  if (run.isPaused) item.description = `${vscode.l10n.t('paused in the debugger')}${duration}`;
  else if (run.isRunning || !outcome) item.description = `${vscode.l10n.t('running')}${duration}`;
  else item.description = `${outcome.stillRunning ? vscode.l10n.t('recorded while it was running') : exitLabel(exitKind(outcome), outcome)}${duration}`;
  item.tooltip = run.isRunning ? run.title : `${run.title}\n${summaryText(run.model.summary())}`;
  item.iconPath = run.isPaused ? new vscode.ThemeIcon('debug-pause')
    : run.isRunning ? new vscode.ThemeIcon(RUN_ICONS[run.kind])
      : outcome && !outcome.stillRunning && exitKind(outcome) !== 'running' ? exitIcon(exitKind(outcome) as Exclude<ExitKind, 'running'>) : new vscode.ThemeIcon('history');
  item.contextValue = run.isRunning ? 'run-running' : 'run-ended';
  return item;
}

const RUN_ICONS: Readonly<Record<RunKind, string>> = {
  file: 'pulse', command: 'terminal-bash', task: 'tools', terminal: 'terminal', debug: 'debug-alt', attach: 'plug', recording: 'history',
};

function statusItem(status: 'waiting' | 'paused'): vscode.TreeItem {
  switch (status) {
    case 'waiting': {
      const item = new vscode.TreeItem(vscode.l10n.t('Waiting for its Python or Node.js processes…'));
      item.iconPath = new vscode.ThemeIcon('loading~spin');
      return item;
    }
    case 'paused': {
      const item = new vscode.TreeItem(vscode.l10n.t('Paused in the debugger'));
      item.description = vscode.l10n.t('time spent paused is not a blocked event loop');
      item.iconPath = new vscode.ThemeIcon('debug-pause');
      return item;
    }
  }
}

function summaryItem(model: RunModel | undefined): vscode.TreeItem {
  const outcome = model?.outcome;
  const status = !outcome ? '' : outcome.stillRunning ? vscode.l10n.t('recorded while it was running') : exitLabel(exitKind(outcome), outcome);
  const item = new vscode.TreeItem(vscode.l10n.t('Run finished ({0})', status));
  item.description = model ? summaryText(model.summary()) : undefined;
  item.tooltip = item.description;
  item.iconPath = new vscode.ThemeIcon('checklist');
  item.contextValue = 'summary';
  return item;
}

/** The end-of-run summary in one line (also shown as a message). */
export function summaryText(summary: RunSummary): string {
  const parts = [
    vscode.l10n.t('{0} tasks created, {1} failed, {2} cancelled', summary.tasksCreated, summary.tasksFailed, summary.tasksCancelled),
    summary.threads === 1 ? vscode.l10n.t('1 thread') : vscode.l10n.t('{0} threads', summary.threads),
    summary.processes === 1 ? vscode.l10n.t('1 process') : vscode.l10n.t('{0} processes', summary.processes),
  ];
  if (summary.longestBlock) parts.push(vscode.l10n.t('longest loop block {0}', formatDuration(summary.longestBlock.durationMs)));
  return parts.join(' · ');
}

function taskCount(count: number): string {
  return count === 1 ? vscode.l10n.t('1 task') : vscode.l10n.t('{0} tasks', count);
}

function age(entity: TrackedEntity<'thread'> | TrackedEntity<'task'>, now: number): string {
  return formatDuration((entity.info.endedAt ?? now) - entity.info.startedAt);
}

/** "exited with code 0", "stopped by SIGTERM", "crashed (SIGSEGV)"… */
function exitLabel(kind: ExitKind, status: { exitCode?: number; signal?: string }): string {
  switch (kind) {
    case 'running':
      return vscode.l10n.t('running');
    case 'ok':
    case 'failed':
      if (status.signal !== undefined) return vscode.l10n.t('killed by {0}', signalName(status.signal));
      return vscode.l10n.t('exited with code {0}', status.exitCode ?? 0);
    case 'stopped':
      return vscode.l10n.t('stopped by {0}', signalName(status.signal ?? ''));
    case 'unknown':
      return vscode.l10n.t('ended');
  }
}

function exitIcon(kind: Exclude<ExitKind, 'running'>): vscode.ThemeIcon {
  switch (kind) {
    case 'ok':
      return new vscode.ThemeIcon('pass');
    case 'stopped':
    case 'unknown':
      return new vscode.ThemeIcon('circle-slash');
    case 'failed':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'));
  }
}

/** The words for a process role the probes report; an unknown role reads as it is. */
function roleLabel(role: string): string {
  switch (role) {
    case 'pool-worker':
      return vscode.l10n.t('pool worker');
    case 'process':
      return vscode.l10n.t('multiprocessing process');
    case 'spawn-worker':
      return vscode.l10n.t('multiprocessing child');
    case 'resource-tracker':
      return vscode.l10n.t('resource tracker');
    case 'fork-server':
      return vscode.l10n.t('fork server');
    case 'manager':
      return vscode.l10n.t('manager process');
    default:
      return role;
  }
}

function taskItem(model: RunModel, task: TrackedEntity<'task'>, pid: number, graph: WaitGraph | undefined, now: number): vscode.TreeItem {
  const { info } = task;
  const item = new vscode.TreeItem(info.name);
  const parts = [info.coroutine, task.live ? taskStateLabel(info.state) : outcomeLabel(taskOutcome(info))];
  if (info.exception) parts.push(info.exception.split('\n')[0]!.slice(0, 200));
  if (task.live && info.wait && info.state === 'pending') parts.push(waitWords(info.wait, pid, namesFrom(graph), now));
  else if (task.live && info.awaiting) parts.push(vscode.l10n.t('awaiting {0}', info.awaiting));
  if (!task.live && info.cancelledBy?.at) parts.push(vscode.l10n.t('cancelled at {0}', shortLocation(info.cancelledBy.at)));
  const where = info.raisedAt ?? (task.live ? info.suspendedAt : undefined);
  if (where) parts.push(shortLocation(where));
  parts.push(age(task, now));
  item.description = parts.join(' · ');
  item.tooltip = taskTooltip(model, task, pid, graph, now);
  item.iconPath = taskIcon(task.live ? info.state : taskOutcome(info));
  return located(item, info.raisedAt ?? info.suspendedAt ?? info.createdAt);
}

/** A task's lifecycle: where it was created and by which task, what it awaits and who awaits it, who cancelled it, how it ended. */
function taskTooltip(model: RunModel, task: TrackedEntity<'task'>, pid: number, graph: WaitGraph | undefined, now: number): string {
  const { info } = task;
  const names = namesFrom(graph);
  const lines = [`${info.name} — ${info.coroutine}`];
  if (info.createdAt) lines.push(vscode.l10n.t('Created at {0}', `${info.createdAt.file}:${info.createdAt.line}`));
  if (info.parentId) lines.push(vscode.l10n.t('Created by task {0}', model.process(pid)?.entities.task.get(info.parentId)?.info.name ?? info.parentId));
  if (task.live && info.wait && info.state === 'pending') lines.push(`${vscode.l10n.t('Awaits')}: ${waitWords(info.wait, pid, names, now)}`);
  const awaitedBy = graph ? waitedOnBy(graph, `task:${pid}/${info.id}`) : [];
  if (awaitedBy.length > 0) lines.push(vscode.l10n.t('Awaited by {0}', awaitedBy.map((waiter) => waiter.name).join(', ')));
  const cancelled = info.cancelledBy;
  if (cancelled) {
    const by = cancelled.taskId ? model.process(pid)?.entities.task.get(cancelled.taskId)?.info.name ?? cancelled.taskId
      : cancelled.taskName ?? (cancelled.threadId ? model.threadName(pid, cancelled.threadId) ?? cancelled.threadId : undefined);
    const place = cancelled.at ? `${cancelled.at.file}:${cancelled.at.line}` : undefined;
    if (by && place) lines.push(vscode.l10n.t('Cancelled by {0} at {1}', by, place));
    else if (place) lines.push(vscode.l10n.t('Cancelled at {0}', place));
    else if (by) lines.push(vscode.l10n.t('Cancelled by {0}', by));
    if (cancelled.message) lines.push(vscode.l10n.t('Cancel message: {0}', cancelled.message));
  }
  if (info.exception) lines.push(info.exception);
  if (info.raisedAt) lines.push(vscode.l10n.t('raised at {0}', `${info.raisedAt.file}:${info.raisedAt.line}`));
  lines.push(task.live ? vscode.l10n.t('Running for {0}', age(task, now)) : vscode.l10n.t('Lasted {0}', age(task, now)));
  // Plain text: names, messages and exceptions are program data.
  return lines.join('\n');
}

function waiterIcon(waiter: Waiter): vscode.ThemeIcon {
  switch (waiter.kind) {
    case 'task':
      return new vscode.ThemeIcon(waiter.wait ? 'debug-pause' : 'play-circle');
    case 'thread':
      return new vscode.ThemeIcon(waiter.wait ? 'watch' : 'pulse');
    case 'process':
      return new vscode.ThemeIcon('server-process');
  }
}

/** "failed", "cancelled", "done", "unfinished (its process ended)". */
function outcomeLabel(outcome: TaskOutcome): string {
  switch (outcome) {
    case 'failed':
      return vscode.l10n.t('failed');
    case 'cancelled':
      return vscode.l10n.t('cancelled');
    case 'done':
      return vscode.l10n.t('done');
    case 'unfinished':
      return vscode.l10n.t('unfinished (its process ended)');
  }
}

function outcomeTitle(outcome: TaskOutcome): string {
  switch (outcome) {
    case 'failed':
      return vscode.l10n.t('Failed');
    case 'cancelled':
      return vscode.l10n.t('Cancelled');
    case 'done':
      return vscode.l10n.t('Done');
    case 'unfinished':
      return vscode.l10n.t('Unfinished when their process ended');
  }
}

function threadStateLabel(state: 'running' | 'waiting' | 'blocked' | 'exited'): string {
  switch (state) {
    case 'running':
      return vscode.l10n.t('running');
    case 'waiting':
      return vscode.l10n.t('waiting');
    case 'blocked':
      return vscode.l10n.t('blocked');
    case 'exited':
      return vscode.l10n.t('exited');
  }
}

function taskStateLabel(state: 'pending' | 'running' | 'done' | 'cancelled' | 'failed'): string {
  switch (state) {
    case 'pending':
      return vscode.l10n.t('suspended');
    case 'running':
      return vscode.l10n.t('running');
    case 'done':
      return vscode.l10n.t('done');
    case 'cancelled':
      return vscode.l10n.t('cancelled');
    case 'failed':
      return vscode.l10n.t('failed');
  }
}

function taskIcon(state: TaskInfo['state'] | 'unfinished'): vscode.ThemeIcon {
  switch (state) {
    case 'pending':
      return new vscode.ThemeIcon('debug-pause');
    case 'running':
      return new vscode.ThemeIcon('play-circle', new vscode.ThemeColor('charts.green'));
    case 'done':
      return new vscode.ThemeIcon('pass');
    case 'cancelled':
    case 'unfinished':
      return new vscode.ThemeIcon('circle-slash');
    case 'failed':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'));
  }
}
