/** The processes a run left behind, found and signalled without help from their probes. */
import { readdirSync, readFileSync } from 'node:fs';

/** Every descendant of `root`, at any depth, from /proc (Linux); elsewhere none. Never throws. */
export function descendantPids(root: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const parent = parentPid(Number(entry));
    if (parent === undefined) continue;
    const siblings = children.get(parent);
    if (siblings) siblings.push(Number(entry));
    else children.set(parent, [Number(entry)]);
  }
  const found: number[] = [];
  const queue = [root];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    for (const child of children.get(pid) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** The fields of /proc/<pid>/stat after the command name (state first), or undefined when it is gone or unknown. */
function statFields(pid: number, thread?: number): string[] | undefined {
  try {
    // The command name may hold spaces and parentheses: the fields that follow start after the last ')'.
    const stat = readFileSync(thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** The parent of `pid` (Linux /proc), or undefined when it is gone or unknown. */
export function parentPid(pid: number): number | undefined {
  const ppid = Number(statFields(pid)?.[1]);
  return Number.isInteger(ppid) ? ppid : undefined;
}

/** Whether `pid` is stopped (SIGSTOP, Ctrl+Z) or held by a tracer (a debugger), where Linux tells. */
export function isStopped(pid: number): boolean {
  const state = statFields(pid)?.[0];
  return state === 'T' || state === 't';
}

/** The state of thread `tid` of `pid` in Linux's /proc ('R' on a CPU or ready for one, 'S'/'D' asleep in the kernel, 'T' stopped…; the main thread's by default), undefined when it is gone or unknown. */
export function threadState(pid: number, tid = pid): string | undefined {
  return statFields(pid, tid)?.[0];
}

/** Sends `signal` to the process group led by each of `groups` and to each of `pids`; gone ones are skipped. */
export function signalProcesses(groups: Iterable<number>, pids: Iterable<number>, signal: NodeJS.Signals): void {
  const send = (target: number) => {
    try {
      process.kill(target, signal);
    } catch {
      // Already gone (or never ours).
    }
  };
  for (const group of groups) send(-group);
  for (const pid of pids) send(pid);
}

/** The command line of `pid` (Linux /proc), or undefined when it is gone or unreadable. */
export function commandLine(pid: number): string[] | undefined {
  try {
    const words = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    if (words[words.length - 1] === '') words.pop();
    return words.length > 0 ? words : undefined;
  } catch {
    return undefined;
  }
}
