/**
 * Which thread of a Python process holds the GIL, and where every thread is, when the process's
 * probe cannot say: a thread inside C code that never lets go of the GIL (a regular expression
 * backtracking, a long computation in an extension) keeps every other thread from running, the
 * probe's own included. The holder is the thread that burns a CPU meanwhile (the others sleep,
 * waiting for the GIL); the stacks come from faulthandler, which the probe registered on a signal
 * (probes/python/concurrency_lens_probe/_stacks.py) and which writes them from C, GIL or not, to a
 * file the host reads through /proc. Linux only, like /proc.
 */
import { promises as fs } from 'node:fs';
import type { SourceLocation } from '../probe/protocol';

export interface StackDump {
  readonly signal: number;
  readonly fd: number;
  readonly inode: number;
}

export interface GilHolder {
  /** The native id (Linux tid) of the thread that used a CPU most of the window, if one did. */
  readonly busyTid: number | undefined;
  /** Every Python thread's stack, outermost frame first, by `threading.get_ident()`. */
  readonly stacks: ReadonlyMap<number, SourceLocation[]>;
}

/** How long the threads' CPU time is watched: long enough for the kernel's 10 ms ticks to tell. */
const CPU_WINDOW_MS = 300;
/** A thread busy this share of the window holds the GIL (the others wait for it, asleep). */
const BUSY_SHARE = 0.5;
/** How long the dump gets to be written, and how often the file is looked at meanwhile. */
const DUMP_TIMEOUT_MS = 1500;
const DUMP_POLL_MS = 25;

/**
 * The held process's busiest thread and every thread's stack, or undefined when the process is
 * gone, not ours, or wrote no dump. Never throws.
 */
export async function gilHolder(pid: number, dump: StackDump): Promise<GilHolder | undefined> {
  try {
    const busyTid = await busiestThread(pid);
    const text = await dumpStacks(pid, dump);
    if (text === undefined) return undefined;
    const stacks = parseFaultHandlerDump(text);
    for (const [ident, stack] of stacks) stacks.set(ident, withoutProbeLauncher(stack));
    return { busyTid, stacks };
  } catch {
    return undefined;
  }
}

/** faulthandler's dump of all threads (`Thread 0x… (most recent call first):`, then `  File "…", line N in name`). */
export function parseFaultHandlerDump(text: string): Map<number, SourceLocation[]> {
  const stacks = new Map<number, SourceLocation[]>();
  let current: SourceLocation[] | undefined;
  for (const line of text.split('\n')) {
    const header = /^(?:Current thread|Thread) 0x([0-9a-fA-F]+)\b.*\(most recent call first\):\s*$/.exec(line);
    if (header) {
      current = [];
      stacks.set(Number.parseInt(header[1]!, 16), current);
      continue;
    }
    const frame = /^ {2}File "(.*)", line (\d+) in (.+?)\s*$/.exec(line);
    if (frame && current) {
      const lineNumber = Number(frame[2]);
      if (lineNumber >= 1) current.unshift({ file: frame[1]!, line: lineNumber, function: frame[3]!.slice(0, 200) });
    } else if (line.trim() === '') {
      current = undefined; // a blank line ends a thread's frames
    }
  }
  return stacks;
}

/**
 * A stack without the frames that started the program under the probe (`python -m
 * concurrency_lens_probe script`: the probe's `__main__` and sitecustomize, and the `runpy` frames
 * that run the script), which the program's own stacks never show. Outermost frame first.
 */
export function withoutProbeLauncher(stack: readonly SourceLocation[]): SourceLocation[] {
  const isProbe = (file: string) => /[\\/]concurrency_lens_probe[\\/]/.test(file);
  const isRunpy = (file: string) => file === '<frozen runpy>' || /[\\/]runpy\.py$/.test(file);
  let first = stack.length;
  while (first > 0 && !isProbe(stack[first - 1]!.file)) first -= 1;
  if (first === 0) return [...stack];
  while (first < stack.length && isRunpy(stack[first]!.file)) first += 1;
  return stack.slice(first);
}

/** The thread whose CPU time grew by at least BUSY_SHARE of a short window, the most. */
async function busiestThread(pid: number): Promise<number | undefined> {
  const before = await threadCpuTicks(pid);
  const startedAt = Date.now();
  await new Promise((resolve) => setTimeout(resolve, CPU_WINDOW_MS));
  const after = await threadCpuTicks(pid);
  // Clock ticks are 10 ms on Linux (USER_HZ 100, fixed for /proc).
  const windowTicks = (Date.now() - startedAt) / 10;
  let busiest: { tid: number; ticks: number } | undefined;
  for (const [tid, ticks] of after) {
    const used = ticks - (before.get(tid) ?? ticks);
    if (used >= windowTicks * BUSY_SHARE && (!busiest || used > busiest.ticks)) busiest = { tid, ticks: used };
  }
  return busiest?.tid;
}

async function threadCpuTicks(pid: number): Promise<Map<number, number>> {
  const ticks = new Map<number, number>();
  for (const entry of await fs.readdir(`/proc/${pid}/task`)) {
    try {
      const stat = await fs.readFile(`/proc/${pid}/task/${entry}/stat`, 'utf8');
      // After the command's closing parenthesis: state, ppid, … utime and stime are fields 14 and 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks.set(Number(entry), Number(fields[11]) + Number(fields[12]));
    } catch {
      // the thread ended meanwhile
    }
  }
  return ticks;
}

/**
 * Signals the process and reads what faulthandler appends to the dump file, once it stops growing.
 * Not when the descriptor is no longer the probe's file, by its inode (a program that closed it and
 * opened another in its place would get the stacks written into its own file).
 */
async function dumpStacks(pid: number, dump: StackDump): Promise<string | undefined> {
  const file = await fs.open(`/proc/${pid}/fd/${dump.fd}`, 'r');
  try {
    const { size: before, ino } = await file.stat();
    if (ino !== dump.inode) return undefined;
    process.kill(pid, dump.signal);
    const deadline = Date.now() + DUMP_TIMEOUT_MS;
    let size = before;
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, DUMP_POLL_MS));
      const now = (await file.stat()).size;
      if (now > before && now === size) break; // grew, and stopped growing
      size = now;
    }
    if (size <= before) return undefined;
    const length = Math.min(size - before, 1 << 20);
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await file.read(buffer, 0, length, before);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await file.close();
  }
}
