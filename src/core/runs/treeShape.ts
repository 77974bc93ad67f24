import type { AliveHandle, SourceLocation, SystemCall, TaskInfo, ThreadInfo } from '../probe/protocol';
import type { EntityInfoByKind, ProcessRecord, RunModel, TrackedEntity } from './runModel';

/** Above this many tasks in one thread, the view groups them by coroutine. */
export const TASK_GROUP_THRESHOLD = 100;
/** At most this many tasks are listed under one group (the count shows the rest). */
export const TASKS_PER_GROUP_SHOWN = 200;
/** Up to this many finished tasks of a thread are listed after its live ones; more are grouped by outcome. */
export const FINISHED_TASKS_INLINE = 10;
/**
 * How a finished task ended, worst first (the order of the outcome groups); `unfinished`: it was
 * still pending or running when its process ended.
 */
export const TASK_OUTCOMES = ['failed', 'cancelled', 'unfinished', 'done'] as const;
export type TaskOutcome = (typeof TASK_OUTCOMES)[number];

/** `850 ms`, `4.2 s`, `3 min 5 s`, `2 h 1 min`. */
export function formatDuration(ms: number): string {
  const value = Math.max(0, ms);
  if (value < 1000) return `${Math.round(value)} ms`;
  if (value < 60_000) return `${(value / 1000).toFixed(1)} s`;
  const seconds = Math.floor(value / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
}

/** A short label for a process: its script (basename) and arguments, without the interpreter flags. */
export function processLabel(argv: readonly string[]): string {
  const [first, ...rest] = argv;
  if (first === undefined) return '';
  const base = first.split(/[\\/]/).pop() ?? first;
  return [base, ...rest].join(' ').slice(0, 200);
}

/** A command line as a row names it: its program without the program's folder (`/usr/bin/node -e …` → `node -e …`). */
export function commandLabel(command: string): string {
  return command.replace(/^\S*[\\/]/, '');
}

/** `file.py:12` (basename). */
/** A held thread's system call in plain English (the CLI is not localized): "in read() on a pipe, fd 0 (stdin)". */
export function systemCallWords(call: SystemCall): string {
  const what = call.fileKind === 'fifo' ? 'the named pipe' : call.fileKind === 'pipe' ? 'a pipe,' : call.fileKind === 'socket' ? 'a socket,'
    : call.fileKind === 'terminal' ? 'the terminal' : call.fileKind === 'file' ? 'the file' : undefined;
  const on = call.file === undefined ? '' : ` on ${what ? `${what} ` : ''}${call.file}`;
  return `in ${call.name}()${on}`;
}

export function shortLocation(location: SourceLocation): string {
  return `${location.file.split(/[\\/]/).pop() ?? location.file}:${location.line}`;
}

export interface TaskGroup {
  coroutine: string;
  tasks: TrackedEntity<'task'>[];
}

/** Tasks grouped by coroutine, biggest group first (ties by name) — used when there are many. */
export function groupTasksByCoroutine(tasks: readonly TrackedEntity<'task'>[]): TaskGroup[] {
  const groups = new Map<string, TrackedEntity<'task'>[]>();
  for (const task of tasks) {
    const list = groups.get(task.info.coroutine);
    if (list) list.push(task);
    else groups.set(task.info.coroutine, [task]);
  }
  return [...groups].map(([coroutine, list]) => ({ coroutine, tasks: list }))
    .sort((a, b) => b.tasks.length - a.tasks.length || a.coroutine.localeCompare(b.coroutine));
}

/** A file of an installed package: a library's code, not the program's own. */
const INSTALLED_PACKAGE = /[\\/](node_modules|site-packages|dist-packages)[\\/]/;

/**
 * Where to point the user for a blocked loop: the innermost frame in their own files (e.g. the
 * `time.sleep` call in their coroutine; for a block inside Node's internals or an installed package,
 * the program's frame that called into it), else the innermost frame that is a file at all.
 */
export function blockingFrame(stack: readonly SourceLocation[], isUserFile: (file: string) => boolean): SourceLocation | undefined {
  const files = stack.filter((frame) => !isRuntimeInternal(frame.file));
  for (let index = files.length - 1; index >= 0; index -= 1) {
    const frame = files[index]!;
    if (isUserFile(frame.file) && !INSTALLED_PACKAGE.test(frame.file)) return frame;
  }
  return files[files.length - 1];
}

/** A frame of the runtime's own code that is no file to open: Node's `node:…` modules, Python's `<frozen …>`, `<string>`. */
export function isRuntimeInternal(file: string): boolean {
  return file.startsWith('node:') || file.startsWith('<');
}

/** A file of the runtime or of an installed library, not the program's own (where no workspace tells). */
export function isLibraryFile(file: string): boolean {
  return isRuntimeInternal(file) || INSTALLED_PACKAGE.test(file) || /[\\/](lib|Lib)[\\/]python/.test(file);
}

/**
 * Live entities first (in arrival order), then ended ones, the latest to end first — those that
 * ended together (with their process) in arrival order.
 */
export function liveFirst<K extends keyof EntityInfoByKind>(entities: Iterable<TrackedEntity<K>>): TrackedEntity<K>[] {
  const live: TrackedEntity<K>[] = [];
  const ended: TrackedEntity<K>[] = [];
  for (const entity of entities) (entity.live ? live : ended).push(entity);
  const endOf = (entity: TrackedEntity<K>): number => entity.history[entity.history.length - 1]?.end ?? 0;
  return [...live, ...ended.sort((a, b) => endOf(b) - endOf(a))];
}

/**
 * How an ended process ended, for its icon and words: `ok` (exit code 0), `stopped` (a signal that
 * asks a process to end, as a pool's shutdown or Stop sends: not an error), `failed` (a non-zero
 * code, or a signal that kills or reports a crash), `unknown` (no source knew its exit status).
 */
export type ExitKind = 'running' | 'ok' | 'stopped' | 'failed' | 'unknown';

const STOP_SIGNALS = new Set(['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGPIPE', 'SIGUSR1', 'SIGUSR2']);
/** Linux numbers of the signals worth naming (the Python probe reports `signal 15` where it has no name). */
const SIGNAL_NAMES: Readonly<Record<number, string>> = {
  1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 4: 'SIGILL', 5: 'SIGTRAP', 6: 'SIGABRT', 7: 'SIGBUS', 8: 'SIGFPE', 9: 'SIGKILL',
  10: 'SIGUSR1', 11: 'SIGSEGV', 12: 'SIGUSR2', 13: 'SIGPIPE', 14: 'SIGALRM', 15: 'SIGTERM', 24: 'SIGXCPU', 25: 'SIGXFSZ',
};

/** `SIGTERM` for `SIGTERM`, `signal 15` or `15`; other text as it is. */
export function signalName(signal: string): string {
  const number = /^(?:signal\s*)?(\d+)$/i.exec(signal.trim());
  return number ? SIGNAL_NAMES[Number(number[1])] ?? `signal ${number[1]}` : signal.trim();
}

export function exitKind(status: { endedAt?: number; exitCode?: number; signal?: string }): ExitKind {
  if (status.endedAt === undefined) return 'running';
  if (status.signal !== undefined) return STOP_SIGNALS.has(signalName(status.signal)) ? 'stopped' : 'failed';
  if (status.exitCode === undefined) return 'unknown';
  return status.exitCode === 0 ? 'ok' : 'failed';
}

/** What to call a process: the name and role its parent gave it, else its own role, and its command line. */
export interface ProcessTitle {
  /** e.g. `SpawnPoolWorker-1` (a `multiprocessing` Process name). */
  readonly name?: string;
  /** e.g. `pool-worker`, `resource-tracker` (see ChildInfo.role and HelloFrame.processRole). */
  readonly role?: string;
  /** Its command line, shortened ({@link processLabel}); the pid when it has none. */
  readonly command: string;
}

export function processTitle(model: RunModel, record: ProcessRecord): ProcessTitle {
  const parentView = model.describedByParent(record.pid);
  // A Node process's argv starts with its executable; `node -e …` and `node -p …` name nothing after
  // it (the code is in execArgv), so the parent's spawn arguments say more than the executable's name.
  const namesOnlyItsExecutable = record.runtime?.name === 'node' && record.argv.length <= 1;
  const own = processLabel(record.argv);
  const described = parentView && commandLabel(parentView.command);
  const command = (namesOnlyItsExecutable ? described || own : own || described) || String(record.pid);
  const role = parentView?.role ?? record.processRole;
  return { ...(parentView?.name ? { name: parentView.name } : {}), ...(role ? { role } : {}), command };
}

/** The finished tasks of a list, newest first. */
export function finishedTasks(tasks: Iterable<TrackedEntity<'task'>>): TrackedEntity<'task'>[] {
  const finished: TrackedEntity<'task'>[] = [];
  for (const task of tasks) if (!task.live) finished.push(task);
  return finished.sort((a, b) => (b.info.endedAt ?? 0) - (a.info.endedAt ?? 0));
}

/** How a task that is no longer live ended. */
export function taskOutcome(info: TaskInfo): TaskOutcome {
  return info.state === 'failed' || info.state === 'cancelled' || info.state === 'done' ? info.state : 'unfinished';
}

/** Finished tasks by outcome. */
export function countOutcomes(tasks: readonly TrackedEntity<'task'>[]): Record<TaskOutcome, number> {
  const counts: Record<TaskOutcome, number> = { failed: 0, cancelled: 0, unfinished: 0, done: 0 };
  for (const task of tasks) counts[taskOutcome(task.info)] += 1;
  return counts;
}

/** What keeps a process alive while its main script has run and its loop only waits (Node). */
export interface KeptAlive {
  /** Since when the loop has only waited (ms since the epoch). */
  readonly since: number;
  readonly handles: readonly KeptAliveHandle[];
  /** Handles beyond those listed. */
  readonly more: number;
}

export interface KeptAliveHandle {
  readonly handle: AliveHandle;
  /** A Worker's thread, when the process describes it (with what it waits on, e.g. Atomics.wait). */
  readonly thread?: ThreadInfo;
}

/** Tasks of a thread's running loops that the probe's last sample counted without describing them (too many for a frame). */
export function unlistedTasks(record: ProcessRecord, threadId: string): number {
  let count = 0;
  for (const loop of record.entities.loop.values()) if (loop.live && loop.info.threadId === threadId) count += loop.info.tasksUnlisted ?? 0;
  return count;
}

/** What keeps a running process alive, while its probe says its loop only waits; undefined while it works or once it has ended. */
export function keptAlive(record: ProcessRecord): KeptAlive | undefined {
  if (record.endedAt !== undefined) return undefined;
  for (const loop of record.entities.loop.values()) {
    const { keptAliveBy, keptAliveByMore, idleSince } = loop.info;
    if (!loop.live || !keptAliveBy || idleSince === undefined) continue;
    const handles = keptAliveBy.map((handle) => {
      const thread = handle.threadId !== undefined ? record.entities.thread.get(handle.threadId)?.info : undefined;
      return thread ? { handle, thread } : { handle };
    });
    return { since: idleSince, handles, more: keptAliveByMore ?? 0 };
  }
  return undefined;
}
