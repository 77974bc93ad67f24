import type { SourceLocation } from '../probe/protocol';
import type { EntityInfoByKind, TrackedEntity } from './runModel';

/** Above this many tasks in one thread, the view groups them by coroutine. */
export const TASK_GROUP_THRESHOLD = 100;
/** At most this many tasks are listed under one group (the count shows the rest). */
export const TASKS_PER_GROUP_SHOWN = 200;

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

/** `file.py:12` (basename). */
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

/**
 * Where to point the user for a blocked loop: the innermost frame in their own files (e.g. the
 * `time.sleep` call in their coroutine), else the innermost frame.
 */
export function blockingFrame(stack: readonly SourceLocation[], isUserFile: (file: string) => boolean): SourceLocation | undefined {
  for (let index = stack.length - 1; index >= 0; index -= 1) {
    const frame = stack[index]!;
    if (isUserFile(frame.file)) return frame;
  }
  return stack[stack.length - 1];
}

/** Live entities first (in arrival order), then ended ones, newest ended first. */
export function liveFirst<K extends keyof EntityInfoByKind>(entities: Iterable<TrackedEntity<K>>): TrackedEntity<K>[] {
  const live: TrackedEntity<K>[] = [];
  const ended: TrackedEntity<K>[] = [];
  for (const entity of entities) (entity.live ? live : ended).push(entity);
  return [...live, ...ended.reverse()];
}
