/**
 * The await tree of a process, like Python 3.14's `python -m asyncio pstree`: its roots are the
 * tasks and threads nobody waits for, and each one's children are what it waits for (the tasks it
 * awaits, the thread holding the lock it wants, the thread it joins, the process it waits to exit).
 * Waiters in a cycle have no root above them: the cycle shows from its first member, and the member
 * it comes back to is a leaf that says so. Read from the wait-for graph (pure).
 */
import type { Waiter, WaitGraph, WaitReason } from './waitGraph';

export interface AwaitChild {
  readonly waiter: Waiter;
  readonly reason: WaitReason;
  /** It is already on the path from the root: the wait goes round in a cycle. */
  readonly cycle: boolean;
}

/** At most this deep: a chain of waits longer than this is cut (its end is listed under its own root). */
export const MAX_AWAIT_DEPTH = 64;

/** The roots of process `pid`'s await tree: its threads and tasks nobody of the run waits for, then one member of each cycle. */
export function awaitRoots(graph: WaitGraph, pid: number): Waiter[] {
  const own = [...graph.waiters.values()].filter((waiter) => waiter.pid === pid && waiter.kind !== 'process');
  const waitedFor = (waiter: Waiter) => graph.edgesTo(waiter.key).some((edge) => graph.waiters.get(edge.from)?.kind !== 'process');
  const roots = own.filter((waiter) => !waitedFor(waiter));
  // Whatever the roots do not reach is in (or hangs off) a cycle: list its first member as a root too.
  const reached = new Set<string>();
  const reach = (start: string) => {
    const queue = [start];
    for (let head = 0; head < queue.length; head += 1) {
      const key = queue[head]!;
      if (reached.has(key)) continue;
      reached.add(key);
      for (const edge of graph.edgesFrom(key)) queue.push(edge.to);
    }
  };
  for (const root of roots) reach(root.key);
  for (const waiter of [...own].sort(byKind)) {
    if (reached.has(waiter.key)) continue;
    roots.push(waiter);
    reach(waiter.key);
  }
  return roots.sort(byKind);
}

/** What `waiter` waits for; `path` holds the keys above it (a child already on it closes a cycle). */
export function awaitChildren(graph: WaitGraph, waiter: Waiter, path: readonly string[]): AwaitChild[] {
  if (path.length >= MAX_AWAIT_DEPTH) return [];
  const above = new Set([...path, waiter.key]);
  return graph.edgesFrom(waiter.key).map((edge) => ({ waiter: graph.waiters.get(edge.to)!, reason: edge.reason, cycle: above.has(edge.to) }));
}

/** Who waits for `waiter` (its "awaited by"), threads and tasks only. */
export function waitedOnBy(graph: WaitGraph, key: string): Waiter[] {
  return graph.edgesTo(key).map((edge) => graph.waiters.get(edge.from)!).filter((waiter) => waiter.kind !== 'process');
}

/** Tasks before threads, then by name: the await tree is mostly about tasks. */
function byKind(a: Waiter, b: Waiter): number {
  return (a.kind === 'task' ? 0 : 1) - (b.kind === 'task' ? 0 : 1) || a.name.localeCompare(b.name) || a.key.localeCompare(b.key);
}
